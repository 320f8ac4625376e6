"""The value loop, written once: long cells -> observations, in bulk SQL.

Every data adapter ends in the same relation of *cells*, one row per printed figure with
its lineage (view ``cells``, columns :data:`CELL_COLUMNS`). :func:`build_observations`
turns it into the staged ``observations`` table: placeholders dropped, numbers parsed
(full-width digits, thousands separators), units joined from the dictionary and applied in
exact DECIMAL arithmetic (282.22 万人 is 2,822,200 persons, not 2822200.0000000005), and
every cell that is not a number reported with its sheet, row and column. Python only sees
the *distinct* printed labels (units, names), never a cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from citytiers.errors import ReleaseError, ReleaseProblems
from citytiers.parse.buffer import Staging
from citytiers.parse.normalize.dictionary import Dictionary

# What publishers print for "no value": blank, dashes, ellipses, slash.
PLACEHOLDERS = frozenset({"", "—", "——", "–", "-", "－", "…", "……", "...", "/", "／"})
# A printed figure: sign, digits, decimals, exponent (after folding). float() alone would
# also take "nan", "inf" and "1_000", which no publisher means as a number.
PRINTED_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
# NFKC of the full-width forms block (U+FF01-U+FF5E -> U+0021-U+007E): full-width digits,
# signs, decimal point and comma as printed by Chinese typesetting; and of the ellipsis
# (U+2026 -> "..."), so that folded text is what NFKC gives
# (tests/unit/parse/test_layouts_cells.py).
FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F))
# Exact arithmetic: a printed figure as DECIMAL(38,10) times a factor as DECIMAL(18,6) is a
# DECIMAL(38,16), exact below 10^22. A figure of 10^13 or more (in its printed unit) takes
# the double path instead of overflowing; no city statistic is that large (the plausibility
# gates refuse it). A factor of 1 needs no arithmetic: the text's nearest double is exact
# decimal rounding already.
VALUE_DECIMAL = "decimal(38,10)"
FACTOR_DECIMAL = "decimal(18,6)"
EXACT_BELOW = 1e13
PROBLEMS_SHOWN = 20
# What str.strip() removes that publishers print: ASCII white space, the ideographic
# (full-width) space, no-break space, a stray byte-order mark.
WHITE_SPACE = " \t\n\r\x0b\x0c\u3000\u00a0\ufeff"

CELL_COLUMNS = (
    "sheet_index", "column_index", "city_code", "city_name_raw", "scope", "indicator_code",
    "data_year", "unit_raw", "value_raw", "source_sheet", "source_row", "source_column",
    "raw_header", "basis",
)
OBSERVATION_COLUMNS = (
    "city_code", "city_name_raw", "scope", "indicator_code", "data_year", "value",
    "base_unit", "value_raw", "unit_raw", "source_sheet", "source_row", "source_column",
    "raw_header", "basis",
)


def sql_list(values: Iterable[str]) -> str:
    """``('a', 'b')`` for an ``in`` clause (values quoted for SQL)."""
    quoted = ["'" + value.replace("'", "''") + "'" for value in sorted(values)]
    return "(" + ", ".join(quoted or ["NULL"]) + ")"


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    """``ct_strip`` (Unicode white space at both ends, as str.strip) and ``ct_fold`` (the
    text a number is read from). Both take a fast path for the usual cell, plain ASCII
    without surrounding space: ``translate`` over the full-width block costs ~5 s per
    million cells, the test that skips it ~0.01 s."""
    spaces = ", ".join(f"'{c}'" for c in WHITE_SPACE)
    con.execute(f"""create or replace temp macro ct_strip(s) as
        case when s[1] not in ({spaces}) and s[-1] not in ({spaces}) then s
             else trim(s, '{WHITE_SPACE}') end""")
    con.execute(f"""create or replace temp macro ct_fold(s) as
        replace(case when strlen(s) = length(s) then ct_strip(s)
                     else replace(translate(ct_strip(s), '{FULL_WIDTH.replace("'", "''")}',
                                            '{HALF_WIDTH.replace("'", "''")}'),
                                  '…', '...') end, ',', '')""")


def register_table(con: duckdb.DuckDBPyConnection, name: str,
                   columns: dict[str, list[Any]], types: dict[str, pa.DataType]) -> None:
    """A small lookup table (distinct labels -> codes) as a view of an Arrow table."""
    table = pa.table({key: pa.array(values, types[key]) for key, values in columns.items()})
    con.register(name, table)


def lookup_distinct(con: duckdb.DuckDBPyConnection, name: str, source: str, column: str,
                    resolve: Callable[[str], tuple[Any, ...]],
                    results: dict[str, pa.DataType]) -> None:
    """Register table ``name``: each distinct ``column`` of ``source`` (a relation) and what
    ``resolve`` makes of it (a tuple, one value per ``results`` column)."""
    keys = [row[0] for row in con.execute(
        f"select distinct {column} from {source} where {column} is not null").fetchall()]
    resolved = [resolve(key) for key in keys]
    columns: dict[str, list[Any]] = {"key": keys}
    for position, result in enumerate(results):
        columns[result] = [values[position] for values in resolved]
    register_table(con, name, columns, {"key": pa.string(), **results})


@dataclass(frozen=True)
class Problem:
    """One check over the cells: rows of ``sql`` (selecting sheet_index, source_sheet,
    source_row, column_index, source_column and ``arg``) are problems, worded by
    ``message(arg)``."""

    sql: str
    message: Callable[[Any], str]


def raise_problems(con: duckdb.DuckDBPyConnection, path: Path, problems: list[Problem],
                   extra: list[ReleaseError] | None = None) -> None:
    """Raise :class:`ReleaseProblems` when any check finds rows: the first
    :data:`PROBLEMS_SHOWN` in file order (sheet, row, check, column), and the total."""
    found: list[tuple[Any, ...]] = []
    total = 0
    for order, problem in enumerate(problems):
        total += int(con.execute(f"select count(*) from ({problem.sql})").fetchall()[0][0])
        found += [(*row, order) for row in con.execute(
            f"""select sheet_index, source_row, column_index, source_sheet, source_column, arg
                from ({problem.sql}) order by sheet_index, source_row, column_index
                limit {PROBLEMS_SHOWN}""").fetchall()]
    errors = extra or []
    if not total and not errors:
        return
    found.sort(key=lambda r: (r[0], r[1] if r[1] is not None else 0, r[6], r[2] or 0))
    shown = [ReleaseError(path, problems[r[6]].message(r[5]), sheet=r[3], row=r[1],
                          column=r[4]) for r in found[:PROBLEMS_SHOWN]]
    raise ReleaseProblems(path, [*shown, *errors], total=total + len(errors))


def register_units(con: duckdb.DuckDBPyConnection, dictionary: Dictionary,
                   source: str = "cells") -> None:
    """Table ``cell_units``: every printed unit of ``source`` -> base unit and factor (exact
    text of the seed's factor), NULL when the dictionary does not know it."""

    def resolve(printed: str) -> tuple[Any, ...]:
        unit = dictionary.unit_for(printed)
        return (unit.base_unit, unit.factor_text) if unit else (None, None)

    lookup_distinct(con, "cell_units", source, "unit_raw", resolve,
                    {"base_unit": pa.string(), "factor": pa.string()})


def unit_problems() -> list[Problem]:
    """Checks of a per-row unit (tidy CSV, a 计量单位 column; the cells carry the unit's
    column letter as ``unit_column``): known, and of the indicator's kind (亿元 for GDP,
    not 万人). They read ``cell_values``, as every check passed to build_observations."""
    return [
        Problem("""select sheet_index, source_sheet, source_row, column_index,
                          unit_column as source_column, unit_raw as arg
                   from cell_values where base_unit is null""",
                lambda unit: f"unknown unit {unit!r}: add it to "
                             "dbt_project/seeds/unit_factors.csv"),
        Problem("""select sheet_index, source_sheet, source_row, column_index,
                          unit_column as source_column,
                          [unit_raw, v.base_unit, v.indicator_code, i.base_unit] as arg
                   from cell_values v
                   join indicator_units i on i.indicator_code = v.indicator_code
                   where v.base_unit <> i.base_unit""",
                lambda a: f"unit {a[0]!r} measures {a[1]}, but {a[2]} is in {a[3]}"),
    ]


def register_indicator_units(con: duckdb.DuckDBPyConnection, dictionary: Dictionary) -> None:
    codes = sorted(dictionary.indicators)
    register_table(con, "indicator_units",
                   {"indicator_code": codes,
                    "base_unit": [dictionary.indicators[c].base_unit for c in codes]},
                   {"indicator_code": pa.string(), "base_unit": pa.string()})


def build_observations(staging: Staging, path: Path, dictionary: Dictionary, *,
                       missing_values: Iterable[str] = (),
                       checks: list[Problem] | None = None,
                       units_from: str = "cells") -> int:
    """View ``cells`` (see :data:`CELL_COLUMNS`) -> staged table ``observations``; raise
    :class:`ReleaseProblems` naming every cell that is not a figure (and whatever the
    adapter's own ``checks`` find, in the same pass). ``units_from``: a relation with the
    printed units (``unit_raw``), cheaper to scan than the cells. Returns the observation
    count."""
    con = staging.con
    define_macros(con)
    register_units(con, dictionary, units_from)
    register_indicator_units(con, dictionary)
    codes = sorted(staging.basis_defaults)
    register_table(con, "basis_defaults",
                   {"indicator_code": codes, "basis": [staging.basis_defaults[c] for c in codes]},
                   {"indicator_code": pa.string(), "basis": pa.string()})
    blanks = sql_list(PLACEHOLDERS | set(missing_values))
    # Materialized once: every check and the final select read it (a view would re-run
    # the folding and the number test for each of them).
    con.execute(f"""create or replace temp table cell_values as
        select *, case when stripped in {blanks} or folded in {blanks} then 'blank'
                       when regexp_full_match(folded, '{PRINTED_NUMBER}') then 'number'
                       else 'invalid' end as value_kind
        from (select cells.*, u.base_unit, u.factor, ct_strip(value_raw) as stripped,
                     ct_fold(value_raw) as folded
              from cells left join cell_units u on u.key = cells.unit_raw)""")
    not_a_number = Problem(
        """select sheet_index, source_sheet, source_row, column_index, source_column,
                  value_raw as arg from cell_values where value_kind = 'invalid'""",
        lambda text: f"value {text!r} is not a number")
    raise_problems(con, path, [*(checks or []), not_a_number])
    # File order is numbered on the narrow keys alone, then joined back: a window ordered
    # over the whole cell (14 columns) sorts every byte of a release and spills under the
    # memory limit (36 s instead of 6 s for 10 M observations).
    con.execute("""create or replace temp table cell_order as
        select rowid as cell_rowid,
               row_number() over (order by sheet_index, source_row, column_index)::integer
                   as observation_seq
        from cell_values where value_kind = 'number'""")
    staged = con.sql(f"""
        select o.observation_seq, city_code, city_name_raw, scope, indicator_code,
               data_year::integer as data_year,
               case when factor = '1' then cast(folded as double)
                    when abs(cast(folded as double)) < {EXACT_BELOW}
                    then cast((case when regexp_matches(folded, '[eE]')
                                    then cast(cast(folded as double) as {VALUE_DECIMAL})
                                    else cast(folded as {VALUE_DECIMAL}) end)
                              * cast(factor as {FACTOR_DECIMAL}) as double)
                    else cast(folded as double) * cast(factor as double) end as value,
               base_unit, value_raw, unit_raw, source_sheet, source_row::integer as source_row,
               source_column, raw_header, coalesce(v.basis, d.basis) as basis
        from cell_values v join cell_order o on o.cell_rowid = v.rowid
        left join basis_defaults d using (indicator_code)""")
    count = staging.put("observations", staged)
    con.execute("drop table cell_order")
    return count


def empty_observations(staging: Staging) -> int:
    """The empty ``observations`` table of a reference release."""
    staging.con.execute(f"""create or replace table observations as
        select * from (values (0::integer, {", ".join(
            "NULL::double" if c == "value" else "NULL::integer" if c in (
                "data_year", "source_row") else "NULL::varchar" for c in OBSERVATION_COLUMNS)}))
            t(observation_seq, {", ".join(OBSERVATION_COLUMNS)}) where false""")
    if "observations" not in staging.tables:
        staging.tables.append("observations")
    return 0


@dataclass(frozen=True)
class ValueColumn:
    """A column of figures in a wide table: what its header (or the sidecar) says.
    ``unit_raw`` None: each row says its unit (a 计量单位 column); ``data_year`` None: the
    row's (or the release's) year."""

    index: int
    indicator_code: str
    scope: str
    unit_raw: str | None
    raw_header: str
    basis: str | None = None
    data_year: int | None = None


@dataclass(frozen=True)
class RowKeys:
    """The rows of one table block that hold a city, and what each row says of itself."""

    row_index: list[int]          # 0-based (spreadsheet row - 1)
    city_code: list[str]
    city_name_raw: list[str]
    data_year: list[int | None] | None = None
    unit_raw: list[str | None] | None = None   # a per-row unit column
    unit_column: str | None = None             # its letter, for messages


@dataclass(frozen=True)
class Block:
    """One table block of a wide grid (``table``: columns c0..cN, one row per spreadsheet
    row): its value columns and its city rows. ``part`` orders blocks in the release."""

    part: int
    table: pa.Table
    sheet: str | None
    columns: list[ValueColumn]
    rows: RowKeys


def stage_cells(con: duckdb.DuckDBPyConnection, blocks: list[Block]) -> None:
    """Unpivot every block into the long ``cells`` table in one pass: the figures are taken
    column by column in Arrow (``take`` of the city rows), labelled by small tables of
    rows and columns joined in DuckDB."""
    from openpyxl.utils import get_column_letter

    define_macros(con)
    texts: dict[str, list[pa.Array]] = {"part": [], "row_index": [], "column_index": [],
                                        "value_raw": []}
    rows: dict[str, list[Any]] = {key: [] for key in (
        "part", "row_index", "city_code", "city_name_raw", "data_year", "unit_raw")}
    columns: dict[str, list[Any]] = {key: [] for key in (
        "part", "column_index", "source_column", "indicator_code", "scope", "unit_raw",
        "raw_header", "basis", "data_year", "sheet", "unit_column")}
    for block in blocks:
        keys, count = block.rows, len(block.rows.row_index)
        taken = pa.array(keys.row_index, pa.int64())
        for column in block.columns:
            texts["value_raw"].append(block.table.column(column.index).take(taken)
                                      .combine_chunks())
            texts["part"].append(pa.array([block.part] * count, pa.int64()))
            texts["row_index"].append(taken)
            texts["column_index"].append(pa.array([column.index] * count, pa.int64()))
            for key, value in (("part", block.part), ("column_index", column.index),
                               ("source_column", get_column_letter(column.index + 1)),
                               ("indicator_code", column.indicator_code),
                               ("scope", column.scope), ("unit_raw", column.unit_raw),
                               ("raw_header", column.raw_header), ("basis", column.basis),
                               ("data_year", column.data_year), ("sheet", block.sheet),
                               ("unit_column", keys.unit_column)):
                columns[key].append(value)
        rows["part"] += [block.part] * count
        rows["row_index"] += keys.row_index
        rows["city_code"] += keys.city_code
        rows["city_name_raw"] += keys.city_name_raw
        rows["data_year"] += keys.data_year or [None] * count
        rows["unit_raw"] += keys.unit_raw or [None] * count
    integer, text = pa.int64(), pa.string()
    con.register("cell_texts", pa.table({
        key: pa.concat_arrays(arrays) if arrays else pa.array([], text if key == "value_raw"
                                                              else integer)
        for key, arrays in texts.items()}))
    register_table(con, "cell_rows", rows, {
        "part": integer, "row_index": integer, "city_code": text, "city_name_raw": text,
        "data_year": integer, "unit_raw": text})
    register_table(con, "cell_columns", columns, {
        "part": integer, "column_index": integer, "source_column": text,
        "indicator_code": text, "scope": text, "unit_raw": text, "raw_header": text,
        "basis": text, "data_year": integer, "sheet": text, "unit_column": text})
    con.execute("""create or replace temp table cells as
        select t.part as sheet_index, t.column_index, r.city_code, r.city_name_raw,
               col.scope, col.indicator_code, coalesce(col.data_year, r.data_year) as data_year,
               coalesce(col.unit_raw, r.unit_raw) as unit_raw, ct_strip(t.value_raw) as value_raw,
               col.sheet as source_sheet, t.row_index + 1 as source_row, col.source_column,
               col.raw_header, col.basis, col.unit_column
        from cell_texts t
        join cell_rows r on r.part = t.part and r.row_index = t.row_index
        join cell_columns col on col.part = t.part and col.column_index = t.column_index""")
    for name in ("cell_texts", "cell_rows", "cell_columns"):
        con.unregister(name)
