"""The reference the gates before load check a staged release against.

The checks themselves are expectations of the ``raw_observations`` suite (SQL over the
staging database, :mod:`citytiers.validate.suites`), so they run, fail and are reported
like every other expectation, in Data Docs too. They need more than the release: this
module writes beside the staged ``observations``, in the same staging file,

- ``gate_codes`` (code, valid_from, valid_to, source): the code list. Every code of the
  latest loaded code-record release (``raw.admin_code_records``, all levels, a code valid
  during the years ``valid_from_year`` .. ``valid_to_year``), else the codes of
  ``seeds/city_reference.csv`` (valid in every year);
- ``gate_names`` (city_name_raw, city_code, data_year, problem): for every printed name and
  code of the release, why the name is not one the code carried (NULL when it is: a name
  the code carried at any time, its short form, traditional characters, or a steward's
  alias from ``seeds/name_aliases.csv``);
- ``gate_bounds``, ``gate_ratios``: ``seeds/plausibility_bounds.csv``,
  ``seeds/indicator_ratios.csv``;
- ``gate_factors`` (compared_with, max_factor, why): ``seeds/plausibility_factors.csv``
  for the release's revision kind (``routine`` unless the sidecar says ``revision: ...``);
- ``gate_previous``: the figures already in force in the warehouse for the release's
  cities and indicators, in its data years and the years next to them (latest vintage of
  each, loaded releases of the same kind, synthetic or not: samples are never compared
  with official figures).

Thresholds and word lists are read from the seeds, never written here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from citytiers.database import connect, ensure_raw_schema, open_duckdb
from citytiers.discover.metadata import ReleaseMetadata
from citytiers.errors import ReleaseError
from citytiers.gates.queries import PROBLEMS_TABLE, find_problems
from citytiers.parse.normalize.code_resolution import NOTES_COLUMNS, NOTES_TABLE
from citytiers.parse.normalize.codes import optional_suffix_sql
from citytiers.parse.normalize.dictionary import Dictionary, normalize_label, read_csv_rows
from citytiers.parse.normalize.names import LATEST_CODE_RECORD_RELEASE, short_forms
from citytiers.release_order import latest_release_first
from citytiers.settings import Settings

ROUTINE = "routine"
# Every table the gate expectations read; created empty by ``citytiers gx-configure``.
GATE_TABLES = {
    "gate_codes": "code varchar, valid_from integer, valid_to integer, source varchar",
    "gate_names": "city_name_raw varchar, city_code varchar, data_year integer, "
                  "problem varchar",
    "gate_bounds": "indicator_code varchar, min_value double, max_value double, "
                   "compare_over_time boolean, why varchar",
    "gate_ratios": "indicator_code varchar, numerator_code varchar, "
                   "denominator_code varchar, why varchar",
    "gate_factors": "compared_with varchar, max_factor double, why varchar",
    "gate_previous": "city_code varchar, indicator_code varchar, scope varchar, "
                     "basis varchar, data_year integer, value double, release_id varchar, "
                     "file_name varchar, published_on date",
    PROBLEMS_TABLE: "gate varchar, source_sheet varchar, source_row integer, "
                    "source_column varchar, problem varchar",
}
# A figure in a reason: 2.39583e+18, 2.5e+14, 1.2 (six significant digits are enough to
# see which of two numbers is wrong). A macro in the staging file, so the expectations'
# SQL need no format string (GX fills {batch} with str.format).
NUMBER_MACRO = "create or replace macro gate_number(x) as printf('%.6g', x)"


def _seed_rows(settings: Settings, seed: str) -> list[dict[str, str]]:
    return read_csv_rows(settings.seeds / f"{seed}.csv")


def revision_kinds(settings: Settings) -> list[str]:
    return sorted({row["revision"] for row in _seed_rows(settings, "plausibility_factors")})


def revision_of(settings: Settings, meta: ReleaseMetadata | None,
                path: Path | str = "?") -> str:
    """The release's revision kind: its sidecar's ``revision``, else ``routine``; an
    unknown kind is refused (a typo must not silently fall back to the strict bounds, nor
    to loose ones)."""
    declared = getattr(meta, "revision", None) if meta is not None else None
    if declared in (None, ""):
        return ROUTINE
    kinds = revision_kinds(settings)
    if str(declared) not in kinds:
        raise ReleaseError(path,
                           f"sidecar field revision: {declared!r} is not one of {kinds} "
                           "(dbt_project/seeds/plausibility_factors.csv)")
    return str(declared)


def create_empty(connection, catalog: str | None = None) -> None:
    """The gate tables, empty, in the database ``connection`` opened (gx-configure), or in
    its attached ``catalog``."""
    prefix = f"{catalog}." if catalog else ""
    connection.execute(NUMBER_MACRO.replace("macro ", f"macro {prefix}", 1))
    for name, columns in GATE_TABLES.items():
        connection.execute(f"create or replace table {prefix}{name} ({columns})")
    # Written by the parse step (citytiers.parse.normalize.code_resolution); empty where it did
    # not run.
    connection.execute(f"create table if not exists {prefix}{NOTES_TABLE} ({NOTES_COLUMNS})")


def name_problems(dictionary: Dictionary,
                  printed: list[tuple[str, str, int]]) -> dict[str, list]:
    """``gate_names`` as columns: for each (printed name, code, data year), why the name
    is not one the code carried, or None."""
    columns: dict[str, list] = {"city_name_raw": [], "city_code": [], "data_year": [],
                                "problem": []}
    # Whether a (name, code) pair needs a look at its year: the name is not one the code
    # carried. Decided once per pair, not per year: a 10 M-figure release prints 476 000
    # (name, code, year) triples of a few thousand pairs, and resolving every printed name
    # in every year was 7 of the gates' 23 s.
    # Per pair: the names the code carried when the printed one is not among them, else
    # None (nothing to check).
    carried_instead: dict[tuple[str, str], frozenset[str] | None] = {}
    for name, code, year in printed:
        pair = (name, code)
        if pair not in carried_instead:
            key = normalize_label(name or "")
            known = dictionary.names_of(code)
            carried_instead[pair] = known if key and known and key not in known else None
        problem = None
        # A name the code never carried is still right where it resolves to the code in
        # that year (a steward's alias in seeds/name_aliases.csv).
        if ((known := carried_instead[pair]) is not None
                and (resolved := dictionary.city_code_for(name, year)) != code):
            shorts = {short for full in known for short in short_forms(full)}
            carried = ", ".join(sorted(known - shorts))
            problem = (f"name {name!r} is not a name of code {code} ({carried})"
                       + (f"; {name} is {resolved}" if resolved else "")
                       + ". Fix the code or the name; if the publisher's spelling is right, "
                         "add it to dbt_project/seeds/name_aliases.csv")
        for column, value in zip(columns, (name, code, year, problem), strict=True):
            columns[column].append(value)
    return columns


def stage_gate_reference(settings: Settings, dictionary: Dictionary, *,
                         revision: str = ROUTINE, is_synthetic: bool = False,
                         published_on: dt.date | None = None) -> None:
    """Write the gate tables into the staging database beside ``observations`` (the
    staging connection must be closed: the writer's connection attaches the file).
    ``published_on``: the release's date; only vintages published by then are its
    previous ones (a release loaded late is not judged against later revisions)."""
    ensure_raw_schema(settings.build_db)
    staging = settings.staging_db
    with connect(settings.build_db) as con:
        con.execute(f"attach '{staging}' as stg")
        try:
            create_empty(con, "stg")
            _stage_codes(con)
            printed = con.execute("""select distinct city_name_raw, city_code, data_year
                                     from stg.observations""").fetchall()
            names = pa.table(name_problems(dictionary, printed),
                             schema=pa.schema([("city_name_raw", pa.string()),
                                               ("city_code", pa.string()),
                                               ("data_year", pa.int32()),
                                               ("problem", pa.string())]))
            con.register("gate_names_frame", names)
            con.execute("insert into stg.gate_names select * from gate_names_frame")
            con.unregister("gate_names_frame")
            _stage_seeds(con, settings, revision)
            _stage_previous(con, is_synthetic, published_on)
        finally:
            con.execute("detach stg")
    with open_duckdb(staging) as con:
        find_problems(con)


# A unit's name without the ending that changes when a 地区 or 盟 becomes a 市
# (codes.OPTIONAL_SUFFIXES), in SQL.
_SHORT_NAME = optional_suffix_sql("{name}")


def _stage_codes(con) -> None:
    has_records = con.execute(
        "select count(*) from raw.admin_code_records a join raw.release_states r "
        "using (release_id) where r.in_force").fetchone()[0]
    if has_records:
        # A code is valid in the years of its record, and so is the code that replaced
        # another in the years of the one it replaced: its successor (新代码), or the new
        # code of the same unit under the same short name in the same province, from the
        # year the old one ended (撤地设市: 542300 日喀则地区 -> 540200 日喀则市, 2014). A
        # series reprinted on today's codes (the census panel prints 2010 figures under
        # 540200) is the same territory, not an unknown code.
        con.execute(f"""insert into stg.gate_codes
            with records as (
                select * from raw.admin_code_records
                where release_id in ({LATEST_CODE_RECORD_RELEASE}))
            select code, valid_from_year, valid_to_year,
                   'the loaded code records, release ' || left(release_id, 12)
            from records
            union all
            -- back to the old code's first year, never past the successor's own last one
            select s.code, o.valid_from_year, s.valid_to_year,
                   'the loaded code records, release ' || left(o.release_id, 12)
            from (select *, regexp_replace(unnest(string_split(successor_codes, ';')),
                                           '\\[\\d{{4}}\\]', '') as successor
                  from records where successor_codes is not null) o
            join records s on s.code = o.successor
            union all
            select new.code, old.valid_from_year, new.valid_to_year,
                   'the loaded code records, release ' || left(new.release_id, 12)
            from records new join records old
              on old.valid_to_year = new.valid_from_year and old.code <> new.code
             and left(old.code, 2) = left(new.code, 2)
             and {_SHORT_NAME.format(name="old.name")} = {_SHORT_NAME.format(name="new.name")}
            """)


def _stage_seeds(con, settings: Settings, revision: str) -> None:
    seeds = settings.seeds
    if not con.execute("select count(*) from stg.gate_codes").fetchone()[0]:
        con.execute(f"""insert into stg.gate_codes
            select city_code, null, null, 'seeds/city_reference.csv'
            from read_csv('{seeds / "city_reference.csv"}', all_varchar = true)""")
    con.execute(f"""insert into stg.gate_bounds
        select indicator_code, min_value::double, max_value::double,
               compare_over_time::boolean, why
        from read_csv('{seeds / "plausibility_bounds.csv"}', all_varchar = true)""")
    con.execute(f"""insert into stg.gate_ratios
        select indicator_code, numerator_code, denominator_code, why
        from read_csv('{seeds / "indicator_ratios.csv"}', all_varchar = true)""")
    con.execute(f"""insert into stg.gate_factors
        select compared_with, max_factor::double, why
        from read_csv('{seeds / "plausibility_factors.csv"}', all_varchar = true)
        where revision = ?""", [revision])


def _stage_previous(con, is_synthetic: bool, published_on: dt.date | None) -> None:
    """The latest vintage, published by ``published_on``, of every figure the release could
    be compared with."""
    con.execute("""insert into stg.gate_previous
        with wanted as (
            select distinct k.city_code, k.indicator_code, k.scope, k.basis,
                   k.data_year + shift as data_year
            from stg.observations k
            join stg.gate_bounds b on b.indicator_code = k.indicator_code
                                  and b.compare_over_time
            cross join (values (-1), (0), (1)) as shifts(shift))
        select o.city_code, o.indicator_code, o.scope, o.basis, o.data_year, o.value,
               o.release_id, r.file_name, r.published_on
        from raw.observations o
        join wanted w using (city_code, indicator_code, scope, basis, data_year)
        join raw.release_states r on r.release_id = o.release_id
        where r.in_force and r.is_synthetic = ?
          and (?::date is null or r.published_on <= ?::date)
        qualify row_number() over (
            partition by o.city_code, o.indicator_code, o.scope, o.basis, o.data_year
            order by """ + latest_release_first("r.") + ") = 1",
                [is_synthetic, published_on, published_on])


