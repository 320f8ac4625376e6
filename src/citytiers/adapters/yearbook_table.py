"""Yearbook tables (中国城市统计年鉴, provincial yearbooks), as CSV or XLSX.

Layout handled: title rows, then a header of 1 to 3 rows (group label / indicator with
its unit in brackets / scope 全市 市辖区 城区; merged cells read as blanks and are filled
from the left), a name column (城市 / 地区) with or without a code column (代码), data rows,
subtotal rows (全国, 合计) and footnote rows (注：..., 资料来源...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from citytiers.adapters.base import (
    BaseAdapter,
    Grid,
    ParseResult,
    column_letter,
    observations_frame,
    parse_number,
    read_grids,
    to_base_unit,
)
from citytiers.dictionary import Indicator, Unit, normalize_code, normalize_label, split_unit
from citytiers.errors import ReleaseError, ReleaseProblems
from citytiers.metadata import ReleaseMetadata

NAME_HEADERS = frozenset({"城市", "地区", "城市名称", "地区名称", "市", "城市名"})
CODE_HEADERS = frozenset({"代码", "行政区划代码", "区划代码", "地区代码", "城市代码"})
SUBTOTAL_NAMES = frozenset({"全国", "全省", "全区", "合计", "总计", "全国合计", "全省合计",
                            "地级以上城市", "全国地级以上城市"})
FOOTNOTE_PREFIXES = ("注", "资料来源", "数据来源", "说明", "备注", "*", "Note", "Source")
# Where the header names no scope: 城区人口 is urban-area by definition, the rest whole-city.
DEFAULT_SCOPE_BY_INDICATOR = {"population_urban_area": "urban_area"}
DEFAULT_SCOPE = "whole_city"
MAX_HEADER_ROWS = 3


@dataclass(frozen=True)
class ValueColumn:
    """A column of figures: which indicator, scope and unit its header says."""

    index: int
    indicator: Indicator
    scope: str
    unit: Unit
    unit_raw: str
    raw_header: str


@dataclass(frozen=True)
class TableLayout:
    """Where the header, the key columns and the figures are on one sheet."""

    title: str
    header_rows: range
    name_col: int
    code_col: int | None
    value_columns: list[ValueColumn]


def _is_footnote(text: str) -> bool:
    return text.startswith(FOOTNOTE_PREFIXES)


class Adapter(BaseAdapter):
    """Wide yearbook tables: one row per city, one column per indicator and scope."""

    format_name = "yearbook_table"

    def sniff_title(self, path: Path) -> str | None:
        for grid in read_grids(path):
            start = self._header_start(grid)
            if start is not None:
                return self._title(grid, start) or None
        return None

    def parse(self, path: Path, metadata: ReleaseMetadata) -> ParseResult:
        if len(metadata.data_years) != 1:
            raise ReleaseError(path, "a yearbook table holds one data year, but the metadata "
                                     f"lists {metadata.data_years}: set data_year in the sidecar")
        data_year = metadata.data_years[0]
        records: list[dict[str, object]] = []
        notes: list[str] = []
        for grid in read_grids(path):
            start = self._header_start(grid)
            if start is None:
                if any(any(row) for row in grid.rows):
                    notes.append(f"sheet {grid.sheet!r} skipped: no 城市/地区/代码 header row")
                continue
            layout = self._layout(path, grid, start)
            records.extend(self._rows(path, grid, layout, data_year))
        if not records:
            raise ReleaseError(path, "no observations found: no sheet has a 城市/地区 header "
                                     "row followed by rows of figures")
        return ParseResult(observations_frame(records), notes)

    # -- layout ---------------------------------------------------------------------------

    def _header_start(self, grid: Grid) -> int | None:
        """The first row holding a name-column label (城市 / 地区)."""
        for index, row in enumerate(grid.rows):
            if any(normalize_label(cell) in NAME_HEADERS for cell in row):
                return index
        return None

    @staticmethod
    def _title(grid: Grid, header_start: int) -> str:
        return " ".join(c for row in grid.rows[:header_start] for c in row if c)

    def _layout(self, path: Path, grid: Grid, start: int) -> TableLayout:
        first = [normalize_label(c) for c in grid.rows[start]]
        name_col = next(i for i, c in enumerate(first) if c in NAME_HEADERS)
        code_col = next((i for i, c in enumerate(first) if c in CODE_HEADERS), None)
        # Header rows go on while the name column is blank (a vertically merged cell).
        end = start + 1
        while (end < len(grid.rows) and end - start < MAX_HEADER_ROWS
               and grid.cell(end, name_col) == "" and any(grid.rows[end])):
            end += 1
        header_rows = range(start, end)
        width = max(len(grid.rows[r]) for r in header_rows)
        filled = [self._fill_merged(grid.rows[r], width, is_last=(r == end - 1))
                  for r in header_rows]
        value_columns: list[ValueColumn] = []
        problems: list[ReleaseError] = []
        for col in range(width):
            if col in (name_col, code_col):
                continue
            labels = [row[col] for row in filled if row[col]]
            if not labels:
                if self._column_has_data(grid, end, col):
                    problems.append(ReleaseError(path, "figures under an empty header",
                                                 sheet=grid.sheet, row=start + 1,
                                                 column=column_letter(col)))
                continue
            column = self._value_column(path, grid, start, col, labels)
            if isinstance(column, ReleaseError):
                problems.append(column)
            else:
                value_columns.append(column)
        if problems:
            raise ReleaseProblems(path, problems)
        return TableLayout(self._title(grid, start), header_rows, name_col, code_col,
                           value_columns)

    @staticmethod
    def _fill_merged(row: list[str], width: int, *, is_last: bool) -> list[str]:
        """Merged header cells arrive as one label then blanks: repeat the label rightwards.
        The last header row (scopes) is never filled: each of its cells is explicit."""
        cells = row + [""] * (width - len(row))
        if is_last:
            return cells
        out, current = [], ""
        for cell in cells:
            current = cell or current
            out.append(current)
        return out

    @staticmethod
    def _column_has_data(grid: Grid, first_data_row: int, col: int) -> bool:
        return any(grid.cell(r, col) for r in range(first_data_row, len(grid.rows)))

    def _value_column(self, path: Path, grid: Grid, start: int, col: int,
                      labels: list[str]) -> ValueColumn | ReleaseError:
        """Read one column's header stack: an indicator (with unit), maybe a scope."""
        indicator = unit = unit_raw = scope = None
        for label in labels:
            scope = scope or self.dictionary.scope_for(label)
            name, unit_text = split_unit(label)
            found = self.dictionary.indicator_for(name)
            if found is not None:
                indicator, unit_raw = found, unit_text
        raw_header = " / ".join(dict.fromkeys(labels))
        where = {"sheet": grid.sheet, "row": start + 1, "column": column_letter(col)}
        if indicator is None:
            return ReleaseError(path, f"unknown header {raw_header!r}: add the indicator name "
                                      "to dbt_project/seeds/indicator_synonyms.csv", **where)
        if unit_raw is None:
            return ReleaseError(path, f"header {raw_header!r} gives no unit in brackets, "
                                      "e.g. 地区生产总值(万元)", **where)
        unit = self.dictionary.unit_for(unit_raw)
        if unit is None:
            return ReleaseError(path, f"unknown unit {unit_raw!r} in header {raw_header!r}: "
                                      "add it to dbt_project/seeds/unit_factors.csv", **where)
        if unit.base_unit != indicator.base_unit:
            return ReleaseError(path, f"unit {unit_raw!r} measures {unit.base_unit}, but "
                                      f"{indicator.code} is in {indicator.base_unit}", **where)
        scope = scope or DEFAULT_SCOPE_BY_INDICATOR.get(indicator.code, DEFAULT_SCOPE)
        return ValueColumn(col, indicator, scope, unit, unit_raw, raw_header)

    # -- rows -----------------------------------------------------------------------------

    def _rows(self, path: Path, grid: Grid, layout: TableLayout,
              data_year: int) -> list[dict[str, object]]:
        records: list[dict[str, object]] = []
        problems: list[ReleaseError] = []
        unresolved: dict[str, int] = {}
        for index in range(layout.header_rows.stop, len(grid.rows)):
            row_number = index + 1
            name = grid.cell(index, layout.name_col)
            first_text = next((c for c in grid.rows[index] if c), "")
            if not first_text or _is_footnote(first_text):
                continue
            if normalize_label(name) in SUBTOTAL_NAMES:
                continue
            code = self._row_code(path, grid, layout, index, name, data_year, problems,
                                  unresolved)
            if code is None:
                continue
            for column in layout.value_columns:
                text = grid.cell(index, column.index)
                try:
                    number = parse_number(text)
                except ValueError:
                    problems.append(ReleaseError(path, f"value {text!r} is not a number",
                                                 sheet=grid.sheet, row=row_number,
                                                 column=column_letter(column.index)))
                    continue
                if number is None:
                    continue
                records.append({
                    "city_code": code, "city_name_raw": name, "scope": column.scope,
                    "indicator_code": column.indicator.code, "data_year": data_year,
                    "value": to_base_unit(number, column.unit.factor),
                    "base_unit": column.unit.base_unit,
                    "value_raw": text, "unit_raw": column.unit_raw,
                    "source_sheet": grid.sheet, "source_row": row_number,
                    "source_column": column_letter(column.index),
                    "raw_header": column.raw_header, "basis": None,
                })
        if unresolved:
            listed = ", ".join(f"{n} (row {r})" for n, r in unresolved.items())
            problems.append(ReleaseError(
                path, f"{len(unresolved)} city name(s) not resolved to a code: {listed}. "
                      "Add a code column, load the administrative code records, or add the "
                      "city to dbt_project/seeds/city_reference.csv",
                sheet=grid.sheet, column=column_letter(layout.name_col)))
        if problems:
            raise ReleaseProblems(path, problems)
        return records

    def _row_code(self, path: Path, grid: Grid, layout: TableLayout, index: int, name: str,
                  data_year: int, problems: list[ReleaseError],
                  unresolved: dict[str, int]) -> str | None:
        """The row's code: from the code column when there is one, else by the name valid
        in the table's data year."""
        if layout.code_col is not None:
            raw = grid.cell(index, layout.code_col)
            code = normalize_code(raw)
            if code is None:
                problems.append(ReleaseError(path, f"code {raw!r} of {name!r} is not 6 digits",
                                             sheet=grid.sheet, row=index + 1,
                                             column=column_letter(layout.code_col)))
            return code
        code = self.dictionary.city_code_for(name, data_year)
        if code is None:
            unresolved.setdefault(name or "(blank)", index + 1)
        return code
