"""The benchmark's SYNTHETIC inputs at 1x: sizes, unique keys, synthetic sidecars."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from citytiers.discover.metadata import read_sidecar, resolve_metadata
from citytiers.parse.normalize.dictionary import load_dictionary
from citytiers.settings import PROJECT_ROOT
from tools.bench.generate import (
    PLACEHOLDER,
    SHEET_EXTRA_ROWS,
    TITLE_MARK,
    YEARBOOK_DATA_YEAR,
    Inputs,
    ensure_inputs,
    real_places,
)

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
SCOPES = ("whole_city", "urban_districts", "urban_area")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    return ensure_inputs(1, tmp_path_factory.mktemp("bench") / "inputs")


@pytest.mark.unit
def test_tidy_csv_has_the_planned_rows_and_unique_keys(inputs: Inputs) -> None:
    dictionary = load_dictionary(SEEDS)
    with inputs.tidy_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)

    assert header == ["city_code", "city_name", "data_year", "indicator", "scope", "value",
                      "unit"]
    real = {place.code: place.name for place in real_places(SEEDS)}
    combinations = len(dictionary.indicators) * len(SCOPES)
    assert len(rows) == inputs.tidy_observations
    assert len(rows) == len(real) * len(inputs.tidy_years) * combinations
    assert 100_000 <= len(rows) < 100_000 + len(real) * combinations  # about 100 000 at 1x
    keys = {(code, int(year), dictionary.indicator_for(indicator).code,
             dictionary.scope_for(scope)) for code, _, year, indicator, scope, _, _ in rows}
    assert len(keys) == len(rows)
    # 1x uses exactly the real cities of the seed, with their real names.
    assert {(code, name) for code, name, *_ in rows} == set(real.items())
    years = {int(row[2]) for row in rows}
    assert years == set(range(min(years), 2025)) == set(inputs.tidy_years)
    assert min(years) >= 1949
    assert {dictionary.indicator_for(row[3]).code for row in rows} == set(dictionary.indicators)
    assert {dictionary.scope_for(row[4]) for row in rows} == set(SCOPES)
    for _, _, _, indicator, _, value, unit in rows[:5000]:
        assert float(value) >= 0
        assert dictionary.unit_for(unit).base_unit == dictionary.indicator_for(indicator).base_unit


@pytest.mark.unit
def test_yearbook_xlsx_has_one_row_per_place_and_the_planned_figures(inputs: Inputs) -> None:
    workbook = CalamineWorkbook.from_path(str(inputs.yearbook_path))
    assert workbook.sheet_names == inputs.yearbook_sheets
    codes: list[str] = []
    figures = placeholders = rows = 0
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name).to_python()
        rows += len(sheet)
        assert TITLE_MARK in sheet[0][0] and f"{YEARBOOK_DATA_YEAR}年" in sheet[0][0]
        assert sheet[1][:3] == ["代码", "城市", "地区生产总值(万元)"]
        assert sheet[2][2:5] == ["全市", "市辖区", "城区"]
        assert sheet[3][1] == "合计"
        assert sheet[-2][0].startswith("注") and TITLE_MARK in sheet[-2][0]
        for row in sheet[4:-2]:
            codes.append(row[0])
            figures += sum(isinstance(v, float | int) for v in row[2:])
            placeholders += sum(v == PLACEHOLDER for v in row[2:])

    columns = len(load_dictionary(SEEDS).indicators) * len(SCOPES)
    assert len(codes) == len(set(codes)) == inputs.yearbook_rows == math.ceil(10_000 / columns)
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert figures == inputs.yearbook_observations
    assert placeholders == inputs.yearbook_placeholders > 0
    assert figures + placeholders == inputs.yearbook_rows * columns
    assert rows == inputs.yearbook_rows + SHEET_EXTRA_ROWS * len(inputs.yearbook_sheets)
    # The real cities first, then synthetic county-level codes that never end in 00.
    real = {place.code for place in real_places(SEEDS)}
    assert real <= set(codes)
    assert all(not code.endswith("00") for code in set(codes) - real)


@pytest.mark.unit
@pytest.mark.parametrize("which", ["tidy_path", "yearbook_path"])
def test_sidecars_say_synthetic(inputs: Inputs, which: str) -> None:
    path: Path = getattr(inputs, which)
    sidecar = read_sidecar(path)

    assert sidecar["publisher"] == "sample"
    assert sidecar["is_synthetic"] is True
    assert TITLE_MARK in sidecar["title"]
    assert sidecar["format"] == ("tidy_csv" if which == "tidy_path" else "yearbook_table")
    metadata = resolve_metadata(path)
    assert metadata.is_synthetic is True
    assert max(metadata.data_years) <= metadata.published_on.year
    assert min(metadata.data_years) >= 1949


@pytest.mark.unit
def test_inputs_are_reused_when_present(inputs: Inputs) -> None:
    before = inputs.tidy_path.stat().st_mtime_ns
    again = ensure_inputs(1, Path(inputs.directory).parent)

    assert again == inputs
    assert inputs.tidy_path.stat().st_mtime_ns == before
