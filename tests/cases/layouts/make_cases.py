"""Write the yearbook-layout test cases in this folder. EVERY FIGURE HERE IS SYNTHETIC.

The files are small SYNTHETIC tables in the layouts that the 中国城市统计年鉴 and provincial
yearbooks really print (bilingual headers, a unit in its own header row, a unit column,
scope above indicator, province section rows, tables continued on further sheets or
further down one sheet, two tables side by side). The cities and their 6-digit codes are
real (dbt_project/seeds/city_reference.csv); the figures are invented, NOT official
statistics. Every sidecar says ``publisher: sample`` / ``is_synthetic: true`` and its title
contains ``SYNTHETIC SAMPLE``.

For each data file ``<file>`` this writes
- ``<file>.release.yml``: the sidecar (format yearbook_table, one data year);
- ``<file>.expected.csv``: exactly the observations the yearbook_table adapter must produce
  (city_code, scope, indicator_code, data_year, value in base units, source_sheet,
  source_row 1-based, source_column letter), or for a case in ``bad/``
  ``<file>.expected_error.txt``: a regex the error message must match.

The output is deterministic (XLSX with fixed document properties and zip timestamps, CSV
with LF line endings), so re-running it leaves git clean:

    .venv/bin/python tests/cases/layouts/make_cases.py [OUT_DIR]
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from tools.generate_samples import save_workbook

HERE = Path(__file__).resolve().parent
DATA_YEAR = 2022
FIXED_TIMESTAMP = dt.datetime(2024, 12, 31, 0, 0, 0)
FIXED_ZIP_TIME = (2024, 12, 31, 0, 0, 0)
XLSX_CREATOR = "tests/cases/layouts/make_cases.py (synthetic test case)"
EXPECTED_COLUMNS = ("city_code", "scope", "indicator_code", "data_year", "value",
                    "source_sheet", "source_row", "source_column")
# Printed unit -> factor to the base unit (yuan, persons), written out here on purpose
# rather than read from the seeds, so the expected values are an independent statement.
FACTORS = {"万元": Decimal(10_000), "亿元": Decimal(100_000_000), "万人": Decimal(10_000)}

# city code -> (full name, short name, pinyin) as printed; codes from city_reference.csv.
CITIES = {
    "320100": ("南京市", "南京", "Nanjing"),
    "320500": ("苏州市", "苏州", "Suzhou"),
    "320200": ("无锡市", "无锡", "Wuxi"),
    "330100": ("杭州市", "杭州", "Hangzhou"),
    "330200": ("宁波市", "宁波", "Ningbo"),
    "330300": ("温州市", "温州", "Wenzhou"),
    "440100": ("广州市", "广州", "Guangzhou"),
}
# INVENTED figures: GDP in 万元 (whole city, districts), registered population in 万人.
FIGURES = {
    "320100": (168_765_400, 168_765_400, "712.36", "712.36"),
    "320500": (238_765_400, 160_987_600, "688.41", "401.15"),
    "320200": (147_654_300, 98_123_400, "507.93", "261.48"),
    "330100": (187_432_100, 171_234_500, "831.27", "709.62"),
    "330200": (156_321_900, 101_456_700, "615.08", "311.87"),
    "330300": (80_123_400, 35_678_900, "829.53", "171.45"),
    "440100": (287_654_300, 287_654_300, "1031.92", "1031.92"),
}
TITLE_SUFFIX = "（2022年）（合成样例 SYNTHETIC SAMPLE）"
NOTE = "注：本表数据为合成样例数据（SYNTHETIC SAMPLE），非官方统计。"
NOTE_BILINGUAL = NOTE + " Note: synthetic figures, not official statistics."
GDP = "地区生产总值(万元)"
POP = "年末户籍人口(万人)"


def gdp(code: str, scope: str = "whole_city") -> int:
    return FIGURES[code][0 if scope == "whole_city" else 1]


def pop(code: str, scope: str = "whole_city") -> float:
    return float(FIGURES[code][2 if scope == "whole_city" else 3])


def name(code: str) -> str:
    return CITIES[code][0]


# --------------------------------------------------------------------------- building


@dataclass
class Sheet:
    """One sheet as rows of cells (``rows[0]`` is spreadsheet row 1) plus merged ranges."""

    name: str | None
    rows: list[list[object]] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> int:
        """Append a row; return its 1-based row number."""
        self.rows.append(list(cells))
        return len(self.rows)


@dataclass
class Case:
    file: str                    # path relative to this folder
    title: str                   # sidecar title (after "SYNTHETIC SAMPLE - ")
    sheets: list[Sheet]
    expected: list[dict[str, object]] = field(default_factory=list)
    expected_error: str | None = None

    def obs(self, code: str, scope: str, indicator: str, printed: object, unit: str,
            sheet: Sheet, row: int, column: str) -> None:
        """Expect one observation: the figure as printed, in ``unit``, at ``column``/``row``."""
        value = Decimal(str(printed)) * FACTORS[unit]
        assert value == value.to_integral_value(), (printed, unit)
        self.expected.append({
            "city_code": code, "scope": scope, "indicator_code": indicator,
            "data_year": DATA_YEAR, "value": str(int(value)),
            "source_sheet": sheet.name or "", "source_row": row, "source_column": column,
        })


# --------------------------------------------------------------------------- the cases


def bilingual_headers(file: str) -> Case:
    """中国城市统计年鉴 style: Chinese and English in one header cell, names `南京 Nanjing`."""
    sheet = Sheet(None if file.endswith(".csv") else "2-9")
    case = Case(file, "双语表头 bilingual headers", [sheet])
    sheet.add("2-9 地区生产总值与户籍人口" + TITLE_SUFFIX
              + " Gross Regional Product and Registered Population (2022)")
    sheet.add("城\u3000市 City",
              "地区生产总值(当年价格)(万元) Gross Regional Product (current prices)(10 000 yuan)",
              None, "年末户籍人口(万人) Year-end Registered Population", None)
    sheet.add(None, "全市 Total City", "市辖区 Districts under City",
              "全市 Total City", "市辖区 Districts under City")
    sheet.merges += ["A2:A3", "B2:C2", "D2:E2"]
    for code in ("320100", "320500", "320200", "330100"):
        _, short, pinyin = CITIES[code]
        row = sheet.add(f"{short} {pinyin}", gdp(code), gdp(code, "d"), pop(code),
                        pop(code, "d"))
        case.obs(code, "whole_city", "gdp", gdp(code), "万元", sheet, row, "B")
        case.obs(code, "urban_districts", "gdp", gdp(code, "d"), "万元", sheet, row, "C")
        case.obs(code, "whole_city", "population_registered", pop(code), "万人",
                 sheet, row, "D")
        case.obs(code, "urban_districts", "population_registered", pop(code, "d"), "万人",
                 sheet, row, "E")
    sheet.add(NOTE_BILINGUAL)
    return case


def unit_in_own_row() -> Case:
    """Indicator in row 2, its unit `(万元)` alone in row 3, scopes in row 4."""
    sheet = Sheet("表1")
    case = Case("unit_in_own_row.xlsx", "单位单独一行 unit in its own header row", [sheet])
    sheet.add("表1 地区生产总值与户籍人口" + TITLE_SUFFIX)
    sheet.add("代码", "城市", "地区生产总值", None, "年末户籍人口", None)
    sheet.add(None, None, "(万元)", None, "(万人)", None)
    sheet.add(None, None, "全市", "市辖区", "全市", "市辖区")
    sheet.merges += ["A2:A4", "B2:B4", "C2:D2", "E2:F2", "C3:D3", "E3:F3"]
    for code in ("320100", "320500", "330100", "440100"):
        row = sheet.add(code, name(code), gdp(code), gdp(code, "d"), pop(code), pop(code, "d"))
        case.obs(code, "whole_city", "gdp", gdp(code), "万元", sheet, row, "C")
        case.obs(code, "urban_districts", "gdp", gdp(code, "d"), "万元", sheet, row, "D")
        case.obs(code, "whole_city", "population_registered", pop(code), "万人",
                 sheet, row, "E")
        case.obs(code, "urban_districts", "population_registered", pop(code, "d"), "万人",
                 sheet, row, "F")
    sheet.add(NOTE)
    return case


def unit_column() -> Case:
    """A 计量单位 column says, row by row, what unit the (unit-less) GDP header is in."""
    sheet = Sheet("表1")
    case = Case("unit_column.xlsx", "计量单位列 unit column", [sheet])
    sheet.add("表1 地区生产总值" + TITLE_SUFFIX)
    sheet.add("城市", "计量单位", "地区生产总值")
    units = {"320100": "万元", "320500": "亿元", "320200": "万元", "330100": "亿元",
             "330200": "亿元", "330300": "万元"}
    for code, unit in units.items():
        printed = Decimal(gdp(code)) / (FACTORS[unit] / FACTORS["万元"])
        figure: object = int(printed) if unit == "万元" else float(printed)
        row = sheet.add(CITIES[code][1], unit, figure)
        case.obs(code, "whole_city", "gdp", figure, unit, sheet, row, "C")
    sheet.add(NOTE)
    return case


def scope_above_indicator() -> Case:
    """Row 2: 全市 merged over two columns, then 市辖区; row 3: the indicators under each."""
    sheet = Sheet("表1")
    case = Case("scope_above_indicator.xlsx", "口径在指标之上 scope above indicator", [sheet])
    sheet.add("表1 地区生产总值与户籍人口" + TITLE_SUFFIX)
    sheet.add("城市", "全市", None, "市辖区", None)
    sheet.add(None, GDP, POP, GDP, POP)
    sheet.merges += ["A2:A3", "B2:C2", "D2:E2"]
    for code in ("320100", "320500", "320200", "330100", "330200"):
        districts_pop: object = "—" if code == "330200" else pop(code, "d")
        row = sheet.add(name(code), gdp(code), pop(code), gdp(code, "d"), districts_pop)
        case.obs(code, "whole_city", "gdp", gdp(code), "万元", sheet, row, "B")
        case.obs(code, "whole_city", "population_registered", pop(code), "万人",
                 sheet, row, "C")
        case.obs(code, "urban_districts", "gdp", gdp(code, "d"), "万元", sheet, row, "D")
        if districts_pop != "—":       # a placeholder is no observation
            case.obs(code, "urban_districts", "population_registered", pop(code, "d"),
                     "万人", sheet, row, "E")
    sheet.add(NOTE)
    return case


def province_sections() -> Case:
    """Section rows 江苏省 / 浙江省 (no figures) above their cities; names only, no codes."""
    sheet = Sheet("表1")
    case = Case("province_sections.xlsx", "分省小节 province section rows", [sheet])
    sheet.add("表1 地区生产总值与户籍人口" + TITLE_SUFFIX)
    sheet.add("城市", GDP, POP)
    for province, codes in (("江苏省", ("320100", "320500", "320200")),
                            ("浙江省", ("330100", "330200"))):
        sheet.add(province, None, None)
        for code in codes:
            row = sheet.add(name(code), gdp(code), pop(code))
            case.obs(code, "whole_city", "gdp", gdp(code), "万元", sheet, row, "B")
            case.obs(code, "whole_city", "population_registered", pop(code), "万人",
                     sheet, row, "C")
    sheet.add(NOTE)
    return case


def _two_row_header(sheet: Sheet, row_title: str) -> None:
    """Title row, then 城市 | 地区生产总值(万元) over 全市 市辖区 | 年末户籍人口(万人) over 全市."""
    sheet.add(row_title)
    start = sheet.add("城市", GDP, None, POP)
    sheet.add(None, "全市", "市辖区", "全市")
    sheet.merges += [f"A{start}:A{start + 1}", f"B{start}:C{start}"]


def _city_row(case: Case, sheet: Sheet, code: str) -> None:
    row = sheet.add(name(code), gdp(code), gdp(code, "d"), pop(code))
    case.obs(code, "whole_city", "gdp", gdp(code), "万元", sheet, row, "B")
    case.obs(code, "urban_districts", "gdp", gdp(code, "d"), "万元", sheet, row, "C")
    case.obs(code, "whole_city", "population_registered", pop(code), "万人", sheet, row, "D")


FIRST_PART = ("320100", "320500", "320200")
CONTINUED_PART = ("330100", "330200")


def continued_sheets() -> Case:
    """表1 (title, header, 3 cities) continued on sheet 表1(续): data rows only, no header."""
    first, second = Sheet("表1"), Sheet("表1(续)")
    case = Case("continued_sheets.xlsx", "续表在下一工作表且无表头 continued on a sheet "
                "without header", [first, second])
    _two_row_header(first, "表1 地区生产总值与户籍人口" + TITLE_SUFFIX)
    for code in FIRST_PART:
        _city_row(case, first, code)
    for code in CONTINUED_PART:
        _city_row(case, second, code)
    second.add(NOTE)
    return case


def continued_sheets_repeated_header() -> Case:
    """As continued_sheets, but sheet 续表 repeats the title (续表) and the header."""
    first, second = Sheet("表1"), Sheet("续表")
    case = Case("continued_sheets_repeated_header.xlsx", "续表在下一工作表并重复表头 "
                "continued on a sheet repeating the header", [first, second])
    _two_row_header(first, "表1 地区生产总值与户籍人口" + TITLE_SUFFIX)
    for code in FIRST_PART:
        _city_row(case, first, code)
    _two_row_header(second, "续表")
    for code in CONTINUED_PART:
        _city_row(case, second, code)
    second.add(NOTE)
    return case


def continued_blocks_one_sheet() -> Case:
    """One sheet: table, blank row, a 续表 title row and the header again, more cities."""
    sheet = Sheet("表1")
    case = Case("continued_blocks_one_sheet.xlsx", "同一工作表内续表 continued further down "
                "the same sheet", [sheet])
    _two_row_header(sheet, "表1 地区生产总值与户籍人口" + TITLE_SUFFIX)
    for code in FIRST_PART:
        _city_row(case, sheet, code)
    sheet.add(None, None, None, None)
    _two_row_header(sheet, "续表")
    for code in CONTINUED_PART:
        _city_row(case, sheet, code)
    sheet.add(NOTE)
    return case


def side_by_side() -> Case:
    """Two tables on one sheet: A-D GDP by scope, E blank, F-I population by scope."""
    sheet = Sheet("表1")
    case = Case("side_by_side.xlsx", "左右并排两表 two tables side by side", [sheet])
    sheet.add("表1 地区生产总值与户籍人口" + TITLE_SUFFIX)
    sheet.add("代码", "城市", GDP, None, None, "代码", "城市", POP, None)
    sheet.add(None, None, "全市", "市辖区", None, None, None, "全市", "市辖区")
    sheet.merges += ["A2:A3", "B2:B3", "C2:D2", "F2:F3", "G2:G3", "H2:I2"]
    for left, right in zip(("320100", "320500", "320200"), ("330100", "330200", "330300"),
                           strict=True):
        row = sheet.add(int(left), name(left), gdp(left), gdp(left, "d"), None,
                        int(right), name(right), pop(right), pop(right, "d"))
        case.obs(left, "whole_city", "gdp", gdp(left), "万元", sheet, row, "C")
        case.obs(left, "urban_districts", "gdp", gdp(left, "d"), "万元", sheet, row, "D")
        case.obs(right, "whole_city", "population_registered", pop(right), "万人",
                 sheet, row, "H")
        case.obs(right, "urban_districts", "population_registered", pop(right, "d"), "万人",
                 sheet, row, "I")
    sheet.add(NOTE)
    return case


def continuation_unreadable() -> Case:
    """BAD: sheet 表1(续) looks like a continuation (city names, numbers) but has five
    columns instead of three and text where figures should be: an error, not a skip."""
    first, second = Sheet("表1"), Sheet("表1(续)")
    case = Case("bad/continuation_unreadable.xlsx", "无法读取的续表 unreadable continuation",
                [first, second],
                expected_error=r"continuation_unreadable\.xlsx[\s\S]*表1\(续\)[\s\S]*"
                               r"has figures in column\(s\) D, E where that table has "
                               r"3 column\(s\)")
    first.add("表1 地区生产总值与户籍人口" + TITLE_SUFFIX)
    first.add("城市", GDP, POP)
    for code in FIRST_PART:
        first.add(name(code), gdp(code), pop(code))
    second.add(name("330100"), gdp("330100"), pop("330100"), 12.6, "见注1")
    second.add(name("330200"), "未公布", pop("330200"), 9.8, "见注2")
    second.add(NOTE)
    return case


def all_cases() -> list[Case]:
    return [
        bilingual_headers("bilingual_headers.xlsx"),
        bilingual_headers("bilingual_headers.csv"),
        unit_in_own_row(),
        unit_column(),
        scope_above_indicator(),
        province_sections(),
        continued_sheets(),
        continued_sheets_repeated_header(),
        continued_blocks_one_sheet(),
        side_by_side(),
        continuation_unreadable(),
    ]


# --------------------------------------------------------------------------- writing


def write_data(case: Case, path: Path) -> None:
    if path.suffix == ".csv":
        (sheet,) = case.sheets
        width = max(len(r) for r in sheet.rows)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for row in sheet.rows:
                writer.writerow(["" if c is None else c for c in row]
                                + [""] * (width - len(row)))
        return
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in case.sheets:
        worksheet = workbook.create_sheet(sheet.name)
        for row in sheet.rows:
            worksheet.append(row)
        for merged in sheet.merges:
            worksheet.merge_cells(merged)
    save_workbook(workbook, path, XLSX_CREATOR)


def write_sidecar(case: Case, path: Path) -> None:
    path.with_name(path.name + ".release.yml").write_text(
        "# Layout test case written by tests/cases/layouts/make_cases.py.\n"
        "# SYNTHETIC: the figures are invented; they are not official statistics.\n"
        "publisher: sample\n"
        f'title: "SYNTHETIC SAMPLE - {case.title} (layout test case, 非官方数据)"\n'
        "edition_year: 2023\n"
        f"data_year: {DATA_YEAR}\n"
        "published_on: 2023-12-31\n"
        "source_url: null\n"
        "license: CC0-1.0\n"
        "format: yearbook_table\n"
        "is_synthetic: true\n", encoding="utf-8")


def write_expected(case: Case, path: Path) -> None:
    if case.expected_error is not None:
        path.with_name(path.name + ".expected_error.txt").write_text(
            case.expected_error + "\n", encoding="utf-8")
        return
    with path.with_name(path.name + ".expected.csv").open("w", encoding="utf-8",
                                                          newline="") as handle:
        writer = csv.DictWriter(handle, EXPECTED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(case.expected)


def main(out_dir: Path = HERE) -> list[Path]:
    written = []
    for case in all_cases():
        path = out_dir / case.file
        path.parent.mkdir(parents=True, exist_ok=True)
        write_data(case, path)
        write_sidecar(case, path)
        write_expected(case, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written_path)
