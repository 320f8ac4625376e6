"""Census county yearbooks (e.g. 《中国2010年人口普查分县资料》 as digitised by Lei Dong et al.).

The layout of a printed census yearbook, one sheet:

- a header of ``header_rows`` rows (default 1). Cells may hold line breaks (``性别比\\n
  （女=100）``); in a header of several rows, a group label merged over several columns
  (read as the label then blanks) applies to every column below it, and a column's label
  is its header cells top-down, e.g. ``人口数 / 合计``;
- a name column whose names are indented by level (leading spaces or full-width spaces):
  provinces and prefectures flush left, their county-level units indented below them;
- a code column holding the 6-digit code as a number (``110000.0``) or text; subtotal
  rows (市辖区, 县, 省直辖县级行政区划) and a few county-level units the publisher gives
  no code (大兴安岭's 加格达奇, 海西's 行委) have none;
- blank rows between provinces, and footer lines.

The sidecar says which columns to load and how, as for ``census_table``::

    format: census_yearbook
    header_rows: 1
    code_column: 区划代码
    name_column: 地区
    levels: [prefecture, municipality, direct_county]   # which coded rows to load
    columns:
      合计: {indicator: population_resident, unit: 人, scope: whole_city,
            basis: census_yearbook_resident}
    totals_column: 合计      # optional: check each prefecture's total against its counties

Column names in the sidecar are matched ignoring white space, line breaks and full- vs
half-width forms (``性别比(女=100)`` matches ``性别比\\n（女=100）``); a column of a header
of several rows is named by its labels joined with ``/`` (``人口数/合计``). Names are
loaded without their indentation (layout, not part of the name).

With ``totals_column``, the release also fills the raw table ``census_prefecture_totals``:
one row per prefecture-level row with its printed total, the sum and number of the coded
county-level rows nested under it (by indentation), their difference and the uncoded
units under it. The GX suite ``raw_census_prefecture_totals`` reports, as a warning, every
prefecture whose total is not the sum of its coded counties (a city without districts such
as 东莞, or a prefecture with uncoded units such as 大兴安岭's 加格达奇).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from citytiers.discover.metadata import ReleaseMetadata
from citytiers.errors import ReleaseError, ReleaseProblems
from citytiers.parse.buffer import Staging
from citytiers.parse.layouts.base import (
    BaseAdapter,
    Grid,
    Staged,
    column_letter,
    parse_number,
    read_grids,
)
from citytiers.parse.layouts.cells import (
    Block,
    RowKeys,
    ValueColumn,
    build_observations,
    stage_cells,
)
from citytiers.parse.layouts.census_table import ColumnSpec, admin_level, sheet_grid, sidecar_layout
from citytiers.parse.normalize.dictionary import normalize_code, normalize_label

TOTALS_TABLE = "census_prefecture_totals"
TOTALS_COLUMNS = (
    "prefecture_code", "prefecture_name", "printed_total", "coded_county_sum",
    "coded_county_count", "difference", "uncoded_unit_count", "uncoded_units",
    "source_sheet", "source_row", "source_column",
)
COUNTY_LEVELS = frozenset({"county", "direct_county"})
# Indentation: ASCII and no-break spaces count 1, a full-width space (U+3000) counts 2
# (it is two columns wide), a tab 4.
INDENT_WIDTH = {" ": 1, "\u00a0": 1, "\u3000": 2, "\t": 4}
LEADING_SPACE = re.compile(r"^[ \u00a0\u3000\t]*")
SHOWN = 12


class YearbookLayout(BaseModel):
    """The sidecar's description of the table (validated, unknown keys refused)."""

    model_config = ConfigDict(extra="forbid")

    code_column: str
    name_column: str
    columns: dict[str, ColumnSpec]
    header_rows: int = Field(default=1, ge=1, le=5)
    levels: list[str] = ["prefecture", "municipality"]
    missing_values: list[str] = ["NA"]
    totals_column: str | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class RowName:
    """A printed name split into its indentation and the name itself."""

    name: str
    indent: int

    @classmethod
    def parse(cls, printed: str) -> RowName:
        lead = LEADING_SPACE.match(printed)
        assert lead is not None
        indent = sum(INDENT_WIDTH[char] for char in lead.group(0))
        return cls(printed.strip(" \u00a0\u3000\t\r\n"), indent)


@dataclass
class PrefectureTotal:
    """One prefecture row and what is nested under it, for the consistency table."""

    code: str
    name: str
    indent: int
    row: int
    total: Decimal
    coded_sum: Decimal = Decimal(0)
    coded_count: int = 0
    uncoded: list[str] = field(default_factory=list)

    def record(self, sheet: str | None, column: str) -> dict[str, object]:
        return {
            "prefecture_code": self.code, "prefecture_name": self.name,
            "printed_total": float(self.total), "coded_county_sum": float(self.coded_sum),
            "coded_county_count": self.coded_count,
            "difference": float(self.total - self.coded_sum),
            "uncoded_unit_count": len(self.uncoded),
            "uncoded_units": "; ".join(self.uncoded) or None,
            "source_sheet": sheet, "source_row": self.row, "source_column": column,
        }


def header_key(text: str) -> str:
    """How a header label is matched: no white space, half-width, simplified."""
    return normalize_label(text)


def stacked_headers(grid: Grid, header_rows: int, keep: frozenset[str]) -> list[list[str]]:
    """Per column, its header cells top-down (printed text, blanks dropped). In all but the
    last header row a label is repeated rightwards over blanks (a merged group label),
    except the labels in ``keep`` (the name and code columns, merged downwards only)."""
    rows = grid.rows[:header_rows]
    width = max((len(row) for row in rows), default=0)
    stacks: list[list[str]] = [[] for _ in range(width)]
    for number, row in enumerate(rows):
        cells = [cell.strip() for cell in row] + [""] * (width - len(row))
        current = ""
        for col, cell in enumerate(cells):
            if cell:
                current = "" if header_key(cell) in keep else cell
                label = cell
            else:
                label = current if number < header_rows - 1 else ""
            if label and label not in stacks[col]:
                stacks[col].append(label)
    return stacks


class Adapter(BaseAdapter):
    """Census yearbook tables: indented names, float codes, uncoded subtotals."""

    format_name = "census_yearbook"

    def stage(self, path: Path, metadata: ReleaseMetadata, staging: Staging) -> Staged:
        layout = self._layout(path, metadata)
        grid = sheet_grid(path, read_grids(path, keep_indent=True), layout.sheet)
        keys = frozenset({header_key(layout.code_column), header_key(layout.name_column)})
        stacks = stacked_headers(grid, layout.header_rows, keys)
        index: dict[str, int] = {}
        for col, stack in enumerate(stacks):
            if stack:
                index.setdefault(header_key("/".join(stack)), col)
        wanted = [layout.code_column, layout.name_column, *layout.columns]
        if layout.totals_column:
            wanted.append(layout.totals_column)
        absent = [name for name in dict.fromkeys(wanted) if header_key(name) not in index]
        if absent:
            raise ReleaseError(path, f"column(s) {', '.join(absent)} named in the sidecar are "
                                     f"not in the header (rows 1-{layout.header_rows})",
                               sheet=grid.sheet, row=1)
        notes = self._ignored_columns_note(stacks, {header_key(n) for n in wanted})
        keys, totals, uncoded = self._rows(path, grid, layout, index)
        columns = [ValueColumn(index[header_key(name)], spec.indicator, spec.scope, spec.unit,
                               " / ".join(stacks[index[header_key(name)]]), spec.basis,
                               spec.data_year or metadata.data_years[-1])
                   for name, spec in layout.columns.items()]
        stage_cells(staging.con, [Block(0, grid.table, grid.sheet, columns, keys)])
        missing = [*layout.missing_values, ""]
        if build_observations(staging, path, self.dictionary, missing_values=missing) == 0:
            raise ReleaseError(path, f"no rows at levels {layout.levels} with a value")
        if uncoded:
            counted = Counter(uncoded)
            notes.append(f"{len(uncoded)} row(s) without a code not loaded (subtotals, units "
                         "the publisher gives no code, footers): "
                         + ", ".join(f"{n} x{c}" if c > 1 else n
                                     for n, c in counted.most_common(SHOWN))
                         + (f" and {len(counted) - SHOWN} more" if len(counted) > SHOWN
                            else ""))
        tables: dict[str, pd.DataFrame] = {}
        if layout.totals_column:
            column = column_letter(index[header_key(layout.totals_column)])
            frame = pd.DataFrame.from_records(
                [t.record(grid.sheet, column) for t in totals], columns=list(TOTALS_COLUMNS))
            tables[TOTALS_TABLE] = frame.astype({"coded_county_count": "int64",
                                                 "uncoded_unit_count": "int64",
                                                 "source_row": "int64"})
            differ = [t.name for t in totals if t.total != t.coded_sum]
            notes.append(f"prefecture totals: {len(totals) - len(differ)} of {len(totals)} equal "
                         "the sum of their coded county-level units"
                         + (f"; differ: {', '.join(differ)}" if differ else ""))
        return Staged(notes, tables)

    def _layout(self, path: Path, metadata: ReleaseMetadata) -> YearbookLayout:
        return sidecar_layout(path, metadata, YearbookLayout, self.format_name, self.dictionary)

    @staticmethod
    def _ignored_columns_note(stacks: list[list[str]], wanted: set[str]) -> list[str]:
        ignored = [" / ".join(s) for s in stacks if s and header_key("/".join(s)) not in wanted]
        if not ignored:
            return []
        shown = ", ".join(i.replace("\n", "") for i in ignored[:SHOWN])
        more = f" and {len(ignored) - SHOWN} more" if len(ignored) > SHOWN else ""
        return [f"{len(ignored)} column(s) not loaded (not in the sidecar's columns): "
                f"{shown}{more}"]

    def _rows(self, path: Path, grid: Grid, layout: YearbookLayout, index: dict[str, int],
              ) -> tuple[RowKeys, list[PrefectureTotal], list[str]]:
        """One pass over the key columns (name, code, totals): which rows are units to load,
        the prefecture totals against their nested counties, the uncoded rows. Figures are
        not read here (the bulk path does)."""
        keys = RowKeys([], [], [])
        problems: list[ReleaseError] = []
        totals: list[PrefectureTotal] = []
        uncoded: list[str] = []
        open_groups: list[PrefectureTotal] = []  # prefectures whose counties may follow
        missing = set(layout.missing_values) | {""}
        code_col = index[header_key(layout.code_column)]
        name_col = index[header_key(layout.name_column)]
        total_col = (index[header_key(layout.totals_column)] if layout.totals_column
                     else None)
        names = [RowName.parse(printed) for printed in grid.column(name_col)]
        codes = [text.strip() for text in grid.column(code_col)]
        figures = grid.column(total_col) if total_col is not None else None
        for row_index in range(layout.header_rows, grid.height):
            row_number = row_index + 1
            name, raw_code = names[row_index], codes[row_index]
            if not name.name and raw_code in missing:
                open_groups.clear()  # a blank row ends the groups above it
                continue
            open_groups[:] = [g for g in open_groups if g.indent < name.indent]
            total_text = figures[row_index].strip() if figures is not None else ""
            if raw_code in missing:
                uncoded.append(name.name)
                if open_groups and not self._has_children(names, codes, row_index,
                                                          name.indent, missing):
                    shown = f"{name.name} {total_text}" if total_text else name.name
                    for group in open_groups:
                        group.uncoded.append(shown)
                continue
            code = normalize_code(raw_code)
            if code is None or not name.name:
                problem = (f"code {raw_code!r} is not 6 digits" if code is None
                           else f"code {code} has no name")
                problems.append(ReleaseError(path, problem, sheet=grid.sheet, row=row_number,
                                             column=column_letter(code_col if code is None
                                                                  else name_col)))
                continue
            level = admin_level(code)
            if total_col is not None:
                figure = self._figure(path, grid, row_index, total_col, total_text, missing,
                                      problems)
                if level in COUNTY_LEVELS:
                    for group in open_groups:
                        group.coded_count += 1
                        if figure is not None:
                            group.coded_sum += figure
                if level == "prefecture":
                    if figure is None:
                        problems.append(ReleaseError(
                            path, f"prefecture {code} {name.name} has no figure in the totals "
                                  f"column {layout.totals_column!r}",
                            sheet=grid.sheet, row=row_number, column=column_letter(total_col)))
                    else:
                        group = PrefectureTotal(code, name.name, name.indent, row_number, figure)
                        totals.append(group)
                        open_groups.append(group)
            if level not in layout.levels:
                continue
            keys.row_index.append(row_index)
            keys.city_code.append(code)
            keys.city_name_raw.append(name.name)
        if problems:
            raise ReleaseProblems(path, problems)
        return keys, totals, uncoded

    @staticmethod
    def _figure(path: Path, grid: Grid, row_index: int, col: int, text: str,
                missing: set[str], problems: list[ReleaseError]) -> Decimal | None:
        """The totals column's figure, exactly (Decimal: sums of printed figures compare
        exactly, whatever their decimals); None when blank."""
        if text in missing:
            return None
        try:
            number = parse_number(text)
        except ValueError:
            problems.append(ReleaseError(path, f"value {text!r} is not a number",
                                         sheet=grid.sheet, row=row_index + 1,
                                         column=column_letter(col)))
            return None
        if number is None:
            return None
        return Decimal(unicodedata.normalize("NFKC", text).strip().replace(",", ""))

    @staticmethod
    def _has_children(names: list[RowName], codes: list[str], row_index: int, indent: int,
                      missing: set[str]) -> bool:
        """Whether the next non-blank row is nested under this one (the row is then a
        subtotal of the rows below it, not a unit of its own)."""
        for following in range(row_index + 1, len(names)):
            if not names[following].name and codes[following] in missing:
                return False
            return names[following].indent > indent
        return False
