"""Write the formula-cell test cases. EVERY FIGURE HERE IS INVENTED (not official statistics).

Three small yearbook tables (title row, header ``城市,地区生产总值(万元)``, real city names,
invented figures) whose GDP column holds formula cells, for tests/unit/parse/test_read_formulas.py:

- ``bad/formula_without_cached_value.xlsx``: 10 cities, 3 GDP cells are formulas without a
  stored result (as a script such as openpyxl writes them): they would read as blanks.
- ``bad/formula_dde_command.xlsx``: one GDP cell is the DDE formula ``cmd|' /C calc'!A0``
  with a stored (plausible-looking) value: refused all the same.
- ``good/formula_with_cached_value.xlsx``: 2 GDP cells are formulas with stored results
  (``<v>``), as Excel or LibreOffice save them: loaded, with a warning.

openpyxl writes every formula as ``<f>..</f><v />`` (no stored result), so the sheet XML is
rewritten inside the zip to add (or drop) the ``<v>`` elements. The output is deterministic
(fixed document properties and zip timestamps), so re-running this leaves git clean:

    .venv/bin/python tests/cases/make_formula_cases.py [OUT_DIR]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from tools.generate_samples import save_workbook

HERE = Path(__file__).resolve().parent
TITLE = "TEST CASE (synthetic, not official statistics)"
CREATOR = "tests/cases/make_formula_cases.py (synthetic test case)"
SHEET = "表1"
SHEET_PART = "xl/worksheets/sheet1.xml"
HEADER = ("城市", "地区生产总值(万元)")
# Real city names; INVENTED GDP figures in 万元.
CITIES = (
    # The first six as in the bundled samples' 2022 figures: the corpus night loads these
    # cases after the samples, and the gates compare them with the samples' vintage.
    ("苏州市", 157_168_100), ("南京市", 135_951_800), ("无锡市", 159_027_000),
    ("常州市", 95_500_000), ("南通市", 117_831_738), ("徐州市", 14_037_800),
    ("扬州市", 70_462_100), ("盐城市", 70_796_900), ("泰州市", 64_016_600),
    ("镇江市", 50_172_300),
)
GDP_WAN = dict(CITIES)  # a formula's stored result is the figure it stands for


@dataclass
class Case:
    """One workbook: its rows (row 1 first) and the stored result of each formula cell
    (None: no ``<v>`` at all; ``""``: an empty ``<v></v>``)."""

    file: str
    title: str                     # sidecar title, after "TEST CASE - "
    purpose: str                   # sidecar comment
    rows: list[tuple[object, ...]] = field(default_factory=list)
    stored: dict[str, str | None] = field(default_factory=dict)


def _table(table_title: str, cities: int) -> list[tuple[object, ...]]:
    return [(table_title,), HEADER, *CITIES[:cities]]


def formula_without_cached_value() -> Case:
    case = Case("bad/formula_without_cached_value.xlsx",
                "formula cells without calculated values",
                "3 GDP cells are formulas saved without a calculated value (refused).",
                _table("表1 测试用例 公式无计算结果（2022年）", 10))
    for cell, formula in (("B5", "=B3*2"), ("B8", "=B6+B7"), ("B11", "=B9*2")):
        row = int(cell[1:]) - 1
        case.rows[row] = (case.rows[row][0], formula)
    case.stored = {"B5": "", "B8": None, "B11": None}   # an empty <v></v>, then no <v> at all
    return case


def formula_dde_command() -> Case:
    case = Case("bad/formula_dde_command.xlsx", "DDE command formula",
                "one GDP cell is the DDE formula cmd|' /C calc'!A0, with a stored value "
                "(refused all the same).", _table("表1 测试用例 DDE公式（2022年）", 5))
    case.rows[5] = (case.rows[5][0], "=cmd|' /C calc'!A0")
    case.stored = {"B6": str(GDP_WAN["常州市"])}
    return case


def formula_with_cached_value() -> Case:
    case = Case("good/formula_with_cached_value.xlsx", "formula cells with calculated values",
                "2 GDP cells are formulas with calculated values (loaded, with a warning).",
                _table("表1 测试用例 公式有计算结果（2022年）", 5))
    case.rows[3] = (case.rows[3][0], "=100000000+35951800")
    case.rows[5] = (case.rows[5][0], "=90000000+5500000")
    case.stored = {"B4": str(GDP_WAN["南京市"]), "B6": str(GDP_WAN["常州市"])}
    return case


def all_cases() -> list[Case]:
    return [formula_without_cached_value(), formula_dde_command(), formula_with_cached_value()]


# --------------------------------------------------------------------------- writing


def set_stored_results(sheet_xml: str, stored: dict[str, str | None]) -> str:
    """Give each formula cell its ``<v>`` (or none): openpyxl wrote ``<f>..</f><v />``."""
    for cell, value in stored.items():
        pattern = re.compile(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>')
        replacement = r"\1" if value is None else rf"\1<v>{value}</v>"
        sheet_xml, count = pattern.subn(replacement, sheet_xml)
        if count != 1:
            raise RuntimeError(f"formula cell {cell} not found as openpyxl writes it")
    return sheet_xml


def write_case(case: Case, path: Path) -> None:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = SHEET
    for row in case.rows:
        worksheet.append(row)
    def with_results(xml: bytes) -> bytes:
        return set_stored_results(xml.decode("utf-8"), case.stored).encode("utf-8")

    save_workbook(workbook, path, CREATOR, title=TITLE, edit={SHEET_PART: with_results})
    path.with_name(path.name + ".release.yml").write_text(
        "# Test case for tests/unit/parse/test_read_formulas.py, written by "
        "tests/cases/make_formula_cases.py:\n"
        f"# {case.purpose}\n"
        "# Invented figures, not official statistics.\n"
        "publisher: test\n"
        f'title: "TEST CASE - {case.title}"\n'
        "edition_year: 2023\n"
        "data_year: 2022\n"
        "published_on: 2023-06-30\n"
        "source_url: null\n"
        "license: CC0-1.0\n"
        "format: yearbook_table\n"
        "is_synthetic: true\n", encoding="utf-8")


def main(out_dir: Path = HERE) -> list[Path]:
    written = []
    for case in all_cases():
        path = out_dir / case.file
        path.parent.mkdir(parents=True, exist_ok=True)
        write_case(case, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written_path)
