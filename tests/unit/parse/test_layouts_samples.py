"""The format adapters on the bundled SYNTHETIC samples: values checked cell by cell.

Expected values are computed here from the files themselves (openpyxl for workbooks, the
csv module for CSVs) with a unit table written out below, not with the adapters' helpers.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from openpyxl.worksheet.worksheet import Worksheet

from citytiers.discover.metadata import resolve_metadata
from citytiers.parse.layouts import adapter_for, detect_format
from citytiers.parse.layouts.base import cell_text, parse_number
from citytiers.parse.normalize.dictionary import Dictionary

# Printed unit -> factor to the base unit, written out independently of the seeds.
FACTORS = {"元": 1, "万元": 1e4, "萬元": 1e4, "亿元": 1e8, "億元": 1e8, "人": 1, "万人": 1e4,
           "萬人": 1e4, "%": 1}
PLACEHOLDER_CELLS = {"—", "…", "...", "-", "/", None, ""}
SUBTOTALS = {"全国", "合计"}
FOOTNOTES = ("注", "资料来源")
YEARBOOK_XLSX = ["sample_yearbook_2020_t2-1.xlsx", "sample_yearbook_2022_t1.xlsx",
                 "sample_yearbook_2023_t1.xlsx", "sample_yearbook_2024_trad.xlsx"]
UNIT_IN_HEADER = re.compile(r"\(([^()]+)\)\s*$")


def parse(path: Path, dictionary: Dictionary) -> pd.DataFrame:
    """The observations, chosen and parsed the way the pipeline does for an undeclared file."""
    adapter = adapter_for(path, None, dictionary)
    meta = resolve_metadata(path, adapter.sniff_title(path))
    return adapter.parse(path, meta).observations


def sidecar(path: Path) -> dict:
    return yaml.safe_load(path.with_name(path.name + ".release.yml").read_text(encoding="utf-8"))


def by_cell(frame: pd.DataFrame) -> dict[tuple[int, str], float]:
    """(spreadsheet row, column letter) -> parsed value."""
    return {(int(r.source_row), r.source_column): r.value for r in frame.itertuples()}


@dataclass
class PrintedTable:
    """What a person reading the workbook sees: header row, value columns, city rows."""

    sheet: Worksheet
    header_row: int
    name_col: int
    factors: dict[int, float]          # value column -> factor of its printed unit
    city_rows: list[int]
    skipped_rows: list[int]            # subtotal and footnote rows


def merged_value(ws: Worksheet, row: int, col: int) -> object:
    """A cell's value, or the value of the merged range that covers it."""
    for span in ws.merged_cells.ranges:
        if span.min_row <= row <= span.max_row and span.min_col <= col <= span.max_col:
            return ws.cell(span.min_row, span.min_col).value
    return ws.cell(row, col).value


def read_printed_table(path: Path) -> PrintedTable:
    ws = openpyxl.load_workbook(path).worksheets[0]
    header_row, name_col = next((c.row, c.column) for row in ws.iter_rows() for c in row
                                if c.value in ("城市", "地区"))
    first_data = next(r for r in range(header_row + 1, ws.max_row + 1)
                      if ws.cell(r, name_col).value)
    factors = {}
    for col in range(1, ws.max_column + 1):
        for row in range(header_row, first_data):
            text = unicodedata.normalize("NFKC", str(merged_value(ws, row, col) or ""))
            if match := UNIT_IN_HEADER.search(text):
                factors[col] = FACTORS[match.group(1)]
    city_rows, skipped_rows = [], []
    for row in range(first_data, ws.max_row + 1):
        first = str(ws.cell(row, 1).value or "")
        name = ws.cell(row, name_col).value
        if name in SUBTOTALS or first.startswith(FOOTNOTES):
            skipped_rows.append(row)
        elif name:
            city_rows.append(row)
    return PrintedTable(ws, header_row, name_col, factors, city_rows, skipped_rows)


@pytest.fixture(scope="module")
def parsed(samples_dir: Path, dictionary: Dictionary) -> dict[str, pd.DataFrame]:
    """Every bundled sample, parsed once for the module."""
    return {p.name: parse(p, dictionary) for p in sorted(samples_dir.iterdir())
            if p.is_file() and not p.name.endswith(".release.yml")}


# --------------------------------------------------------------------------- detection


@pytest.mark.unit
def test_detect_format_matches_each_sidecar(samples_dir: Path) -> None:
    files = [p for p in samples_dir.iterdir() if not p.name.endswith(".release.yml")]
    assert {detect_format(p) for p in files} == {"tidy_csv", "yearbook_table"}
    for path in files:
        assert detect_format(path) == sidecar(path)["format"], path.name


@pytest.mark.unit
def test_detect_format_needs_the_exact_tidy_header(tmp_path: Path) -> None:
    reordered = tmp_path / "reordered.csv"
    reordered.write_text("unit,value,scope,indicator,data_year,city_name,city_code\n",
                         encoding="utf-8")
    assert detect_format(reordered) == "tidy_csv"
    short = tmp_path / "short.csv"
    short.write_text("city_code,city_name,data_year,indicator,value,unit\n", encoding="utf-8")
    assert detect_format(short) == "yearbook_table"


# --------------------------------------------------------------------------- yearbook XLSX


@pytest.mark.unit
def test_suzhou_gdp_in_the_2020_yearbook(samples_dir: Path,
                                         parsed: dict[str, pd.DataFrame]) -> None:
    path = samples_dir / "sample_yearbook_2020_t2-1.xlsx"
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = next(c.row for c in ws["A"] if c.value == "城市")
    gdp_col = next(c.column for c in ws[header]
                   if unicodedata.normalize("NFKC", str(c.value)) == "地区生产总值(万元)")
    assert ws.cell(header + 1, gdp_col).value == "全市"
    row = next(c.row for c in ws["A"] if c.value in ("苏州", "苏州市"))
    cell = ws.cell(row, gdp_col)
    assert isinstance(cell.value, int | float)

    frame = parsed[path.name]
    match = frame[(frame.city_code == "320500") & (frame.indicator_code == "gdp")
                  & (frame.scope == "whole_city")]
    assert len(match) == 1
    obs = match.iloc[0]
    assert obs.value == cell.value * 10000
    assert (obs.source_sheet, obs.source_row, obs.source_column) == (
        ws.title, cell.row, cell.column_letter)
    assert "地区生产总值" in obs.raw_header
    assert (obs.unit_raw, obs.base_unit, obs.data_year) == ("万元", "yuan", 2019)
    assert float(obs.value_raw) == cell.value


@pytest.mark.unit
@pytest.mark.parametrize("name", YEARBOOK_XLSX)
def test_every_printed_figure_and_nothing_else(samples_dir: Path, name: str,
                                               parsed: dict[str, pd.DataFrame]) -> None:
    table = read_printed_table(samples_dir / name)
    expected: dict[tuple[int, str], float] = {}
    for row in table.city_rows:
        for col, factor in table.factors.items():
            cell = table.sheet.cell(row, col)
            if isinstance(cell.value, int | float):
                expected[(row, cell.column_letter)] = cell.value * factor
            else:
                assert cell.value in PLACEHOLDER_CELLS, (cell.coordinate, cell.value)
    frame = parsed[name]
    assert by_cell(frame) == pytest.approx(expected, rel=1e-12)
    assert len(frame) == len(expected)   # one observation per cell
    assert set(frame.source_sheet) == {table.sheet.title}


@pytest.mark.unit
def test_placeholders_give_no_observation(samples_dir: Path,
                                          parsed: dict[str, pd.DataFrame]) -> None:
    table = read_printed_table(samples_dir / "sample_yearbook_2020_t2-1.xlsx")
    placeholders = {}
    for row in table.city_rows:
        for col in table.factors:
            cell = table.sheet.cell(row, col)
            if cell.value in PLACEHOLDER_CELLS:
                placeholders[(row, cell.column_letter)] = cell.value
    assert set(placeholders.values()) == {"—", "…", "...", "-", "/", None}
    assert not set(placeholders) & set(by_cell(parsed["sample_yearbook_2020_t2-1.xlsx"]))


@pytest.mark.unit
@pytest.mark.parametrize("name", YEARBOOK_XLSX)
def test_subtotals_and_footnotes_give_no_observation(samples_dir: Path, name: str,
                                                     parsed: dict[str, pd.DataFrame]) -> None:
    table = read_printed_table(samples_dir / name)
    assert len(table.skipped_rows) >= 2          # every sample has footnotes
    frame = parsed[name]
    assert not set(table.skipped_rows) & set(frame.source_row)
    assert not set(frame.city_name_raw) & SUBTOTALS
    assert frame.source_row.min() > table.header_row


@pytest.mark.unit
def test_subtotal_rows_are_present_in_the_samples(samples_dir: Path) -> None:
    """The samples print 全国 and 合计 rows with figures, so skipping them is tested."""
    names = set()
    for name in YEARBOOK_XLSX:
        table = read_printed_table(samples_dir / name)
        names |= {table.sheet.cell(r, table.name_col).value for r in table.skipped_rows}
    assert names >= SUBTOTALS


@pytest.mark.unit
def test_traditional_workbook_resolves_every_city(samples_dir: Path, dictionary: Dictionary,
                                                  parsed: dict[str, pd.DataFrame]) -> None:
    name = "sample_yearbook_2024_trad.xlsx"
    table = read_printed_table(samples_dir / name)
    frame = parsed[name]
    codes_by_row = frame.groupby("source_row").city_code.unique()
    assert sorted(codes_by_row.index) == table.city_rows
    assert all(len(codes) == 1 for codes in codes_by_row)
    assert frame.city_code.nunique() == len(table.city_rows)
    assert set(frame.city_code) <= dictionary.city_codes
    printed = dict(zip(frame.city_name_raw, frame.city_code, strict=False))
    assert printed["蘇州市"] == "320500"
    assert printed["瀋陽市"] == "210100"
    assert printed["烏魯木齊市"] == "650100"
    assert set(frame.unit_raw) == {"萬元", "萬人"}
    assert set(frame.scope) == {"whole_city", "urban_districts", "urban_area"}


@pytest.mark.unit
def test_float_codes_come_out_as_six_digit_strings(samples_dir: Path,
                                                   parsed: dict[str, pd.DataFrame]) -> None:
    name = "sample_yearbook_2022_t1.xlsx"
    table = read_printed_table(samples_dir / name)
    printed = {row: table.sheet.cell(row, 1).value for row in table.city_rows}
    assert all(isinstance(code, int | float) for code in printed.values())
    frame = parsed[name]
    for row in frame.itertuples():
        assert isinstance(row.city_code, str) and re.fullmatch(r"\d{6}", row.city_code)
        assert row.city_code == str(int(printed[row.source_row]))


@pytest.mark.unit
def test_codes_stored_as_floats_or_text(tmp_path: Path, dictionary: Dictionary) -> None:
    path = tmp_path / "codes.xlsx"
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["表1 测试（2022年）"])
    ws.append(["代码", "城市", "地区生产总值(万元)"])
    ws.append([320500.0, "苏州市", 1.5])
    ws.append(["320100", "南京市", 2])
    ws.append(["110000.0", "北京市", 3])
    workbook.save(path)
    path.with_name(path.name + ".release.yml").write_text(
        "publisher: test\ntitle: TEST CASE codes\nedition_year: 2023\npublished_on: 2023-12-01\n",
        encoding="utf-8")
    frame = parse(path, dictionary)
    assert list(frame.city_code) == ["320500", "320100", "110000"]
    assert list(frame.value) == [15000, 20000, 30000]
    assert list(frame.data_year) == [2022] * 3      # from the title row


# --------------------------------------------------------------------------- yearbook CSV


@pytest.mark.unit
def test_yearbook_csv_values(samples_dir: Path, parsed: dict[str, pd.DataFrame]) -> None:
    name = "sample_yearbook_2021_gdp_population.csv"
    with (samples_dir / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    suzhou = next(i for i, row in enumerate(rows) if row[:1] == ["320500"])
    printed = rows[suzhou]
    frame = parsed[name]
    found = frame[frame.source_row == suzhou + 1].set_index(["indicator_code", "scope"])
    assert found.loc[("gdp", "whole_city"), "value"] == float(printed[2]) * 1e4
    assert found.loc[("gdp", "whole_city"), "source_column"] == "C"
    assert found.loc[("population_resident", "urban_districts"), "value"] == pytest.approx(
        float(printed[5]) * 1e4)
    assert found.loc[("disposable_income_per_capita", "whole_city"), "value"] == float(printed[6])
    assert set(found.city_code) == {"320500"}
    assert found.source_sheet.isna().all()
    assert set(frame.data_year) == {2020}
    placeholders = [(i + 1, col) for i, row in enumerate(rows) for col, text in enumerate(row)
                    if i > suzhou - 50 and col >= 2 and text in PLACEHOLDER_CELLS
                    and row[0].isdigit()]
    assert placeholders
    assert not {(r, "ABCDEFG"[c]) for r, c in placeholders} & set(by_cell(frame))


# --------------------------------------------------------------------------- tidy CSV


@pytest.mark.unit
@pytest.mark.parametrize("name", ["sample_communique_2021.csv", "sample_revision_2023_gdp.csv"])
def test_tidy_csv_converts_every_row_to_base_units(samples_dir: Path, name: str,
                                                   parsed: dict[str, pd.DataFrame]) -> None:
    with (samples_dir / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = {(number, "F"): float(row["value"]) * FACTORS[row["unit"]]
                for number, row in enumerate(rows, start=2)}
    frame = parsed[name]
    assert by_cell(frame) == pytest.approx(expected, rel=1e-12)
    assert list(frame.city_code) == [row["city_code"] for row in rows]
    assert list(frame.unit_raw) == [row["unit"] for row in rows]


@pytest.mark.unit
def test_tidy_csv_units(samples_dir: Path, parsed: dict[str, pd.DataFrame]) -> None:
    name = "sample_communique_2021.csv"
    with (samples_dir / name).open(encoding="utf-8", newline="") as handle:
        printed = {(r["city_code"], r["indicator"]): r for r in csv.DictReader(handle)}
    frame = parsed[name].set_index(["city_code", "indicator_code"])

    gdp = frame.loc[("320500", "gdp")]
    assert printed[("320500", "gdp")]["unit"] == "亿元"
    assert gdp.value == pytest.approx(float(printed[("320500", "gdp")]["value"]) * 1e8)
    assert (gdp.base_unit, gdp.unit_raw, gdp.scope) == ("yuan", "亿元", "whole_city")

    people = frame.loc[("320500", "population_resident")]
    assert printed[("320500", "population_resident")]["unit"] == "万人"
    assert people.value == pytest.approx(
        float(printed[("320500", "population_resident")]["value"]) * 1e4)
    assert people.base_unit == "persons"

    growth = frame.loc[("320500", "gdp_growth_real_pct")]
    assert printed[("320500", "gdp_growth_real_pct")]["unit"] == "%"
    assert growth.value == float(printed[("320500", "gdp_growth_real_pct")]["value"])
    assert growth.base_unit == "percent"

    assert (gdp.source_column, gdp.raw_header, gdp.data_year) == ("F", "value", 2021)
    assert pd.isna(gdp.source_sheet)


@pytest.mark.unit
def test_tidy_csv_skips_placeholders_and_blank_lines(tmp_path: Path,
                                                     dictionary: Dictionary) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "city_code,city_name,data_year,indicator,scope,value,unit\n"
        "320500,苏州市,2022,gdp,全市,\"23,958.34\",亿元\n"
        "320100,南京市,2022,gdp,全市,—,亿元\n"
        ",,,,,,\n"
        ",苏州,2022,gdp,市辖区,…,亿元\n"
        ",南京,2022,population_resident,,949.11,万人\n",
        encoding="utf-8")
    path.with_name(path.name + ".release.yml").write_text(
        "publisher: test\ntitle: TEST CASE tidy\nedition_year: 2023\ndata_year: 2022\n"
        "published_on: 2023-03-01\n", encoding="utf-8")
    frame = parse(path, dictionary)
    assert list(frame.source_row) == [2, 6]
    assert list(frame.city_code) == ["320500", "320100"]
    assert list(frame.value) == pytest.approx([23958.34e8, 949.11e4])
    assert list(frame.scope) == ["whole_city", "whole_city"]     # blank scope means 全市


# --------------------------------------------------------------------------- cells


@pytest.mark.unit
@pytest.mark.parametrize(("text", "number"), [
    ("1,234.5", 1234.5), ("１２３", 123.0), (" 7.0 ", 7.0), ("-3.2", -3.2), ("+.5", 0.5),
    ("1.5e-05", 1.5e-05),
    ("—", None), ("——", None), ("…", None), ("...", None), ("-", None), ("/", None), ("", None),
])
def test_parse_number(text: str, number: float | None) -> None:
    assert parse_number(text) == number


@pytest.mark.unit
@pytest.mark.parametrize("text", ["abc", "12万", "1_000", "1.2.3", "nan", "NaN", "inf",
                                  "-Infinity"])
def test_parse_number_refuses_text(text: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(f'not a number: {text!r}')}$"):
        parse_number(text)


@pytest.mark.unit
def test_cell_text_drops_the_float_point_of_whole_numbers() -> None:
    assert cell_text(320500.0) == "320500"
    assert cell_text(1.5) == "1.5"
    assert cell_text(None) == ""
    assert cell_text(" 苏州市 ") == "苏州市"
