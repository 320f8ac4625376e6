"""Tidy CSV releases: one observation per row (communiqués, hand-made extracts).

The file goes straight into DuckDB (``read_csv``, every column as text so that each cell
can be checked); labels are resolved by joining the distinct printed indicators, scopes,
units and names against the dictionary; figures go through the shared value path
(:func:`citytiers.parse.layouts.cells.build_observations`). Lineage: ``source_row`` is the CSV
record number (the header is row 1), ``source_column`` the letter of the ``value`` column.
"""

from __future__ import annotations

import codecs
import csv
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

from citytiers.discover.metadata import ReleaseMetadata
from citytiers.errors import ReleaseError
from citytiers.parse.buffer import Staging
from citytiers.parse.layouts.base import BaseAdapter, Staged, column_letter
from citytiers.parse.layouts.cells import (
    Problem,
    build_observations,
    define_macros,
    lookup_distinct,
    unit_problems,
)
from citytiers.parse.normalize.dictionary import majority_province, normalize_code
from citytiers.parse.read.grids import (
    DECODE_CHUNK_BYTES,
    bom_encoding,
    decode_check,
    read_head_text,
    sniff_delimiter,
)

TIDY_COLUMNS = ("city_code", "city_name", "data_year", "indicator", "scope", "value", "unit")
DEFAULT_SCOPE_LABEL = "全市"
# The release's resolved cities counted by province (first two code digits), for the name
# suggestions: an uncorrelated subquery, run once and only when a name does not resolve.
CITIES_BY_PROVINCE = """(select list({'province': province, 'cities': cities}) from (
    select left(city_code, 2) as province, count(distinct city_code) as cities
    from cell_values where city_code is not null group by 1))"""


def _header(path: Path) -> list[str]:
    head = read_head_text(path)
    first_line = head.splitlines()[:1]
    return [h.strip().lstrip("\ufeff")
            for h in next(csv.reader(first_line, delimiter=sniff_delimiter(head)), [])]


def is_tidy_csv(path: Path) -> bool:
    """True when the first line is exactly the tidy header (in any column order)."""
    if path.suffix.lower() != ".csv":
        return False
    return sorted(_header(path)) == sorted(TIDY_COLUMNS)


def utf8_copy(path: Path, encoding: str, folder: Path) -> Path:
    """``path`` re-encoded as UTF-8 in ``folder``, in chunks (DuckDB reads UTF-8 only)."""
    target = Path(tempfile.mkstemp(suffix=".csv", dir=folder)[1])
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(DECODE_CHUNK_BYTES):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))
    return target


def read_rows(con: duckdb.DuckDBPyConnection, path: Path, names: list[str],
              delimiter: str = ",") -> None:
    """Temp table ``tidy_nonempty``: the CSV's rows as stripped text with their record
    number (``source_row``, the header is row 1), rows of blanks left out: one pass.
    ``row_number() over ()`` is DuckDB's streaming window, which keeps file order. The
    parallel reader first; a file with short rows or quoted line breaks needs the
    tolerant single-threaded one. Raises duckdb.Error when neither reads it."""
    define_macros(con)
    options = ("header = true, all_varchar = true, delim = $delim, quote = '\"', "
               "escape = '\"', names = $names")
    stripped = ", ".join(f"coalesce(ct_strip({c}), '') as {c}" for c in TIDY_COLUMNS)
    nonempty = " or ".join(f"{c} <> ''" for c in TIDY_COLUMNS)
    sql = (f"create or replace temp table tidy_nonempty as select * from ("
           f"select row_number() over () + 1 as source_row, {stripped} "
           f"from read_csv($path, {options}{{tolerant}})) where {nonempty}")
    try:
        con.execute(sql.format(tolerant=""),
                    {"path": str(path), "names": names, "delim": delimiter})
    except duckdb.Error as exc:
        if "unicode" in str(exc).lower():
            raise
        con.execute(sql.format(tolerant=", null_padding = true, parallel = false"),
                    {"path": str(path), "names": names, "delim": delimiter})


def stage_rows(con: duckdb.DuckDBPyConnection, path: Path, names: list[str],
               scratch: Path) -> None:
    """Read ``path`` into ``tidy_nonempty``, comma-, tab- or semicolon-separated (sniffed),
    with CR, LF or CRLF line endings (DuckDB detects them). DuckDB reads UTF-8 only and
    checks it itself; a file with a UTF-16 byte-order mark, or one it refuses as UTF-8, is
    re-encoded from the encoding that decodes it (GB18030) into ``scratch`` first, in
    chunks."""
    delimiter = sniff_delimiter(read_head_text(path))
    if bom_encoding(path) in (None, "utf-8-sig"):
        try:
            read_rows(con, path, names, delimiter)
            return
        except duckdb.Error as exc:
            if "unicode" not in str(exc).lower():
                raise ReleaseError(path, "cannot read the CSV: "
                                         f"{str(exc).splitlines()[0]}") from exc
    copy = utf8_copy(path, decode_check(path), scratch)
    try:
        read_rows(con, copy, names, delimiter)
    except duckdb.Error as exc:
        raise ReleaseError(path, f"cannot read the CSV: {str(exc).splitlines()[0]}") from exc
    finally:
        copy.unlink(missing_ok=True)


class Adapter(BaseAdapter):
    """``city_code,city_name,data_year,indicator,scope,value,unit``; unit per row."""

    format_name = "tidy_csv"

    def stage(self, path: Path, metadata: ReleaseMetadata, staging: Staging) -> Staged:
        header = _header(path)
        missing = [c for c in TIDY_COLUMNS if c not in header]
        if missing:
            raise ReleaseError(path, f"tidy CSV lacks column(s) {', '.join(missing)}; "
                                     f"expected header {','.join(TIDY_COLUMNS)}", row=1)
        con = staging.con
        scratch = staging.path.parent if staging.path else Path(tempfile.gettempdir())
        stage_rows(con, path, [name or f"unnamed_{i}" for i, name in enumerate(header)],
                   scratch)
        letters = {name: column_letter(header.index(name)) for name in TIDY_COLUMNS}
        self._resolve(con, metadata)
        con.execute(f"""create or replace temp view cells as
            select 0 as sheet_index, {header.index("value")} as column_index, city_code,
                   city_name as city_name_raw, scope, indicator_code, data_year,
                   unit as unit_raw, value as value_raw, NULL::varchar as source_sheet,
                   source_row, '{letters["value"]}' as source_column, 'value' as raw_header,
                   NULL::varchar as basis, '{letters["unit"]}' as unit_column, code_raw,
                   indicator_raw, scope_raw, year_raw, year_in_release
            from tidy_resolved""")
        count = build_observations(staging, path, self.dictionary,
                                   checks=self._checks(letters, metadata),
                                   units_from="(select unit as unit_raw from tidy_nonempty)")
        con.execute("drop table tidy_nonempty")
        if count == 0:
            raise ReleaseError(path, "no observations: every value is blank or a placeholder")
        return Staged()

    def _resolve(self, con: duckdb.DuckDBPyConnection, metadata: ReleaseMetadata) -> None:
        """View ``tidy_resolved``: every non-empty row, stripped, with its code, indicator,
        scope and year resolved (NULL where they do not resolve). Labels are resolved once
        per distinct printed text; nothing is materialized until the value pass."""
        dictionary = self.dictionary
        lookup_distinct(con, "tidy_codes", "tidy_nonempty", "city_code",
                        lambda raw: (normalize_code(raw),), {"code": pa.string()})
        con.execute("""create or replace temp view tidy_unresolved_names as
            select distinct city_name || chr(31) || data_year as name_year from tidy_nonempty
            join tidy_codes on tidy_codes.key = tidy_nonempty.city_code
            where tidy_codes.code is null""")

        def by_name(name_year: str) -> tuple[str | None]:
            name, _, year = name_year.partition(chr(31))
            return (dictionary.city_code_for(name, int(year) if year.isdigit() else None),)

        lookup_distinct(con, "tidy_names", "tidy_unresolved_names", "name_year", by_name,
                        {"code": pa.string()})

        def indicator(label: str) -> tuple[str | None]:
            found = dictionary.indicator_for(label)
            return (found.code if found else None,)

        lookup_distinct(con, "tidy_indicators", "tidy_nonempty", "indicator", indicator,
                        {"code": pa.string()})
        lookup_distinct(con, "tidy_scopes", "tidy_nonempty", "scope",
                        lambda label: (dictionary.scope_for(label or DEFAULT_SCOPE_LABEL),),
                        {"code": pa.string()})
        years = ", ".join(str(y) for y in metadata.data_years)
        con.execute(f"""create or replace temp view tidy_resolved as
            select t.source_row, coalesce(c.code, n.code) as city_code, t.city_name,
                   try_cast(t.data_year as integer) as data_year, i.code as indicator_code,
                   s.code as scope, t.value, t.unit, t.city_code as code_raw,
                   t.indicator as indicator_raw, t.scope as scope_raw,
                   t.data_year as year_raw,
                   coalesce(try_cast(t.data_year as integer) in ({years}), false)
                       as year_in_release
            from tidy_nonempty t
            join tidy_codes c on c.key = t.city_code
            left join tidy_names n on n.key = t.city_name || chr(31) || t.data_year
            join tidy_indicators i on i.key = t.indicator
            join tidy_scopes s on s.key = t.scope""")

    def _checks(self, letters: dict[str, str], metadata: ReleaseMetadata) -> list[Problem]:
        """Each row's code, indicator, scope, unit and data year, in that order (on the
        materialized cells, ``cell_values``)."""

        def where(column: str, condition: str, arg: str) -> str:
            return (f"select 0 as sheet_index, NULL::varchar as source_sheet, source_row, "
                    f"0 as column_index, '{letters[column]}' as source_column, {arg} as arg "
                    f"from cell_values where {condition}")

        years = metadata.data_years
        return [
            Problem(where("city_code", "city_code is null",
                          "{'code': code_raw, 'name': city_name_raw, 'year': year_raw, "
                          f"'provinces': {CITIES_BY_PROVINCE}}}"),
                    self._unresolved_city),
            Problem(where("indicator", "indicator_code is null", "indicator_raw"),
                    lambda a: f"unknown indicator {a!r}: add it to "
                              "dbt_project/seeds/indicator_synonyms.csv"),
            Problem(where("scope", "scope is null", "scope_raw"),
                    lambda a: f"unknown scope {a!r} (expected 全市, 市辖区 or 城区)"),
            *unit_problems(),
            Problem(where("data_year", "data_year is null", "year_raw"),
                    lambda a: f"data year {a!r} is not a whole number"),
            Problem(where("data_year", "data_year is not null and not year_in_release",
                          "data_year"),
                    lambda a: f"data year {a} is not among the release's data_years "
                              f"{years} (fix the sidecar or the row)"),
        ]

    def _unresolved_city(self, arg: dict) -> str:
        """A row whose code and name both fail, with the nearest known names (those of the
        release's own province, where its other rows say it has one, first among equals)."""
        year = arg["year"]
        province = majority_province({p["province"]: p["cities"]
                                      for p in arg["provinces"] or []})
        return (f"city code {arg['code']!r} is not 6 digits and name {arg['name']!r} is not "
                "a known city" + self.dictionary.unresolved_hint(
                    arg["name"], int(year) if year.isdigit() else None, province))
