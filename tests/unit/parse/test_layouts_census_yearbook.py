"""The census_yearbook adapter on a small generated workbook in the census yearbook layout:
a header of two rows with line breaks and merged cells, codes stored as floats, uncoded
subtotals (市辖区), names indented by level with spaces and full-width spaces."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from citytiers.discover.metadata import KNOWN_RELEASES_DIR, sidecar_path
from citytiers.errors import ReleaseError
from citytiers.parse.layouts import ADAPTERS
from citytiers.parse.layouts.census_yearbook import TOTALS_COLUMNS, TOTALS_TABLE, RowName
from citytiers.parse.release import parse_release

SHEET = "分县"
TOTAL_HEADER = "人口数\n（人）"
SIDECAR = {
    "publisher": "test", "title": "TEST CASE census yearbook", "edition_year": 2012,
    "data_year": 2010, "published_on": "2012-06-01", "is_synthetic": True,
    "format": "census_yearbook", "header_rows": 2, "code_column": "区划代码",
    "name_column": "地区", "levels": ["prefecture", "municipality"],
    # Matched without white space and line breaks, full- or half-width brackets alike.
    "columns": {"人口数(人) / 合计": {"indicator": "population_resident", "unit": "人",
                                  "scope": "whole_city",
                                  "basis": "census_yearbook_resident"}},
    "totals_column": "人口数（人）/合计",
}
FW = "\u3000"  # full-width space
# (name as printed, code as a float or None, 合计, 男); row 3 onwards of the sheet.
ROWS: list[tuple[str, float | None, float | str | None, float | None]] = [
    ("北京市", 110000.0, 1961.0, 1000.0),          # row 3: municipality
    ("市辖区", None, 1883.0, 960.0),               # row 4: its uncoded subtotal, flush left
    ("  东城区", 110101.0, 919.0, 470.0),          # row 5
    ("  西城区", 110102.0, 964.0, 490.0),          # row 6
    ("县", None, 78.0, 40.0),                      # row 7
    ("  密云县", 110228.0, 78.0, 40.0),            # row 8
    ("", None, None, None),                        # row 9: blank row between provinces
    ("河北省", 130000.0, 7000.0, 3500.0),          # row 10: province
    ("石家庄市", 130100.0, 1016.0, 510.0),         # row 11: prefecture, adds up
    (f"{FW}市辖区", None, 600.0, 300.0),           # row 12: subtotal with children
    (f"{FW}{FW}长安区", 130102.0, 350.0, 170.0),   # row 13
    (f"{FW}{FW}桥西区", 130104.0, 250.0, 130.0),   # row 14
    (f"{FW}辛集市", 130181.0, 416.0, 210.0),       # row 15
    ("东莞市", 441900.0, 822.0, 430.0),            # row 16: city without districts
    ("  市辖区", None, 822.0, 430.0),              # row 17: uncoded leaf
    ("大兴安岭地区", 232700.0, 511.0, 260.0),      # row 18: a prefecture with
    ("  加格达奇", None, 154.0, 80.0),             # row 19:   uncoded units
    ("  松岭区", None, 33.0, 17.0),                # row 20
    ("  呼玛县", 232721.0, 324.0, 163.0),          # row 21
    ("", None, None, None),                        # row 22
    ("注：本表按2010年行政区划。", None, None, None),  # row 23: footnote
]


def write_workbook(folder: Path, rows=ROWS, sidecar: dict | None = None) -> Path:
    """The test workbook and its sidecar beside it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(["地区", "区划代码", TOTAL_HEADER, None, "性别比\n（女=100）"])
    sheet.append([None, None, "合计", "男", None])
    for cells in ("A1:A2", "B1:B2", "C1:D1", "E1:E2"):
        sheet.merge_cells(cells)
    for name, code, total, male in rows:
        sheet.append([name or None, code, total, male, None])
    path = folder / "census_yearbook_case.xlsx"
    workbook.save(path)
    sidecar_path(path).write_text(yaml.safe_dump(sidecar or SIDECAR, allow_unicode=True),
                                  encoding="utf-8")
    return path


@pytest.mark.unit
def test_registered_as_its_own_format() -> None:
    assert "census_yearbook" in ADAPTERS


@pytest.mark.unit
@pytest.mark.parametrize(("printed", "name", "indent"), [
    ("北京市", "北京市", 0), ("  东城区", "东城区", 2), (f"{FW}辛集市", "辛集市", 2),
    (f"{FW}{FW}长安区", "长安区", 4), (" \u00a0加格达奇 ", "加格达奇", 2),
])
def test_names_lose_their_indentation(printed: str, name: str, indent: int) -> None:
    assert RowName.parse(printed) == RowName(name, indent)


@pytest.mark.unit
def test_prefectures_and_municipalities_with_lineage(tmp_path: Path, dictionary) -> None:
    parsed = parse_release(write_workbook(tmp_path), dictionary)
    assert parsed.file_format == "census_yearbook"
    frame = parsed.observations.set_index("city_code")
    # Float codes read as 6-digit codes; provinces and counties are not cities here.
    assert list(frame.index) == ["110000", "130100", "441900", "232700"]
    beijing = frame.loc["110000"]
    assert beijing["city_name_raw"] == "北京市"
    assert beijing["value"] == 1961.0 and beijing["value_raw"] == "1961"
    assert (beijing["indicator_code"], beijing["scope"], beijing["basis"], beijing["data_year"],
            beijing["unit_raw"], beijing["base_unit"]) == (
        "population_resident", "whole_city", "census_yearbook_resident", 2010, "人", "persons")
    # Lineage to the cell: sheet, 1-based row, column letter, both header rows as printed.
    assert (beijing["source_sheet"], beijing["source_row"], beijing["source_column"]) == (
        SHEET, 3, "C")
    assert beijing["raw_header"] == f"{TOTAL_HEADER} / 合计"
    assert frame.loc["232700", "city_name_raw"] == "大兴安岭地区"
    assert frame.loc["232700", "source_row"] == 18
    assert frame.loc["441900", "value"] == 822.0


@pytest.mark.unit
def test_prefecture_totals_against_coded_counties(tmp_path: Path, dictionary) -> None:
    parsed = parse_release(write_workbook(tmp_path), dictionary)
    totals = parsed.tables[TOTALS_TABLE]
    assert list(totals.columns) == list(TOTALS_COLUMNS)
    rows = totals.set_index("prefecture_code").to_dict("index")
    assert list(rows) == ["130100", "441900", "232700"]  # prefectures only, file order
    # 石家庄: districts under an uncoded 市辖区 subtotal (deeper indentation) plus a
    # county-level city; the subtotal is not a unit of its own.
    shijiazhuang = rows["130100"]
    assert pd.isna(shijiazhuang.pop("uncoded_units"))
    assert shijiazhuang == {
        "prefecture_name": "石家庄市", "printed_total": 1016.0, "coded_county_sum": 1016.0,
        "coded_county_count": 3, "difference": 0.0, "uncoded_unit_count": 0,
        "source_sheet": SHEET, "source_row": 11, "source_column": "C"}
    # 东莞: no coded county at all, only an uncoded 市辖区.
    assert (rows["441900"]["coded_county_count"], rows["441900"]["difference"],
            rows["441900"]["uncoded_units"]) == (0, 822.0, "市辖区 822")
    # 大兴安岭: 加格达奇 and 松岭区 carry no code, so the coded counties fall short.
    assert (rows["232700"]["coded_county_sum"], rows["232700"]["coded_county_count"],
            rows["232700"]["difference"], rows["232700"]["uncoded_unit_count"],
            rows["232700"]["uncoded_units"]) == (324.0, 1, 187.0, 2, "加格达奇 154; 松岭区 33")
    summary = next(n for n in parsed.notes if n.startswith("prefecture totals"))
    assert "1 of 3" in summary and "东莞市" in summary and "大兴安岭地区" in summary


@pytest.mark.unit
def test_notes_name_uncoded_rows_and_unloaded_columns(tmp_path: Path, dictionary) -> None:
    notes = parse_release(write_workbook(tmp_path), dictionary).notes
    uncoded = next(n for n in notes if "without a code" in n)
    assert uncoded.startswith("7 row(s)")  # 3 x 市辖区, 县, 加格达奇, 松岭区, the footnote
    assert "市辖区 x3" in uncoded and "加格达奇" in uncoded
    columns = next(n for n in notes if "not loaded (not in the sidecar" in n)
    assert columns.startswith("2 column(s)")
    assert "人口数（人） / 男" in columns and "性别比（女=100）" in columns


@pytest.mark.unit
def test_without_totals_column_no_table(tmp_path: Path, dictionary) -> None:
    sidecar = {k: v for k, v in SIDECAR.items() if k != "totals_column"}
    parsed = parse_release(write_workbook(tmp_path, sidecar=sidecar), dictionary)
    assert parsed.tables == {}
    assert len(parsed.observations) == 4


@pytest.mark.unit
def test_a_column_the_header_lacks_is_named(tmp_path: Path, dictionary) -> None:
    sidecar = {**SIDECAR, "header_rows": 1}  # the group label alone: 人口数/合计 is not there
    with pytest.raises(ReleaseError, match="人口数"):
        parse_release(write_workbook(tmp_path, sidecar=sidecar), dictionary)


@pytest.mark.unit
def test_bad_code_and_missing_prefecture_total_name_their_cells(tmp_path: Path,
                                                                 dictionary) -> None:
    rows = list(ROWS)
    rows[2] = ("  东城区", 1101.0, 919.0, 470.0)  # row 5: a 4-digit code
    rows[13] = ("东莞市", 441900.0, None, 430.0)  # row 16: a prefecture without 合计
    with pytest.raises(ReleaseError, match=re.escape("2 problem(s):")) as raised:
        parse_release(write_workbook(tmp_path, rows=rows), dictionary)
    message = str(raised.value)
    assert "'1101' is not 6 digits" in message and "row 5" in message
    assert "441900 东莞市 has no figure" in message and "row 16" in message


@pytest.mark.unit
def test_shipped_sidecar_for_the_2010_county_file() -> None:
    sidecar = yaml.safe_load((KNOWN_RELEASES_DIR / "census_county_2010_v1.xlsx.release.yml")
                             .read_text(encoding="utf-8"))
    assert sidecar["format"] == "census_yearbook" and sidecar["data_year"] == 2010
    assert sidecar["license"] == "MIT" and sidecar["is_synthetic"] is False
    assert len(sidecar["sha256"]) == 64
    assert sidecar["columns"]["合计"]["basis"] == "census_yearbook_resident"
    assert sidecar["totals_column"] == "合计"
