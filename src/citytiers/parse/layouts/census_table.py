"""Census tables keyed by admin code (one row per nation/province/prefecture/county unit).

Such tables (e.g. the 2020 census by county, 150+ columns) are too wide for header
matching, so the sidecar declares which columns to load and how::

    format: census_table
    code_column: 区划代码
    name_column: 市
    levels: [prefecture, municipality]        # which rows (by code) to keep; county_city:
                                              # the county-level rows printed as 县级市
    missing_values: [NA]
    code_map: {"110100": "110000"}           # optional: a publisher's code -> GB/T 2260
    columns:
      城区人口: {indicator: population_urban_area, unit: 人, scope: urban_area,
                basis: census_chengqu}
      popu_2010: {indicator: population_resident, unit: 人, scope: whole_city,
                  basis: census_resident, data_year: 2010}

Columns not listed are not loaded, and the release's notes name them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from citytiers.discover.metadata import ReleaseMetadata
from citytiers.errors import ReleaseError, ReleaseProblems
from citytiers.parse.buffer import Staging
from citytiers.parse.layouts.base import BaseAdapter, Grid, Staged, column_letter, read_grids
from citytiers.parse.layouts.cells import (
    Block,
    RowKeys,
    ValueColumn,
    build_observations,
    stage_cells,
)
from citytiers.parse.normalize.codes import is_municipality
from citytiers.parse.normalize.dictionary import Dictionary, normalize_code

IGNORED_COLUMNS_SHOWN = 12
LEVELS = frozenset({"municipality", "province", "prefecture", "direct_county", "county",
                    "county_city", "grouping"})
# A county-level row printed as a city (县级市: 昆山市, 义乌市): level county_city, which a
# sidecar may load without the districts, counties and development zones beside it.
CITY_SUFFIX = "市"


class ColumnSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str
    unit: str
    scope: str = "whole_city"
    basis: str | None = None
    data_year: int | None = None


class CensusLayout(BaseModel):
    """The sidecar's description of the table (validated, unknown keys refused)."""

    model_config = ConfigDict(extra="forbid")

    code_column: str
    name_column: str
    columns: dict[str, ColumnSpec]
    levels: list[str] = ["prefecture", "municipality"]
    missing_values: list[str] = ["NA"]
    code_map: dict[str, str] = {}
    sheet: str | None = None


LayoutT = TypeVar("LayoutT", bound=BaseModel)


def sidecar_layout(path: Path, metadata: ReleaseMetadata, model: type[LayoutT],
                   format_name: str, dictionary: Dictionary) -> LayoutT:
    """The sidecar's table description as ``model``, checked against the seeds: known
    levels, and for every column a known indicator, unit of its kind, scope and basis."""
    extra = metadata.model_extra or {}
    try:
        layout = model.model_validate({k: v for k, v in extra.items() if k in model.model_fields})
    except ValidationError as exc:
        raise ReleaseError(path, f"{format_name} sidecar is incomplete: {exc}") from exc
    unknown_levels = set(getattr(layout, "levels", [])) - LEVELS
    if unknown_levels:
        raise ReleaseError(path, f"unknown levels {sorted(unknown_levels)}; "
                                 f"known: {sorted(LEVELS)}")
    columns: dict[str, ColumnSpec] = getattr(layout, "columns", {})
    for name, spec in columns.items():
        indicator = dictionary.indicators.get(spec.indicator)
        unit = dictionary.unit_for(spec.unit)
        if indicator is None or unit is None or unit.base_unit != indicator.base_unit:
            raise ReleaseError(path, f"sidecar column {name!r}: indicator {spec.indicator!r}"
                                     f" with unit {spec.unit!r} is not a known pair")
        if spec.scope not in dictionary.scopes.values():
            raise ReleaseError(path, f"sidecar column {name!r}: unknown scope {spec.scope!r}")
        if spec.basis is not None and spec.basis not in dictionary.bases:
            raise ReleaseError(path, f"sidecar column {name!r}: unknown basis {spec.basis!r}")
    return layout


def sheet_grid(path: Path, grids: list[Grid], sheet: str | None) -> Grid:
    """The sheet the sidecar names, or the first one."""
    for grid in grids:
        if sheet in (None, grid.sheet):
            return grid
    raise ReleaseError(path, f"no sheet named {sheet!r}; the workbook has "
                             + ", ".join(repr(g.sheet) for g in grids))


def admin_level(code: str) -> str:
    """GB/T 2260 level from the code's shape: XX0000 province (or municipality),
    XXXX00 prefecture, XX90YY a county-level unit administered directly by the province
    (省直辖县级行政区划: 济源, 仙桃, the Xinjiang corps cities), else county."""
    if code.endswith("0000"):
        return "municipality" if is_municipality(code) else "province"
    if code.endswith("00"):
        # A municipality's XX0100/XX0200 rows, and XX9000, group counties: not cities.
        grouping = is_municipality(code) or code[2:4] == "90"
        return "grouping" if grouping else "prefecture"
    return "direct_county" if code[2:4] == "90" else "county"


class Adapter(BaseAdapter):
    """Wide admin-coded tables, columns chosen by the sidecar."""

    format_name = "census_table"

    def stage(self, path: Path, metadata: ReleaseMetadata, staging: Staging) -> Staged:
        layout = self._layout(path, metadata)
        grid = sheet_grid(path, read_grids(path), layout.sheet)
        header = grid.head(1)[0] if grid.height else []
        index = {name: i for i, name in enumerate(header) if name}
        wanted = [layout.code_column, layout.name_column, *layout.columns]
        absent = [name for name in wanted if name not in index]
        if absent:
            raise ReleaseError(path, f"column(s) {', '.join(absent)} named in the sidecar are "
                                     f"not in the header row", sheet=grid.sheet, row=1)
        notes = []
        ignored = [name for name in header if name and name not in wanted]
        if ignored:
            shown = ", ".join(ignored[:IGNORED_COLUMNS_SHOWN])
            more = f" and {len(ignored) - IGNORED_COLUMNS_SHOWN} more" if len(
                ignored) > IGNORED_COLUMNS_SHOWN else ""
            notes.append(f"{len(ignored)} column(s) not loaded (not in the sidecar's columns): "
                         f"{shown}{more}")
        rows = self._rows(path, grid, layout, index)
        columns = [ValueColumn(index[name], spec.indicator, spec.scope, spec.unit, name,
                               spec.basis, spec.data_year or metadata.data_years[-1])
                   for name, spec in layout.columns.items()]
        stage_cells(staging.con, [Block(0, grid.table, grid.sheet, columns, rows)])
        if build_observations(staging, path, self.dictionary,
                              missing_values=layout.missing_values) == 0:
            raise ReleaseError(path, f"no rows at levels {layout.levels} with a value")
        return Staged(notes)

    def _layout(self, path: Path, metadata: ReleaseMetadata) -> CensusLayout:
        return sidecar_layout(path, metadata, CensusLayout, self.format_name, self.dictionary)

    def _rows(self, path: Path, grid: Grid, layout: CensusLayout,
              index: dict[str, int]) -> RowKeys:
        """The coded rows at the wanted levels (one pass over the code column)."""
        missing = set(layout.missing_values)
        code_col = index[layout.code_column]
        names = grid.column(index[layout.name_column])
        keys = RowKeys([], [], [])
        problems: list[ReleaseError] = []
        for row_index, raw_code in enumerate(grid.column(code_col)):
            if row_index == 0 or raw_code in missing or not raw_code:
                continue  # the header; the national total and unnumbered subtotals
            code = normalize_code(raw_code)
            if code is None:
                problems.append(ReleaseError(path, f"code {raw_code!r} is not 6 digits",
                                             sheet=grid.sheet, row=row_index + 1,
                                             column=column_letter(code_col)))
                continue
            code = layout.code_map.get(code, code)
            level = admin_level(code)
            if level == "county" and str(names[row_index] or "").strip().endswith(CITY_SUFFIX):
                level = "county_city"
            if level not in layout.levels:
                continue
            keys.row_index.append(row_index)
            keys.city_code.append(code)
            keys.city_name_raw.append(names[row_index])
        if problems:
            raise ReleaseProblems(path, problems)
        return keys
