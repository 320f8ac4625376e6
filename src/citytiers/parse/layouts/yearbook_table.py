"""Yearbook tables (中国城市统计年鉴, provincial yearbooks), as CSV or XLSX.

The layouts publishers print, each a named case under ``tests/cases/layouts/``:

- title rows, then a header of 1 to 4 rows: group label / indicator with its unit in
  brackets (or the unit alone on the next row, ``(万元)``) / scope 全市 市辖区 城区, the
  scope above or below the indicator; merged cells read as blanks and are filled from the
  left;
- bilingual headers and names (``城　市 City``, ``地区生产总值(万元) Gross Regional
  Product (10 000 yuan)``, ``南京 Nanjing``): the English translation after the Chinese is
  dropped, full-width spaces inside labels are ignored;
- a name column (城市 / 地区) with or without a code column (代码), and optionally a unit
  column (计量单位) giving each row's unit; without a code column, a name cell may carry
  the code itself (``南京 320100``, ``南京市（320100）``, ``320100南京市``);
- data rows, subtotal rows (全国, 合计), province section rows (``江苏省``, with or without
  provincial totals), footnote rows (注：..., 资料来源...), title rows between blocks;
- a table continued over several blocks of one sheet or several sheets (续表), with the
  header repeated or not: a sheet without a header continues the previous sheet's table
  (same columns); one that cannot be read that way is an error, never a silent skip;
- two tables side by side on one sheet (each with its own name column).

Layout detection reads only the header rows and the key columns; the figures themselves go
through the shared bulk path (:mod:`citytiers.parse.layouts.cells`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from citytiers.discover.metadata import ReleaseMetadata
from citytiers.errors import ReleaseError, ReleaseProblems
from citytiers.parse.buffer import Staging
from citytiers.parse.layouts.base import BaseAdapter, Grid, Staged, column_letter, read_grids
from citytiers.parse.layouts.cells import (
    PLACEHOLDERS,
    Block,
    Problem,
    RowKeys,
    ValueColumn,
    build_observations,
    stage_cells,
    unit_problems,
)
from citytiers.parse.normalize.codes import PRINTED_CODE_PATTERN
from citytiers.parse.normalize.dictionary import (
    Dictionary,
    Indicator,
    majority_province,
    normalize_code,
    normalize_label,
    split_unit,
)

NAME_HEADERS = frozenset({"城市", "地区", "城市名称", "地区名称", "市", "城市名"})
CODE_HEADERS = frozenset({"代码", "行政区划代码", "区划代码", "地区代码", "城市代码"})
UNIT_HEADERS = frozenset({"计量单位", "单位"})
KEY_LABELS = (NAME_HEADERS, CODE_HEADERS, UNIT_HEADERS)
SUBTOTAL_NAMES = frozenset({"全国", "全省", "全区", "合计", "总计", "全国合计", "全省合计",
                            "地级以上城市", "全国地级以上城市"})
FOOTNOTE_PREFIXES = ("注", "资料来源", "数据来源", "说明", "备注", "*", "Note", "Source")
# Where the header names no scope: 城区人口 is urban-area by definition, the rest whole-city.
DEFAULT_SCOPE_BY_INDICATOR = {"population_urban_area": "urban_area"}
DEFAULT_SCOPE = "whole_city"
MAX_HEADER_ROWS = 4
# A label's English translation after the Chinese (``南京 Nanjing``, ``全市 Total City``):
# white space, then Latin text with no Chinese character in it, to the end.
ENGLISH_TAIL = re.compile(r"^(?P<zh>.*[\u3400-\u9fff\uf900-\ufaff)）\]】])"
                          r"\s+[A-Za-z][^\u3400-\u9fff\uf900-\ufaff]*$", re.DOTALL)
HAN = "[\u3400-\u9fff\uf900-\ufaff]"
UNIT_ALONE = re.compile(r"^\((?P<unit>[^()]+)\)$")
# A name cell that carries its city's code, in a table without a code column: 南京 320100,
# 南京市(320100), 南京市（320100）, 320100南京市 (digits half- or full-width). The code is
# then the row's printed code, as a code column's would be, and the rest its printed name.
NAME_PART = rf"[^\d()（）]*?{HAN}[^\d()（）]*?"
NAME_THEN_CODE = re.compile(rf"^(?P<name>{NAME_PART})\s*"
                            rf"(?:[(（](?P<bracketed>{PRINTED_CODE_PATTERN})[)）]"
                            rf"|(?P<code>{PRINTED_CODE_PATTERN}))$")
CODE_THEN_NAME = re.compile(rf"^(?P<code>{PRINTED_CODE_PATTERN})\s*(?P<name>{NAME_PART})$")
NOTES_SHOWN = 8


def chinese_part(text: str) -> str:
    """``南京 Nanjing`` -> ``南京``; a label without an English tail is returned as is."""
    match = ENGLISH_TAIL.match(text.strip())
    return match.group("zh") if match else text


@lru_cache(maxsize=1 << 16)
def header_label(text: str) -> str:
    """How a header or name cell is matched: the Chinese part, folded (normalize_label)."""
    return normalize_label(chinese_part(text))


@lru_cache(maxsize=1 << 16)
def split_label_code(label: str) -> tuple[str, str | None]:
    """``南京市（320100）`` -> (``南京市``, ``320100``); a label without a code -> (label, None)."""
    text = label.strip()
    match = NAME_THEN_CODE.match(text) or CODE_THEN_NAME.match(text)
    if match is None:
        return label, None
    return match.group("name").strip(), normalize_code(match.group("code")
                                                       or match.group("bracketed"))


def _is_footnote(text: str) -> bool:
    return text.startswith(FOOTNOTE_PREFIXES)


@dataclass(frozen=True)
class TableLayout:
    """One table block: where its header, key columns and figures are."""

    title: str
    header_rows: range
    name_col: int
    code_col: int | None
    unit_col: int | None
    value_columns: list[ValueColumn]
    columns: range  # the block's column span (two tables can stand side by side)


@dataclass
class SheetPlan:
    """The blocks of one sheet and the rows each reads (``body[k]`` for ``blocks[k]``)."""

    blocks: list[TableLayout] = field(default_factory=list)
    body: list[range] = field(default_factory=list)


class Adapter(BaseAdapter):
    """Wide yearbook tables: one row per city, one column per indicator and scope."""

    format_name = "yearbook_table"

    def __init__(self, dictionary: Dictionary) -> None:
        super().__init__(dictionary)
        self._grids: tuple[Path, list[Grid]] | None = None
        self._key_cells_of: dict[int, dict[frozenset[str], list[tuple[int, int]]]] = {}

    def _read(self, path: Path) -> list[Grid]:
        """The workbook's grids, read once for sniff_title and parse alike."""
        if self._grids is None or self._grids[0] != path:
            self._grids = (path, read_grids(path))
            self._key_cells_of = {}
        return self._grids[1]

    def sniff_title(self, path: Path) -> str | None:
        for grid in self._read(path):
            starts = self._header_rows(grid)
            if starts:
                return self._title(grid, min(starts)) or None
        return None

    def stage(self, path: Path, metadata: ReleaseMetadata, staging: Staging) -> Staged:
        if len(metadata.data_years) != 1:
            raise ReleaseError(path, "a yearbook table holds one data year, but the metadata "
                                     f"lists {metadata.data_years}: set data_year in the sidecar")
        data_year = metadata.data_years[0]
        notes: list[str] = []
        parts: list[Block] = []
        skipped_rows: list[str] = []
        unresolved: dict[str, int] = {}
        # The province section row (江苏省) above each unresolved name, where one was printed.
        sections: dict[str, str | None] = {}
        unresolved_at: dict[str, str | None] = {}  # sheet and name column of the first one
        problems: list[ReleaseError] = []
        previous: TableLayout | None = None
        unit_columns = False
        for sheet_index, grid in enumerate(self._read(path)):
            plan = self._plan(path, grid, previous)
            if plan is None:
                if grid.height and pc.any(self._non_empty_rows(grid)).as_py():
                    notes.append(f"sheet {grid.sheet!r} skipped: no 城市/地区/代码 header row")
                continue
            for block_index, (layout, body) in enumerate(zip(plan.blocks, plan.body,
                                                             strict=True)):
                before = len(unresolved)
                keys = self._row_keys(path, grid, layout, body, data_year, skipped_rows,
                                      unresolved, problems, sections)
                if len(unresolved) > before and not unresolved_at:
                    unresolved_at = {"sheet": grid.sheet,
                                     "column": column_letter(layout.name_col)}
                part = sheet_index * 100 + block_index
                columns = [replace(c, data_year=data_year) for c in layout.value_columns]
                parts.append(Block(part, grid.table, grid.sheet, columns, keys))
                unit_columns = unit_columns or layout.unit_col is not None
            previous = plan.blocks[-1]
        if unresolved:
            # Suggestions favour the release's own province: the section row printed above
            # the name, else the province most of the resolved rows are in.
            release_province = majority_province(self._cities_by_province(parts))
            hint = self.dictionary.unresolved_hint
            listed = ", ".join(
                f"{n} (row {r}{hint(n, data_year, sections.get(n) or release_province)})"
                for n, r in unresolved.items())
            problems.append(ReleaseError(
                path, f"{len(unresolved)} city name(s) not resolved to a code: {listed}. "
                      "Add a code column, load the administrative code records, or add the "
                      "city to dbt_project/seeds/city_reference.csv", **unresolved_at))
        if problems:
            raise ReleaseProblems(path, problems)
        if skipped_rows:
            shown = ", ".join(skipped_rows[:NOTES_SHOWN])
            more = (f" and {len(skipped_rows) - NOTES_SHOWN} more"
                    if len(skipped_rows) > NOTES_SHOWN else "")
            notes.append(f"{len(skipped_rows)} row(s) without a city or figures not loaded "
                         f"(section, title and subtotal rows): {shown}{more}")
        stage_cells(staging.con, parts)
        checks: list[Problem] = unit_problems() if unit_columns else []
        if not parts or build_observations(staging, path, self.dictionary,
                                           checks=checks) == 0:
            raise ReleaseError(path, "no observations found: no sheet has a 城市/地区 header "
                                     "row followed by rows of figures")
        return Staged(notes)

    @staticmethod
    def _cities_by_province(parts: list[Block]) -> dict[str, int]:
        """The distinct codes the rows resolved to, counted by province (first two digits)."""
        codes = pa.chunked_array([pa.array(part.rows.city_code, pa.string())
                                  for part in parts], pa.string())
        provinces = pc.utf8_slice_codeunits(pc.unique(codes), 0, 2)
        return {count["values"]: count["counts"]
                for count in pc.value_counts(provinces).to_pylist()}

    # -- layout ---------------------------------------------------------------------------

    @staticmethod
    def _non_empty_rows(grid: Grid) -> pa.Array:
        mask = pa.array([False] * grid.height, pa.bool_())
        for column in grid.table.columns:
            mask = pc.or_(mask, pc.not_equal(column, ""))
        return mask

    def _label_positions(self, grid: Grid, labels: frozenset[str]) -> list[tuple[int, int]]:
        """(row, column) of every cell whose label is one of ``labels``."""
        return self._key_cells(grid).get(labels, [])

    def _key_cells(self, grid: Grid) -> dict[frozenset[str], list[tuple[int, int]]]:
        """Where the name, code and unit labels stand on the sheet, found in one pass over
        its columns (and kept: title sniffing and layout ask again): the distinct texts
        are folded once, the cells matched in bulk."""
        cached = self._key_cells_of.get(id(grid))
        if cached is not None:
            return cached
        found: dict[frozenset[str], list[tuple[int, int]]] = {
            labels: [] for labels in KEY_LABELS}
        for col, column in enumerate(grid.table.columns):
            # Only texts with a Chinese character can be one of these labels: the figures
            # (most distinct texts of a sheet) are never folded.
            distinct = pc.unique(column)
            texts = pc.filter(distinct, pc.match_substring_regex(distinct, HAN)).to_pylist()
            for labels, positions in found.items():
                hits = [t for t in texts if header_label(t) in labels]
                if hits:
                    rows = pc.indices_nonzero(pc.is_in(column, pa.array(hits))).to_pylist()
                    positions += [(row, col) for row in rows]
        for positions in found.values():
            positions.sort()
        self._key_cells_of[id(grid)] = found
        return found

    def _header_rows(self, grid: Grid) -> list[int]:
        """Rows holding a name-column label (城市 / 地区): where a table (block) starts."""
        return sorted({row for row, _ in self._label_positions(grid, NAME_HEADERS)})

    @staticmethod
    def _title(grid: Grid, header_start: int) -> str:
        return " ".join(c for row in grid.head(header_start) for c in row if c)

    def _plan(self, path: Path, grid: Grid, previous: TableLayout | None) -> SheetPlan | None:
        """The sheet's blocks: one per name column of each header row; a sheet without a
        header continues ``previous`` (or has no table: None)."""
        if not grid.height:
            return None
        names = self._label_positions(grid, NAME_HEADERS)
        plan = SheetPlan()
        if not names:
            if previous is None:
                return None
            self._check_continuation(path, grid, previous)
            plan.blocks.append(previous)
            plan.body.append(range(0, grid.height))
            return plan
        codes = set(self._label_positions(grid, CODE_HEADERS))
        units = set(self._label_positions(grid, UNIT_HEADERS))
        by_row: dict[int, list[int]] = {}
        for row, col in names:
            by_row.setdefault(row, []).append(col)
        starts = sorted(by_row)
        blocks: list[tuple[int, TableLayout]] = []
        for row in starts:
            name_cols = by_row[row]
            for position, name_col in enumerate(name_cols):
                left = name_col - 1 if (row, name_col - 1) in codes else name_col
                right = (name_cols[position + 1] - (1 if (row, name_cols[position + 1] - 1)
                                                    in codes else 0)
                         if position + 1 < len(name_cols) else grid.width)
                span = range(left, right)
                code_col = next((c for r, c in sorted(codes) if r == row and c in span), None)
                unit_col = next((c for r, c in sorted(units) if r == row and c in span), None)
                blocks.append((row, self._layout(path, grid, row, name_col, code_col,
                                                 unit_col, span)))
        for index, (row, layout) in enumerate(blocks):
            # A block's body runs to the next header row that covers its columns.
            later = [r for r, other in blocks[index + 1:]
                     if r > row and set(other.columns) & set(layout.columns)]
            plan.blocks.append(layout)
            plan.body.append(range(layout.header_rows.stop, min(later, default=grid.height)))
        return plan

    def _check_continuation(self, path: Path, grid: Grid, previous: TableLayout) -> None:
        """A sheet without a header reads with the previous table's columns: it must not
        hold figures beyond them (a different table, not a continuation)."""
        used = {previous.name_col, *(c.index for c in previous.value_columns)}
        if previous.code_col is not None:
            used.add(previous.code_col)
        if previous.unit_col is not None:
            used.add(previous.unit_col)
        extra = [c for c in range(grid.width) if c not in used
                 and pc.any(pc.not_equal(grid.table.column(c), "")).as_py()
                 and c > max(used)]
        if extra:
            raise ReleaseError(path, f"sheet {grid.sheet!r} has no header, so it is read as "
                                     "the continuation (续表) of the table before it, but it "
                                     f"has figures in column(s) "
                                     f"{', '.join(column_letter(c) for c in extra)} where that "
                                     f"table has {len(used)} column(s): give it its header",
                               sheet=grid.sheet)

    def _layout(self, path: Path, grid: Grid, start: int, name_col: int,
                code_col: int | None, unit_col: int | None, span: range) -> TableLayout:
        # Header rows go on while the name column is blank (a vertically merged cell).
        rows = grid.head(min(grid.height, start + MAX_HEADER_ROWS))
        end = start + 1
        while (end < len(rows) and end - start < MAX_HEADER_ROWS
               and rows[end][name_col] == "" and any(rows[end][c] for c in span)):
            end += 1
        header_rows = range(start, end)
        filled = [self._fill_merged([rows[r][c] for c in span], is_last=(r == end - 1))
                  for r in header_rows]
        value_columns: list[ValueColumn] = []
        problems: list[ReleaseError] = []
        for offset, col in enumerate(span):
            if col in (name_col, code_col, unit_col):
                continue
            labels = [row[offset] for row in filled if row[offset]]
            if not labels:
                if self._column_has_data(grid, end, col):
                    problems.append(ReleaseError(path, "figures under an empty header",
                                                 sheet=grid.sheet, row=start + 1,
                                                 column=column_letter(col)))
                continue
            column = self._value_column(path, grid, start, col, labels, unit_col)
            if isinstance(column, ReleaseError):
                problems.append(column)
            else:
                value_columns.append(column)
        if problems:
            raise ReleaseProblems(path, problems)
        return TableLayout(self._title(grid, start), header_rows, name_col, code_col,
                           unit_col, value_columns, span)

    @staticmethod
    def _fill_merged(cells: list[str], *, is_last: bool) -> list[str]:
        """Merged header cells arrive as one label then blanks: repeat the label rightwards.
        The last header row (scopes) is never filled: each of its cells is explicit."""
        if is_last:
            return cells
        out, current = [], ""
        for cell in cells:
            current = cell or current
            out.append(current)
        return out

    @staticmethod
    def _column_has_data(grid: Grid, first_data_row: int, col: int) -> bool:
        body = grid.table.column(col).slice(first_data_row)
        return bool(len(body)) and pc.any(pc.not_equal(body, "")).as_py()

    def _value_column(self, path: Path, grid: Grid, start: int, col: int,
                      labels: list[str], unit_col: int | None) -> ValueColumn | ReleaseError:
        """Read one column's header stack: an indicator (with unit), maybe a scope."""
        indicator: Indicator | None = None
        scope = unit_raw = None
        for label in labels:
            zh = chinese_part(label)
            scope = scope or self.dictionary.scope_for(zh)
            alone = UNIT_ALONE.match(normalize_label(zh))
            if alone and self.dictionary.unit_for(alone.group("unit")):
                unit_raw = unit_raw or alone.group("unit")
                continue
            name, unit_text = split_unit(zh)
            found = self.dictionary.indicator_for(name)
            if found is not None:
                indicator = found
                unit_raw = unit_text or unit_raw
        raw_header = " / ".join(dict.fromkeys(labels))
        where = {"sheet": grid.sheet, "row": start + 1, "column": column_letter(col)}
        if indicator is None:
            return ReleaseError(path, f"unknown header {raw_header!r}: add the indicator name "
                                      "to dbt_project/seeds/indicator_synonyms.csv", **where)
        if unit_raw is None and unit_col is None:
            return ReleaseError(path, f"header {raw_header!r} gives no unit in brackets, "
                                      "e.g. 地区生产总值(万元)", **where)
        if unit_raw is not None:
            unit = self.dictionary.unit_for(unit_raw)
            if unit is None:
                return ReleaseError(path, f"unknown unit {unit_raw!r} in header "
                                          f"{raw_header!r}: add it to "
                                          "dbt_project/seeds/unit_factors.csv", **where)
            if unit.base_unit != indicator.base_unit:
                return ReleaseError(path, f"unit {unit_raw!r} measures {unit.base_unit}, but "
                                          f"{indicator.code} is in {indicator.base_unit}",
                                    **where)
        scope = scope or DEFAULT_SCOPE_BY_INDICATOR.get(indicator.code, DEFAULT_SCOPE)
        return ValueColumn(col, indicator.code, scope, unit_raw, raw_header)

    # -- rows -----------------------------------------------------------------------------

    def _row_keys(self, path: Path, grid: Grid, layout: TableLayout, body: range,
                  data_year: int, skipped: list[str], unresolved: dict[str, int],
                  problems: list[ReleaseError],
                  sections: dict[str, str | None]) -> RowKeys:
        """The block's city rows (one pass over its key columns): code from the code
        column (or, without one, a code printed in the name cell), else the name valid in
        the data year. A row without a city and without any figure (a section, title or
        subtotal row) is skipped and noted; a row with figures but no resolvable city is
        an error (``sections``: the province section row above each such name)."""
        table = grid.table.slice(body.start, len(body))
        names = table.column(layout.name_col).to_pylist()
        codes = (table.column(layout.code_col).to_pylist() if layout.code_col is not None
                 else None)
        units = (table.column(layout.unit_col).to_pylist() if layout.unit_col is not None
                 else None)
        first = self._first_text(table, layout.columns)
        figures = self._has_figures(table, layout.value_columns)
        keys = RowKeys([], [], [], unit_raw=[] if units is not None else None,
                       unit_column=(column_letter(layout.unit_col)
                                    if layout.unit_col is not None else None))
        province_names = self.dictionary.province_names
        by_name: dict[str, str | None] = {}
        section: str | None = None  # the province of the last section row (江苏省)
        for offset, printed in enumerate(names):
            row_index = body.start + offset
            if not first[offset] or _is_footnote(first[offset]):
                continue
            name = chinese_part(printed).strip()
            label_code = None
            if codes is None:
                name, label_code = split_label_code(name)
            label = normalize_label(name)
            if label in SUBTOTAL_NAMES or label in NAME_HEADERS:
                continue
            if codes is not None:
                raw = codes[offset]
                code = normalize_code(raw)
                if code is None and (raw or figures[offset]):
                    problems.append(ReleaseError(path, f"code {raw!r} of {name!r} is not 6 "
                                                       "digits", sheet=grid.sheet,
                                                 row=row_index + 1,
                                                 column=column_letter(layout.code_col)))
                    continue
            elif label_code is not None:
                code = label_code
            else:
                if name not in by_name:
                    by_name[name] = self.dictionary.city_code_for(name, data_year)
                code = by_name[name]
            if code is None:
                if not figures[offset] or label in province_names:
                    if label in province_names:
                        section = self.dictionary.province_code(label)
                    skipped.append(f"{first[offset]} (sheet {grid.sheet}, row {row_index + 1})"
                                   if grid.sheet else f"{first[offset]} (row {row_index + 1})")
                    continue
                if (name or "(blank)") not in unresolved:
                    unresolved[name or "(blank)"] = row_index + 1
                    sections[name or "(blank)"] = section
                continue
            keys.row_index.append(row_index)
            keys.city_code.append(code)
            keys.city_name_raw.append(name)
            if keys.unit_raw is not None and units is not None:
                keys.unit_raw.append(units[offset])
        return keys

    @staticmethod
    def _first_text(table: pa.Table, columns: range) -> list[str]:
        """Each row's first non-empty cell within the block (footnotes, blank rows)."""
        present = [pc.if_else(pc.equal(table.column(c), ""), pa.scalar(None, pa.string()),
                              table.column(c)) for c in columns if c < table.num_columns]
        if not present:
            return [""] * table.num_rows
        return pc.coalesce(*present).fill_null("").to_pylist()

    @staticmethod
    def _has_figures(table: pa.Table, columns: list[ValueColumn]) -> list[bool]:
        """Whether any value cell of the row holds something other than a placeholder."""
        blanks = pa.array(sorted(PLACEHOLDERS))
        mask = pa.array([False] * table.num_rows, pa.bool_())
        for column in columns:
            values = pc.utf8_trim_whitespace(table.column(column.index))
            mask = pc.or_(mask, pc.invert(pc.is_in(values, blanks)))
        return mask.to_pylist()
