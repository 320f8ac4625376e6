"""The expectation suites, one ``configure_*`` function per table they guard.

dbt tests keep the structural invariants (keys, relationships); these suites check
plausibility: shapes, codes, years, signs, units, duplicates. Thresholds come from the
seeds (indicator list, units) or from the constants below, which state why they are so.
"""

from __future__ import annotations

import csv
from functools import cache
from typing import Any

from citytiers.adapters.cells import OBSERVATION_COLUMNS
from citytiers.dictionary import Dictionary
from citytiers.settings import load_settings

# The People's Republic's statistics start in 1949; nothing can describe a future year.
FIRST_PLAUSIBLE_YEAR = 1949
# One figure per city, year, indicator, scope and measurement basis: a census 城区 figure and
# a yearbook 城区 figure of the same city and year are two facts, never duplicates.
RAW_KEY = ["city_code", "data_year", "indicator_code", "scope", "basis"]
CITY_CODE_REGEX = r"^\d{6}$"
SCOPES = ["whole_city", "urban_districts", "urban_area"]
# A real growth rate outside this band is a typing error (or a unit error), not an economy.
REAL_GROWTH_PCT_RANGE = (-50.0, 100.0)
# A revision moves a figure by a few percent (2023 economic census: +3.4 % nationally);
# beyond +-50 % one vintage is in the wrong unit (万元 read as 亿元), not revised.
REVISION_PCT_RANGE = (-50.0, 50.0)
# Nominal growth and CAGR: the same band, for the same reason (a boundary break is flagged
# and excluded from the check: a city absorbing a neighbour can grow by half in a year).
NOMINAL_GROWTH_PCT_RANGE = REAL_GROWTH_PCT_RANGE
# Ten years between censuses: Shenzhen, the fastest-growing large city, added 68 % from
# 2010 to 2020; a change outside this band is a unit or code error.
POPULATION_CHANGE_PCT_RANGE = (-60.0, 200.0)
# No built-up area (城区) holds more people than Chongqing's whole municipality (~32 million).
MAX_URBAN_POPULATION_PERSONS = 35_000_000
# 333 prefecture-level units + 4 municipalities (end-2023): no ranking or club is longer.
MAX_PREFECTURE_LEVEL_UNITS = 337
# The census also counts county-level cities under a province and the Xinjiang corps
# cities (2020: 357 units with a resident population): the population ranks are longer.
MAX_CENSUS_UNITS = 400
COMPARISONS = ["national", "province"]
DIRECTIONS = ["up", "down"]
# The staged table: the parser's columns plus the file-order sequence the loader keeps.
RAW_OBSERVATION_COLUMNS = ["observation_seq", *OBSERVATION_COLUMNS]


def _matches_regex(column: str, regex: str) -> Any:
    """``column`` matches ``regex`` (NULL passes), for suites that run on the staging
    database: GX has no regex for the duckdb dialect ("Regex is not supported for dialect
    duckdb"), so the check is SQL, and its result lists the offending rows."""
    import great_expectations.expectations as gxe

    # GX fills {batch} with str.format: the regex's own braces (\d{6}) are doubled; and
    # SQLAlchemy reads ":name" as a bind parameter, so "(?:" groups become plain groups
    # (the same match).
    escaped = regex.replace("{", "{{").replace("}", "}}").replace("(?:", "(")
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=f"select * from {{batch}} where {column} is not null "
                              f"and not regexp_full_match({column}, '{escaped}')",
        description=f"{column} matches {regex}")




def _non_negative_condition(dictionary: Dictionary) -> Any:
    """A row condition selecting indicators that can never be negative. Row conditions are
    GX ``Column`` conditions, which every execution engine reads (the raw suites run on
    SQL over the staging database, the mart suites on DataFrames)."""
    from great_expectations.expectations.row_conditions import Column

    codes = sorted(code for code, ind in dictionary.indicators.items() if ind.is_non_negative)
    return Column("indicator_code").is_in(codes)


def configure_raw_observations(dictionary: Dictionary) -> Any:
    """Suite ``raw_observations``: every incoming release, before anything is loaded."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    low, high = REAL_GROWTH_PCT_RANGE
    return gx.ExpectationSuite(
        name="raw_observations",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectTableColumnsToMatchSet(column_set=RAW_OBSERVATION_COLUMNS, exact_match=True),
            gxe.ExpectColumnValuesToNotBeNull(column="city_code"),
            _matches_regex("city_code", CITY_CODE_REGEX),
            # A figure cannot describe a year after its own publication: the runner passes
            # the release's publication year as ``max_data_year``.
            gxe.ExpectColumnValuesToBeBetween(column="data_year", min_value=FIRST_PLAUSIBLE_YEAR,
                                              max_value={"$PARAMETER": "max_data_year"}),
            gxe.ExpectColumnValuesToBeInSet(column="indicator_code",
                                            value_set=sorted(dictionary.indicators)),
            gxe.ExpectColumnValuesToBeInSet(column="scope", value_set=SCOPES),
            gxe.ExpectColumnValuesToBeInSet(
                column="base_unit",
                value_set=sorted({ind.base_unit for ind in dictionary.indicators.values()})),
            gxe.ExpectColumnValuesToNotBeNull(column="basis"),
            gxe.ExpectColumnValuesToBeInSet(column="basis", value_set=sorted(dictionary.bases)),
            gxe.ExpectColumnValuesToNotBeNull(column="value"),
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=0, row_condition=_non_negative_condition(dictionary)),
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=low, max_value=high,
                row_condition=Column("indicator_code") == "gdp_growth_real_pct"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=RAW_KEY),
        ],
    )


def configure_fct_city_indicator(dictionary: Dictionary) -> Any:
    """Suite ``fct_city_indicator``: the latest-vintage fact table after ``dbt build``."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(
        name="fct_city_indicator",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=RAW_KEY),
            gxe.ExpectColumnValuesToMatchRegex(column="city_code", regex=CITY_CODE_REGEX),
            gxe.ExpectColumnValuesToNotBeNull(column="release_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="value"),
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=0, row_condition=_non_negative_condition(dictionary)),
            gxe.ExpectColumnValuesToBeBetween(column="vintage_count", min_value=1),
            gxe.ExpectColumnValuesToBeInSet(column="scope", value_set=SCOPES),
        ],
    )


def configure_fct_city_indicator_vintage(dictionary: Dictionary) -> Any:
    """Suite ``fct_city_indicator_vintage``: every vintage, exactly one latest per key."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    low, high = REVISION_PCT_RANGE
    return gx.ExpectationSuite(
        name="fct_city_indicator_vintage",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=[*RAW_KEY, "release_id"]),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=[*RAW_KEY, "vintage_rank"]),
            gxe.ExpectColumnValuesToBeBetween(column="vintage_rank", min_value=1),
            gxe.ExpectColumnValuesToNotBeNull(column="published_on"),
            gxe.ExpectColumnValuesToBeBetween(column="revision_pct", min_value=low,
                                              max_value=high),
        ],
    )


@cache
def _seed_values(seed: str, column: str) -> list[str]:
    """The distinct values of one column of ``dbt_project/seeds/<seed>.csv``, sorted: the
    tier names of seeds/tier_rules.csv, the size classes of seeds/size_bands.csv."""
    path = load_settings().seeds / f"{seed}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return sorted({row[column] for row in csv.DictReader(handle)})


def _tier_expectations(key: list[str]) -> list[Any]:
    """Shared by the two tier marts: grain, tiers from the rule seed, a reason per row."""
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=key),
        gxe.ExpectColumnValuesToMatchRegex(column="city_code", regex=CITY_CODE_REGEX),
        gxe.ExpectColumnValuesToNotBeNull(column="tier"),
        gxe.ExpectColumnValuesToBeInSet(column="tier",
                                        value_set=_seed_values("tier_rules", "tier")),
        gxe.ExpectColumnValuesToBeInSet(column="scheme",
                                        value_set=_seed_values("tier_rules", "scheme")),
        gxe.ExpectColumnValuesToNotBeNull(column="reason"),
        gxe.ExpectColumnValuesToBeInSet(column="size_class",
                                        value_set=_seed_values("size_bands", "size_class")),
        gxe.ExpectColumnValuesToBeBetween(column="gdp_yuan", min_value=0),
    ]


def configure_mart_city_size_class(dictionary: Dictionary) -> Any:
    """Suite ``mart_city_size_class``: size classes from urban-area population."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(
        name="mart_city_size_class",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["city_code", "data_year", "basis"]),
            gxe.ExpectColumnValuesToMatchRegex(column="city_code", regex=CITY_CODE_REGEX),
            gxe.ExpectColumnValuesToBeInSet(column="basis", value_set=sorted(dictionary.bases)),
            gxe.ExpectColumnValuesToNotBeNull(column="size_class"),
            gxe.ExpectColumnValuesToBeInSet(column="size_class",
                                            value_set=_seed_values("size_bands", "size_class")),
            gxe.ExpectColumnValuesToBeBetween(column="urban_population_persons", min_value=0,
                                              max_value=MAX_URBAN_POPULATION_PERSONS),
        ],
    )


def configure_mart_city_tier_year(dictionary: Dictionary) -> Any:
    """Suite ``mart_city_tier_year``: one tier per city and year, default scheme."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(
        name="mart_city_tier_year",
        expectations=[
            *_tier_expectations(["city_code", "data_year"]),
            # One scheme only: the default (dbt var tier_scheme).
            gxe.ExpectColumnUniqueValueCountToBeBetween(column="scheme", min_value=1,
                                                        max_value=1),
        ],
    )


def configure_mart_city_tier_year_all_schemes(dictionary: Dictionary) -> Any:
    """Suite ``mart_city_tier_year_all_schemes``: one tier per scheme, city and year."""
    import great_expectations as gx

    return gx.ExpectationSuite(
        name="mart_city_tier_year_all_schemes",
        expectations=_tier_expectations(["scheme", "city_code", "data_year"]),
    )


def configure_mart_trillion_club_year(dictionary: Dictionary) -> Any:
    """Suite ``mart_trillion_club_year``: members and leavers per year."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(
        name="mart_trillion_club_year",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["city_code", "data_year"]),
            gxe.ExpectColumnValuesToMatchRegex(column="city_code", regex=CITY_CODE_REGEX),
            gxe.ExpectColumnValuesToNotBeNull(column="is_member"),
            gxe.ExpectColumnValuesToBeBetween(column="member_count", min_value=1,
                                              max_value=MAX_PREFECTURE_LEVEL_UNITS),
            gxe.ExpectColumnValuesToBeBetween(column="data_year",
                                              min_value=FIRST_PLAUSIBLE_YEAR),
            gxe.ExpectColumnValuesToBeBetween(column="gdp_yuan", min_value=0),
        ],
    )


def configure_mart_growth_ranking_year(dictionary: Dictionary) -> Any:
    """Suite ``mart_growth_ranking_year``: growth, CAGR and ranks per city and year."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    low, high = NOMINAL_GROWTH_PCT_RANGE
    real_low, real_high = REAL_GROWTH_PCT_RANGE
    return gx.ExpectationSuite(
        name="mart_growth_ranking_year",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["city_code", "data_year"]),
            gxe.ExpectColumnValuesToMatchRegex(column="city_code", regex=CITY_CODE_REGEX),
            gxe.ExpectColumnValuesToBeBetween(column="gdp_yuan", min_value=0),
            gxe.ExpectColumnValuesToBeBetween(
                column="gdp_growth_nominal_pct", min_value=low, max_value=high,
                row_condition=Column("boundary_break") == False),  # noqa: E712
            gxe.ExpectColumnValuesToBeBetween(
                column="gdp_cagr_pct", min_value=low, max_value=high,
                row_condition=Column("cagr_boundary_break") == False),  # noqa: E712
            gxe.ExpectColumnValuesToBeBetween(column="gdp_growth_real_pct",
                                              min_value=real_low, max_value=real_high),
            *[gxe.ExpectColumnValuesToBeBetween(column=rank, min_value=1,
                                                max_value=MAX_PREFECTURE_LEVEL_UNITS)
              for rank in ("gdp_rank_national", "gdp_rank_province", "growth_rank_national",
                           "growth_rank_province")],
            gxe.ExpectColumnValuesToNotBeNull(column="gdp_rank_national"),
        ],
    )


def configure_mart_overtakes(dictionary: Dictionary) -> Any:
    """Suite ``mart_overtakes``: each overtaker is now ahead of the peer it passed."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(
        name="mart_overtakes",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["comparison", "data_year", "city_code", "peer_city_code"]),
            gxe.ExpectColumnValuesToBeInSet(column="comparison", value_set=COMPARISONS),
            gxe.ExpectColumnValuesToBeBetween(column="rank_in_comparison", min_value=1),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="peer_rank_in_comparison", column_B="rank_in_comparison"),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="peer_previous_gdp_yuan", column_B="previous_gdp_yuan"),
            gxe.ExpectColumnValuesToNotBeNull(column="first_time"),
        ],
    )


def configure_mart_tier_transitions(dictionary: Dictionary) -> Any:
    """Suite ``mart_tier_transitions``: tier changes between consecutive years."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    tiers = _seed_values("tier_rules", "tier")
    return gx.ExpectationSuite(
        name="mart_tier_transitions",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["city_code", "data_year"]),
            gxe.ExpectColumnValuesToBeInSet(column="from_tier", value_set=tiers),
            gxe.ExpectColumnValuesToBeInSet(column="to_tier", value_set=tiers),
            gxe.ExpectColumnValuesToBeInSet(column="direction", value_set=DIRECTIONS),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="data_year",
                                                        column_B="from_year"),
        ],
    )


def configure_mart_population_change(dictionary: Dictionary) -> Any:
    """Suite ``mart_population_change``: census-to-census resident population change."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    low, high = POPULATION_CHANGE_PCT_RANGE
    return gx.ExpectationSuite(
        name="mart_population_change",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectColumnValuesToBeUnique(column="city_code"),
            gxe.ExpectColumnValuesToMatchRegex(column="city_code", regex=CITY_CODE_REGEX),
            gxe.ExpectColumnValuesToNotBeNull(column="is_comparable"),
            gxe.ExpectColumnValuesToBeBetween(column="change_pct", min_value=low,
                                              max_value=high),
            *[gxe.ExpectColumnValuesToBeBetween(column=rank, min_value=1,
                                                max_value=MAX_CENSUS_UNITS)
              for rank in ("change_rank_national", "change_rank_province",
                           "change_pct_rank_national", "change_pct_rank_province")],
            gxe.ExpectColumnValuesToBeBetween(column="population_to_persons", min_value=0),
        ],
    )


# Reference releases (administrative codes and their changes); columns as in raw_schema.sql.
ADMIN_CODE_SNAPSHOT_COLUMNS = ["snapshot_year", "code", "name", "source_row"]
ADMIN_CODE_RECORD_COLUMNS = [
    "code", "province_name", "prefecture_name", "name", "level_zh", "status_zh",
    "valid_from_year", "valid_to_year", "successor_codes", "source_row",
]
ADMIN_CHANGE_EVENT_COLUMNS = [
    "event_id", "event_year", "province_name", "old_name", "old_type", "new_name", "new_type",
    "event_type", "approval_date", "document_number", "confidence", "description",
    "source_row",
]
# The levels and states areacodes' result.csv uses (its README): province, prefecture,
# county; in use, changed (code reassigned), abolished.
ADMIN_LEVELS_ZH = ["省级", "地级", "县级"]
ADMIN_STATUSES_ZH = ["在用", "变更", "弃用"]
ADMIN_STATUS_IN_USE = "在用"
# 新代码: successor codes separated by ';', each with an optional [year] of the change.
SUCCESSOR_CODES_REGEX = r"^\d{6}(?:\[\d{4}\])?(?:;\d{6}(?:\[\d{4}\])?)*$"


def _year_bounds(column: str) -> Any:
    """A year from 1949 to the release's publication year (the runner's ``max_data_year``;
    for a code list, the as-of year of its newest list)."""
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=FIRST_PLAUSIBLE_YEAR,
                                             max_value={"$PARAMETER": "max_data_year"})


def _code_and_name() -> list[Any]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToNotBeNull(column="code"),
        _matches_regex("code", CITY_CODE_REGEX),
        gxe.ExpectColumnValuesToNotBeNull(column="name"),
        gxe.ExpectColumnValueLengthsToBeBetween(column="name", min_value=1),
    ]


def configure_raw_admin_code_snapshots(dictionary: Dictionary) -> Any:
    """Suite ``raw_admin_code_snapshots``: one year-end code list (areacodes annual/YYYY.txt)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(
        name="raw_admin_code_snapshots",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectTableColumnsToMatchSet(column_set=ADMIN_CODE_SNAPSHOT_COLUMNS,
                                             exact_match=True),
            *_code_and_name(),
            gxe.ExpectColumnValuesToNotBeNull(column="snapshot_year"),
            _year_bounds("snapshot_year"),
            # Each code once per year-end (a release holds several years only when the list
            # did not change between them: the same bytes).
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["snapshot_year", "code"]),
        ],
    )


def configure_raw_admin_code_records(dictionary: Dictionary) -> Any:
    """Suite ``raw_admin_code_records``: the code-record history (areacodes result.csv)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    in_use = Column("status_zh") == ADMIN_STATUS_IN_USE
    not_in_use = Column("status_zh") != ADMIN_STATUS_IN_USE
    return gx.ExpectationSuite(
        name="raw_admin_code_records",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectTableColumnsToMatchSet(column_set=ADMIN_CODE_RECORD_COLUMNS,
                                             exact_match=True),
            *_code_and_name(),
            gxe.ExpectColumnValuesToBeInSet(column="level_zh", value_set=ADMIN_LEVELS_ZH),
            gxe.ExpectColumnValuesToNotBeNull(column="status_zh"),
            gxe.ExpectColumnValuesToBeInSet(column="status_zh", value_set=ADMIN_STATUSES_ZH),
            gxe.ExpectColumnValuesToNotBeNull(column="valid_from_year"),
            _year_bounds("valid_from_year"),
            _year_bounds("valid_to_year"),
            # Valid from 启用时间 (inclusive) to 变更/弃用时间 (exclusive): a year at least.
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="valid_to_year", column_B="valid_from_year",
                ignore_row_if="either_value_is_missing"),
            # A record in use has no end; a changed or abolished one has.
            gxe.ExpectColumnValuesToBeNull(column="valid_to_year", row_condition=in_use),
            gxe.ExpectColumnValuesToNotBeNull(column="valid_to_year",
                                              row_condition=not_in_use),
            _matches_regex("successor_codes", SUCCESSOR_CODES_REGEX),
            # A code can be reused later (a new record), never twice from the same year.
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["code", "valid_from_year"]),
        ],
    )


def configure_raw_admin_change_events(dictionary: Dictionary) -> Any:
    """Suite ``raw_admin_change_events``: administrative change events (crosswalk)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(
        name="raw_admin_change_events",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectTableColumnsToMatchSet(column_set=ADMIN_CHANGE_EVENT_COLUMNS,
                                             exact_match=True),
            gxe.ExpectColumnValuesToNotBeNull(column="event_id"),
            gxe.ExpectColumnValuesToBeUnique(column="event_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="event_year"),
            _year_bounds("event_year"),
            gxe.ExpectColumnValuesToNotBeNull(column="event_type"),
        ],
    )


# A census yearbook's prefecture totals (adapter census_yearbook); columns as in raw_schema.sql.
CENSUS_PREFECTURE_TOTALS_COLUMNS = [
    "prefecture_code", "prefecture_name", "printed_total", "coded_county_sum",
    "coded_county_count", "difference", "uncoded_unit_count", "uncoded_units", "source_sheet",
    "source_row", "source_column",
]
# A prefecture-level code: XXYY00 with YY not 00 (XX0000 is a province or municipality).
PREFECTURE_CODE_REGEX = r"^\d{2}(?:0[1-9]|[1-9]\d)00$"
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

    return gx.ExpectationSuite(
        name="raw_census_prefecture_totals",
        expectations=[
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectTableColumnsToMatchSet(column_set=CENSUS_PREFECTURE_TOTALS_COLUMNS,
                                             exact_match=True),
            gxe.ExpectColumnValuesToNotBeNull(column="prefecture_code"),
            _matches_regex("prefecture_code", PREFECTURE_CODE_REGEX),
            gxe.ExpectColumnValuesToBeUnique(column="prefecture_code"),
            gxe.ExpectColumnValuesToNotBeNull(column="prefecture_name"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="prefecture_name", min_value=1),
            *[gxe.ExpectColumnValuesToNotBeNull(column=column)
              for column in ("printed_total", "coded_county_sum", "difference", "source_row")],
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
                row_condition=_totals_differ()
                & (Column("coded_county_count") == 0),
                description="Prefectures whose total differs, with no coded county-level unit "
                            "(a city without districts, e.g. 东莞, or districts printed only "
                            "as an uncoded 市辖区)."),
            gxe.ExpectColumnValuesToBeInSet(
                column="prefecture_name", value_set=[], severity="warning",
                row_condition=_totals_differ()
                & (Column("coded_county_count") > 0),
                description="Prefectures whose coded county-level units do not add up to "
                            "their total (units printed without a code, e.g. 大兴安岭's "
                            "加格达奇; see uncoded_units)."),
        ],
    )


SUITES = {
    "raw_observations": configure_raw_observations,
    "raw_admin_code_snapshots": configure_raw_admin_code_snapshots,
    "raw_admin_code_records": configure_raw_admin_code_records,
    "raw_admin_change_events": configure_raw_admin_change_events,
    "raw_census_prefecture_totals": configure_raw_census_prefecture_totals,
    "fct_city_indicator": configure_fct_city_indicator,
    "fct_city_indicator_vintage": configure_fct_city_indicator_vintage,
    "mart_city_size_class": configure_mart_city_size_class,
    "mart_city_tier_year": configure_mart_city_tier_year,
    "mart_city_tier_year_all_schemes": configure_mart_city_tier_year_all_schemes,
    "mart_trillion_club_year": configure_mart_trillion_club_year,
    "mart_growth_ranking_year": configure_mart_growth_ranking_year,
    "mart_overtakes": configure_mart_overtakes,
    "mart_tier_transitions": configure_mart_tier_transitions,
    "mart_population_change": configure_mart_population_change,
}
