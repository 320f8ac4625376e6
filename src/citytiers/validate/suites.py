"""The expectation suites, built from the tables' declared columns plus what is particular
to each table.

GX checks plausibility, dbt checks structure, and no check is written twice:

- Raw (staged) tables, before load: the common expectations are generated from the
  columns ``raw_schema.sql`` declares for the table (:func:`raw_table_expectations`): a
  row at least, exactly the declared columns, no NULL in a NOT NULL column, codes of the
  right form, years from 1949 to the release's publication year, one row per key. Every
  one of them is SQL that names the offending rows (sheet, row, column). The raw layer has
  no dbt tests before load, so structure is GX's job there.
- Marts, after ``dbt build``: keys, NOT NULL and accepted values are dbt tests
  (``dbt_project/models/marts/_marts__models.yml``); the suites hold plausibility only,
  the common part generated from the columns that file declares
  (:func:`mart_expectations`): codes of the right form, levels of money and people
  (columns named ``*_yuan`` / ``*_persons``) not negative; the rest per mart (rows at all:
  the fact table, once observations are in force).
- Thresholds come from the seeds: plausibility_bounds.csv (single figures), mart_bounds.csv
  (growth bands, the longest ranking, the first data year), tier_rules.csv, size_bands.csv;
  each row says why it is so.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import yaml

from citytiers.gates.queries import gate_expectations
from citytiers.parse.normalize.codes import (
    CITY_CODE_REGEX,
    PREFECTURE_CODE_REGEX,
    SUCCESSOR_CODES_REGEX,
)
from citytiers.parse.normalize.dictionary import Dictionary, read_csv_rows
from citytiers.settings import load_settings

# One figure per city, year, indicator, scope and measurement basis: a census 城区 figure and
# a yearbook 城区 figure of the same city and year are two facts, never duplicates.
RAW_KEY = ["city_code", "data_year", "indicator_code", "scope", "basis"]
# Bounds of single figures and how far a figure may move from its previous vintage or year
# are seeds (plausibility_bounds.csv, plausibility_factors.csv), checked before load by the
# gates; the marts' bounds (growth bands, the longest ranking, the first data year) are
# seeds/mart_bounds.csv, read by :func:`mart_bounds`.
# Columns the loader adds to a raw table (they are not in the staged one).
LOADER_COLUMNS = ("release_id", "record_seq")
# Mart columns that hold a level of money or people end so, and can never be negative
# (changes are named change_* / revision_* and can be).
LEVEL_SUFFIXES = ("_yuan", "_persons")
CHANGE_PREFIXES = ("change_", "revision_")
# The levels and states areacodes' result.csv uses (its README): province, prefecture,
# county; in use, changed (code reassigned), abolished.
ADMIN_LEVELS_ZH = ["省级", "地级", "县级"]
ADMIN_STATUSES_ZH = ["在用", "变更", "弃用"]
ADMIN_STATUS_IN_USE = "在用"


# -------------------------------------------------------------------- declared columns


@cache
def _raw_schema_columns() -> dict[str, list[tuple[str, bool]]]:
    from citytiers.database import open_duckdb, raw_schema_sql

    with open_duckdb() as con:
        con.execute(raw_schema_sql())
        rows = con.execute("""select table_name, column_name, is_nullable = 'YES'
                              from information_schema.columns where table_schema = 'raw'
                              order by table_name, ordinal_position""").fetchall()
    columns: dict[str, list[tuple[str, bool]]] = {}
    for table, column, nullable in rows:
        if column not in LOADER_COLUMNS:
            columns.setdefault(table, []).append((column, nullable))
    return columns


def declared_columns(table: str) -> list[str]:
    """The columns ``raw_schema.sql`` declares for ``raw.<table>``, as staged (without the
    loader's own ``release_id`` / ``record_seq``), in their declared order."""
    return [name for name, _ in _raw_schema_columns()[table]]


@cache
def _mart_spec(model: str) -> dict:
    path = load_settings().dbt_project / "models" / "marts" / "_marts__models.yml"
    models = yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    [spec] = [m for m in models if m["name"] == model]
    return spec


def mart_columns(model: str) -> list[str]:
    """The columns ``_marts__models.yml`` declares for ``model``."""
    return [column["name"] for column in _mart_spec(model).get("columns", [])]


def mart_column_labels(model: str) -> dict[str, str]:
    """Each column's description in ``_marts__models.yml`` (English / 中文): what a
    steward reads for the figure a failed expectation names."""
    return {column["name"]: " ".join(str(column.get("description") or "").split())
            for column in _mart_spec(model).get("columns", [])}


# Expectation parameter: the fewest rows a mart may have tonight (0 or 1).
MIN_MART_ROWS = "min_mart_rows"
# A mart row names the releases it was computed from in these columns (its lineage).
RELEASE_ID_COLUMN = "release_id"
RELEASE_ID_SUFFIX = "_release_id"
# Marts without a release id name their rows by city and year; the audit looks those up
# in fct_city_indicator_vintage.
CITY_YEAR_COLUMNS = ("city_code", "data_year")


def mart_lineage_columns(model: str) -> tuple[str, ...]:
    """The columns that name the releases behind a row of ``model``: its release-id
    columns, else its city and year, else none (a table-level check)."""
    columns = mart_columns(model)
    ids = tuple(c for c in columns if c == RELEASE_ID_COLUMN or c.endswith(RELEASE_ID_SUFFIX))
    if ids:
        return ids
    return CITY_YEAR_COLUMNS if set(CITY_YEAR_COLUMNS) <= set(columns) else ()


@cache
def _seed_rows(seed: str) -> tuple[dict[str, str], ...]:
    return tuple(read_csv_rows(load_settings().seeds / f"{seed}.csv"))


def seed_values(seed: str, column: str) -> list[str]:
    """The distinct values of one column of ``dbt_project/seeds/<seed>.csv``, sorted."""
    return sorted({row[column] for row in _seed_rows(seed)})


def seed_bounds(indicator: str) -> tuple[float, float]:
    """``(min_value, max_value)`` of ``indicator`` in seeds/plausibility_bounds.csv."""
    [row] = [r for r in _seed_rows("plausibility_bounds") if r["indicator_code"] == indicator]
    return float(row["min_value"]), float(row["max_value"])


def mart_bounds(bound: str) -> tuple[float, float | None]:
    """``(min_value, max_value)`` of ``bound`` in seeds/mart_bounds.csv (``None``: open)."""
    [row] = [r for r in _seed_rows("mart_bounds") if r["bound_code"] == bound]
    return float(row["min_value"]), float(row["max_value"]) if row["max_value"] else None


def first_plausible_year() -> int:
    """The first data year any release or mart may hold (seeds/mart_bounds.csv)."""
    return int(mart_bounds("data_year")[0])


# -------------------------------------------------------------------- SQL checks


def _escaped(sql: str) -> str:
    """GX fills {batch} with str.format: the SQL's own braces (a regex's {n}) are doubled; and
    SQLAlchemy reads ":name" as a bind parameter, so "(?:" groups become plain groups
    (the same match)."""
    return sql.replace("{", "{{").replace("}", "}}").replace("(?:", "(")


def _rows_where(condition: str, description: str) -> Any:
    """The rows of the batch where ``condition`` holds are unexpected; their lineage is
    read back into the reason."""
    import great_expectations.expectations as gxe

    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=f"select * from {{batch}} where {condition}",
        description=description)


def matches_regex(column: str, regex: str) -> Any:
    """``column`` matches ``regex`` (NULL passes): GX has no regex for the duckdb dialect
    ("Regex is not supported for dialect duckdb"), so the check is SQL."""
    return _rows_where(f"{column} is not null and not regexp_full_match({column}, "
                       f"'{_escaped(regex)}')", f"{column} matches {regex}")


def _no_nulls(columns: list[str]) -> Any:
    listed = " or ".join(f"{column} is null" for column in columns)
    return _rows_where(listed, f"No NULL in a NOT NULL column ({', '.join(columns)})")


def _one_row_per(key: list[str]) -> Any:
    import great_expectations.expectations as gxe

    listed = ", ".join(key)
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=f"select * from {{batch}} qualify count(*) over "
                              f"(partition by {listed}) > 1",
        description=f"One row per {listed}")


def _year_bounds(column: str) -> Any:
    """A year from 1949 to the release's publication year (the runner's ``max_data_year``;
    for a code list, the as-of year of its newest list)."""
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=first_plausible_year(),
                                             max_value={"$PARAMETER": "max_data_year"})


def raw_table_expectations(table: str, key: list[str], codes: dict[str, str],
                           years: list[str]) -> list[Any]:
    """The expectations every staged table gets, from its declared columns."""
    import great_expectations.expectations as gxe

    declared = _raw_schema_columns()[table]
    required = [name for name, nullable in declared if not nullable]
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectTableColumnsToMatchSet(column_set=declared_columns(table), exact_match=True),
        _no_nulls(required),
        *[matches_regex(column, regex) for column, regex in codes.items()],
        *[_year_bounds(column) for column in years],
        _one_row_per(key),
    ]


def mart_expectations(model: str) -> list[Any]:
    """The plausibility every mart gets, from its declared columns: city codes of the
    right form, levels of money and people not negative."""
    import great_expectations.expectations as gxe

    columns = mart_columns(model)
    return [
        *[gxe.ExpectColumnValuesToMatchRegex(column=column, regex=CITY_CODE_REGEX)
          for column in columns if column.endswith("city_code")],
        *[gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0)
          for column in columns
          if column.endswith(LEVEL_SUFFIXES) and not column.startswith(CHANGE_PREFIXES)],
    ]


def _ranks(columns: list[str], units: str) -> list[Any]:
    """Ranks among ``units`` (a row of seeds/mart_bounds.csv): 1 to the number of units."""
    import great_expectations.expectations as gxe

    low, high = mart_bounds(units)
    return [gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high)
            for column in columns]


# -------------------------------------------------------------------- raw tables


def _non_negative_condition(dictionary: Dictionary) -> Any:
    """Indicators that can never be negative (a GX ``Column`` condition, which every
    execution engine reads)."""
    from great_expectations.expectations.row_conditions import Column

    codes = sorted(code for code, ind in dictionary.indicators.items() if ind.is_non_negative)
    return Column("indicator_code").is_in(codes)


def configure_raw_observations(dictionary: Dictionary) -> Any:
    """Suite ``raw_observations``: every incoming release, before anything is loaded. The
    bounds of the figures are gates (seeds/plausibility_bounds.csv), not repeated here."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name="raw_observations", expectations=[
        *raw_table_expectations("observations", RAW_KEY, {"city_code": CITY_CODE_REGEX},
                                ["data_year"]),
        gxe.ExpectColumnValuesToBeInSet(column="indicator_code",
                                        value_set=sorted(dictionary.indicators)),
        gxe.ExpectColumnValuesToBeInSet(column="scope", value_set=seed_values(
            "scopes", "scope_code")),
        gxe.ExpectColumnValuesToBeInSet(
            column="base_unit",
            value_set=sorted({ind.base_unit for ind in dictionary.indicators.values()})),
        gxe.ExpectColumnValuesToBeInSet(column="basis", value_set=sorted(dictionary.bases)),
        *gate_expectations(),
    ])


def configure_raw_admin_code_snapshots(dictionary: Dictionary) -> Any:
    """Suite ``raw_admin_code_snapshots``: one year-end code list (areacodes annual/YYYY.txt).
    Each code once per year-end (a release holds several years only when the list did not
    change between them: the same bytes)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name="raw_admin_code_snapshots", expectations=[
        *raw_table_expectations("admin_code_snapshots", ["snapshot_year", "code"],
                                {"code": CITY_CODE_REGEX}, ["snapshot_year"]),
        gxe.ExpectColumnValueLengthsToBeBetween(column="name", min_value=1),
    ])


def configure_raw_admin_code_records(dictionary: Dictionary) -> Any:
    """Suite ``raw_admin_code_records``: the code-record history (areacodes result.csv). A
    code can be reused later (a new record), never twice from the same year."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    in_use = Column("status_zh") == ADMIN_STATUS_IN_USE
    not_in_use = Column("status_zh") != ADMIN_STATUS_IN_USE
    return gx.ExpectationSuite(name="raw_admin_code_records", expectations=[
        *raw_table_expectations("admin_code_records", ["code", "valid_from_year"],
                                {"code": CITY_CODE_REGEX,
                                 "successor_codes": SUCCESSOR_CODES_REGEX},
                                ["valid_from_year", "valid_to_year"]),
        gxe.ExpectColumnValueLengthsToBeBetween(column="name", min_value=1),
        gxe.ExpectColumnValuesToBeInSet(column="level_zh", value_set=ADMIN_LEVELS_ZH),
        gxe.ExpectColumnValuesToBeInSet(column="status_zh", value_set=ADMIN_STATUSES_ZH),
        # Valid from 启用时间 (inclusive) to 变更/弃用时间 (exclusive): a year at least.
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="valid_to_year", column_B="valid_from_year",
            ignore_row_if="either_value_is_missing"),
        # A record in use has no end; a changed or abolished one has.
        gxe.ExpectColumnValuesToBeNull(column="valid_to_year", row_condition=in_use),
        gxe.ExpectColumnValuesToNotBeNull(column="valid_to_year", row_condition=not_in_use),
    ])


def configure_raw_admin_change_events(dictionary: Dictionary) -> Any:
    """Suite ``raw_admin_change_events``: administrative change events (crosswalk)."""
    import great_expectations as gx

    return gx.ExpectationSuite(name="raw_admin_change_events", expectations=[
        *raw_table_expectations("admin_change_events", ["event_id"], {}, ["event_year"]),
    ])


# The publisher's own arithmetic (a prefecture's total is the sum of its coded counties)
# fails where it prints county-level units without a code or a city without districts
# (2010 census: 7 of 333). Named in the validation result as warnings, never hidden: the
# rows are facts of the release; the loaded figures are the printed ones.
def _totals_differ() -> Any:
    from great_expectations.expectations.row_conditions import Column

    return Column("difference") != 0


def configure_raw_census_prefecture_totals(dictionary: Dictionary) -> Any:
    """Suite ``raw_census_prefecture_totals``: a census yearbook's prefecture totals against
    the sum of their coded counties. Structure is checked strictly; the consistency rule
    (difference == 0) has severity warning, and two more warnings name the prefectures that
    break it, by cause (a warning's text lists at most five of its values)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return gx.ExpectationSuite(name="raw_census_prefecture_totals", expectations=[
        *raw_table_expectations("census_prefecture_totals", ["prefecture_code"],
                                {"prefecture_code": PREFECTURE_CODE_REGEX}, []),
        gxe.ExpectColumnValueLengthsToBeBetween(column="prefecture_name", min_value=1),
        *[gxe.ExpectColumnValuesToNotBeNull(column=column)
          for column in ("printed_total", "coded_county_sum", "difference")],
        *[gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0)
          for column in ("printed_total", "coded_county_sum", "coded_county_count",
                         "uncoded_unit_count")],
        gxe.ExpectColumnValuesToBeBetween(column="source_row", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(
            column="difference", min_value=0, max_value=0, severity="warning",
            description="A prefecture's printed total equals the sum of its coded "
                        "county-level units."),
        gxe.ExpectColumnValuesToBeInSet(
            column="prefecture_name", value_set=[], severity="warning",
            row_condition=_totals_differ() & (Column("coded_county_count") == 0),
            description="Prefectures whose total differs, with no coded county-level unit "
                        "(a city without districts, e.g. 东莞, or districts printed only "
                        "as an uncoded 市辖区)."),
        gxe.ExpectColumnValuesToBeInSet(
            column="prefecture_name", value_set=[], severity="warning",
            row_condition=_totals_differ() & (Column("coded_county_count") > 0),
            description="Prefectures whose coded county-level units do not add up to "
                        "their total (units printed without a code, e.g. 大兴安岭's "
                        "加格达奇; see uncoded_units)."),
    ])


# -------------------------------------------------------------------- marts


def _mart_suite(model: str, particular: Callable[[Dictionary], list[Any]]):
    """A mart's suite: the common plausibility plus ``particular(dictionary)``."""

    def configure(dictionary: Dictionary) -> Any:
        import great_expectations as gx

        return gx.ExpectationSuite(name=model, expectations=[
            *mart_expectations(model), *particular(dictionary)])

    configure.__doc__ = f"Suite ``{model}``: {particular.__doc__}"
    return configure


def _fct_city_indicator(dictionary: Dictionary) -> list[Any]:
    """the latest-vintage fact table after ``dbt build``: rows once observations are in
    force. The other marts may be empty on a subset of releases (no census: no size
    classes; one year: no transitions), so only the fact table must have rows."""
    import great_expectations.expectations as gxe

    return [
        # A new warehouse, or one holding code lists only, publishes empty marts: the
        # minimum (0 or 1) is set by citytiers.audit.verdict from the releases in force.
        gxe.ExpectTableRowCountToBeBetween(min_value={"$PARAMETER": MIN_MART_ROWS}),
        gxe.ExpectColumnValuesToBeBetween(
            column="value", min_value=0, row_condition=_non_negative_condition(dictionary)),
        gxe.ExpectColumnValuesToBeBetween(column="vintage_count", min_value=1),
    ]


def _fct_city_indicator_vintage(dictionary: Dictionary) -> list[Any]:
    """every vintage; how far one moves from the previous is a gate before load."""
    import great_expectations.expectations as gxe

    return [gxe.ExpectColumnValuesToBeBetween(column="vintage_rank", min_value=1)]


def _mart_city_size_class(dictionary: Dictionary) -> list[Any]:
    """size classes from urban-area population (bounds: seeds/plausibility_bounds.csv)."""
    import great_expectations.expectations as gxe

    low, high = seed_bounds("population_urban_area")
    return [gxe.ExpectColumnValuesToBeBetween(column="urban_population_persons",
                                              min_value=low, max_value=high)]


def _tiers(dictionary: Dictionary) -> list[Any]:
    """tiers of the rule seed's schemes."""
    import great_expectations.expectations as gxe

    return [gxe.ExpectColumnValuesToBeInSet(column="scheme",
                                            value_set=seed_values("tier_rules", "scheme"))]


def _mart_city_tier_year(dictionary: Dictionary) -> list[Any]:
    """one tier per city and year, in the default scheme only (dbt var tier_scheme)."""
    import great_expectations.expectations as gxe

    return [*_tiers(dictionary),
            # At most one: none on a warehouse with no observations in force yet.
            gxe.ExpectColumnUniqueValueCountToBeBetween(column="scheme", min_value=0,
                                                        max_value=1)]


def _mart_trillion_club_year(dictionary: Dictionary) -> list[Any]:
    """members and leavers per year."""
    import great_expectations.expectations as gxe

    low, high = mart_bounds("prefecture_level_units")
    return [
        gxe.ExpectColumnValuesToBeBetween(column="member_count", min_value=low, max_value=high),
        gxe.ExpectColumnValuesToBeBetween(column="data_year", min_value=first_plausible_year()),
    ]


def _mart_growth_ranking_year(dictionary: Dictionary) -> list[Any]:
    """growth, CAGR and ranks per city and year."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    low, high = mart_bounds("gdp_growth_nominal_pct")
    real_low, real_high = seed_bounds("gdp_growth_real_pct")
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="gdp_growth_nominal_pct", min_value=low, max_value=high,
            row_condition=Column("boundary_break") == False),  # noqa: E712
        gxe.ExpectColumnValuesToBeBetween(
            column="gdp_cagr_pct", min_value=low, max_value=high,
            row_condition=Column("cagr_boundary_break") == False),  # noqa: E712
        gxe.ExpectColumnValuesToBeBetween(column="gdp_growth_real_pct",
                                          min_value=real_low, max_value=real_high),
        *_ranks(["gdp_rank_national", "gdp_rank_province", "growth_rank_national",
                 "growth_rank_province"], "prefecture_level_units"),
    ]


def _mart_overtakes(dictionary: Dictionary) -> list[Any]:
    """each overtaker is now ahead of the peer it passed, and was behind it."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(column="rank_in_comparison", min_value=1),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="peer_rank_in_comparison", column_B="rank_in_comparison"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="peer_previous_gdp_yuan", column_B="previous_gdp_yuan"),
    ]


def _mart_measure_overtakes(dictionary: Dictionary) -> list[Any]:
    """each overtaker is now ahead of the peer it passed on the measure, and was behind it."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(column="rank_in_comparison", min_value=1),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="value", column_B="peer_value"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="peer_previous_value", column_B="previous_value"),
    ]


def _mart_city_measure_rank_year(dictionary: Dictionary) -> list[Any]:
    """ranks on GDP, GDP per capita and per-capita disposable income."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, strict_min=True),
        *_ranks(["rank_national", "rank_province"], "prefecture_level_units"),
    ]


def _mart_tier_transitions(dictionary: Dictionary) -> list[Any]:
    """tier changes between consecutive years, forward in time."""
    import great_expectations.expectations as gxe

    return [gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="data_year",
                                                        column_B="from_year")]


def _mart_population_change(dictionary: Dictionary) -> list[Any]:
    """census-to-census resident population change."""
    import great_expectations.expectations as gxe

    low, high = mart_bounds("population_change_pct")
    return [
        gxe.ExpectColumnValuesToBeBetween(column="change_pct", min_value=low, max_value=high),
        *_ranks(["change_rank_national", "change_rank_province", "change_pct_rank_national",
                 "change_pct_rank_province"], "census_units"),
    ]


SUITES = {
    "raw_observations": configure_raw_observations,
    "raw_admin_code_snapshots": configure_raw_admin_code_snapshots,
    "raw_admin_code_records": configure_raw_admin_code_records,
    "raw_admin_change_events": configure_raw_admin_change_events,
    "raw_census_prefecture_totals": configure_raw_census_prefecture_totals,
    **{model: _mart_suite(model, particular) for model, particular in {
        "fct_city_indicator": _fct_city_indicator,
        "fct_city_indicator_vintage": _fct_city_indicator_vintage,
        "mart_city_size_class": _mart_city_size_class,
        "mart_city_tier_year": _mart_city_tier_year,
        "mart_city_tier_year_all_schemes": _tiers,
        "mart_trillion_club_year": _mart_trillion_club_year,
        "mart_growth_ranking_year": _mart_growth_ranking_year,
        "mart_overtakes": _mart_overtakes,
        "mart_measure_overtakes": _mart_measure_overtakes,
        "mart_city_measure_rank_year": _mart_city_measure_rank_year,
        "mart_tier_transitions": _mart_tier_transitions,
        "mart_population_change": _mart_population_change,
    }.items()},
}
