"""Malformed releases: one named case file per defect in ``tests/cases/bad``.

Each case is parsed the way the pipeline does it (format from the sidecar, metadata from
sidecar and title row) and must fail with a :class:`ReleaseError` whose message names the
file and, where there is one, the row, the column letter and the offending text.
Bad-but-parseable data (negative GDP, duplicate keys) must parse: Great Expectations
rejects it, in the functional tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from citytiers.discover.metadata import read_sidecar, resolve_metadata
from citytiers.errors import MetadataMissingError, ReleaseError, ReleaseProblems
from citytiers.parse.layouts import adapter_for
from citytiers.parse.normalize.dictionary import Dictionary
from tests.conftest import CASES

BAD = CASES / "bad"
GOOD = CASES / "good"
SIDECAR_SUFFIX = ".release.yml"
# Parseable cases that the raw_observations suite rejects (used by the functional tests).
PARSEABLE = ("negative_gdp.csv", "duplicate_key.csv")
NO_SIDECAR = ("no_sidecar_no_title.csv",)
# Cases whose sidecar itself is the defect (refused when read;
# tests/functional/orchestration/test_bad_night.py).
BAD_SIDECAR = ("sidecar_billion_laughs.csv",)


@dataclass(frozen=True)
class Defect:
    """A case file and what its error must say."""

    file: str
    match: str                   # regex the message must match
    row: int | None = None       # spreadsheet row of the offending cell, if any
    column: str | None = None    # its column letter, if any


DEFECTS = [
    Defect("unknown_header.csv", r"unknown header '地区面积\(平方公里\)'", row=2, column="C"),
    Defect("unknown_unit.csv", r"unknown unit '美元' in header '地区生产总值\(美元\)'",
           row=2, column="B"),
    Defect("unit_of_wrong_kind.csv", r"unit '万人' measures persons, but gdp is in yuan",
           row=2, column="B"),
    Defect("header_without_unit.csv", r"header '地区生产总值' gives no unit in brackets",
           row=2, column="B"),
    Defect("figures_under_empty_header.csv", r"figures under an empty header",
           row=2, column="C"),
    Defect("non_numeric_value.csv", r"value 'abc' is not a number", row=5, column="D"),
    Defect("unresolved_city_name.csv",
           r"2 city name\(s\) not resolved to a code: 火星市 \(row 4\), 月球城 \(row 6\)",
           column="A"),
    Defect("code_not_6_digits.csv", r"code '32050' of '苏州市' is not 6 digits",
           row=4, column="A"),
    Defect("tidy_missing_column.csv", r"tidy CSV lacks column\(s\) scope", row=1),
    Defect("tidy_unknown_indicator.csv", r"unknown indicator 'gdp_usd'", row=3, column="D"),
    Defect("data_year_not_in_sidecar.csv",
           r"data year 2021 is not among the release's data_years \[2022\]", row=3, column="C"),
    Defect("yearbook_two_data_years.csv",
           r"a yearbook table holds one data year, but the metadata lists \[2021, 2022\]"),
    Defect("empty_table.csv", r"no observations found"),
    Defect("empty_tidy_csv.csv", r"no observations: every value is blank"),
    Defect("not_a_spreadsheet.xlsx", r"cannot read the workbook"),
]


def parse_case(path: Path, dictionary: Dictionary) -> pd.DataFrame:
    """Parse as ``citytiers.load.ingest`` does: the sidecar's format, else the detected one."""
    adapter = adapter_for(path, read_sidecar(path).get("format"), dictionary)
    meta = resolve_metadata(path, adapter.sniff_title(path))
    return adapter.parse(path, meta).observations


def only_problem(error: ReleaseError) -> ReleaseError:
    """The one cell-level problem inside a :class:`ReleaseProblems`, or the error itself."""
    if isinstance(error, ReleaseProblems):
        assert len(error.problems) == 1, str(error)
        return error.problems[0]
    return error


def case_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()
                  if p.is_file() and not p.name.endswith(SIDECAR_SUFFIX))


# --------------------------------------------------------------------------- the cases


@pytest.mark.unit
def test_every_parse_level_defect_is_a_case_file() -> None:
    # Every case's night outcome is asserted in
    # tests/functional/orchestration/test_bad_night.py; these
    # are the ones refused by the parser itself, checked here cell by cell.
    tested = {d.file for d in DEFECTS} | set(PARSEABLE) | set(NO_SIDECAR)
    assert tested <= set(case_files(BAD))
    assert "gbk_encoded.csv" in case_files(GOOD)


@pytest.mark.unit
@pytest.mark.parametrize("path", [BAD / n for n in case_files(BAD)
                                  if n not in NO_SIDECAR + BAD_SIDECAR]
                         + [GOOD / n for n in case_files(GOOD)], ids=lambda p: p.name)
def test_case_sidecars_are_otherwise_valid(path: Path) -> None:
    sidecar = yaml.safe_load(Path(f"{path}{SIDECAR_SUFFIX}").read_text(encoding="utf-8"))
    assert sidecar["publisher"] == "test"
    assert sidecar["is_synthetic"] is True
    assert sidecar["title"].startswith("TEST CASE")
    meta = resolve_metadata(path)          # the sidecar alone is complete and valid
    assert meta.format in {"tidy_csv", "yearbook_table"}


@pytest.mark.unit
@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: d.file)
def test_bad_case_is_refused_with_a_precise_message(defect: Defect,
                                                    dictionary: Dictionary) -> None:
    path = BAD / defect.file
    with pytest.raises(ReleaseError, match=defect.match) as caught:
        parse_case(path, dictionary)
    message = str(caught.value)
    assert message.startswith(f"file {path.name}")
    assert caught.value.file == str(path)
    problem = only_problem(caught.value)
    assert (problem.row, problem.column) == (defect.row, defect.column)
    assert re.search(defect.match, str(problem))
    if defect.row is not None:
        assert f"row {defect.row}" in message
    if defect.column is not None:
        assert f"column {defect.column}" in message


@pytest.mark.unit
def test_no_sidecar_and_no_title_lists_the_missing_metadata(dictionary: Dictionary) -> None:
    path = BAD / "no_sidecar_no_title.csv"
    assert not Path(f"{path}{SIDECAR_SUFFIX}").exists()
    with pytest.raises(MetadataMissingError, match="release metadata missing") as caught:
        parse_case(path, dictionary)
    assert caught.value.missing == ["data_years", "edition_year", "published_on", "publisher",
                                    "title"]
    message = str(caught.value)
    assert message.startswith("file no_sidecar_no_title.csv")
    assert "no_sidecar_no_title.csv.release.yml" in message


@pytest.mark.unit
def test_a_non_numeric_cell_in_a_workbook_names_the_sheet(tmp_path: Path,
                                                          dictionary: Dictionary) -> None:
    path = tmp_path / "non_numeric_value.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "表2-1"
    sheet.append(["表2-1 测试用例（2022年）"])
    sheet.append(["城市", "地区生产总值(万元)", "年末户籍人口(万人)"])
    sheet.append(["苏州市", 239583400, 690.33])
    sheet.append(["南京市", 169074100, "约700"])
    workbook.save(path)
    Path(f"{path}{SIDECAR_SUFFIX}").write_text(
        (BAD / f"unknown_header.csv{SIDECAR_SUFFIX}").read_text(encoding="utf-8"),
        encoding="utf-8")
    with pytest.raises(ReleaseError, match="value '约700' is not a number") as caught:
        parse_case(path, dictionary)
    problem = only_problem(caught.value)
    assert (problem.sheet, problem.row, problem.column) == ("表2-1", 4, "C")
    assert "file non_numeric_value.xlsx, sheet '表2-1', row 4, column C" in str(caught.value)


# --------------------------------------------------------------------------- parseable cases


@pytest.mark.unit
def test_negative_gdp_parses(dictionary: Dictionary) -> None:
    frame = parse_case(BAD / "negative_gdp.csv", dictionary)
    gdp = frame[(frame.city_code == "320500") & (frame.indicator_code == "gdp")]
    assert list(gdp.value) == pytest.approx([-23958.34e8])


@pytest.mark.unit
def test_duplicate_key_parses(dictionary: Dictionary) -> None:
    frame = parse_case(BAD / "duplicate_key.csv", dictionary)
    key = ["city_code", "data_year", "indicator_code", "scope"]
    duplicated = frame[frame.duplicated(key, keep=False)]
    assert list(duplicated.source_row) == [2, 4]
    assert set(duplicated.city_code) == {"320500"}


@pytest.mark.unit
def test_gbk_encoded_csv_parses(dictionary: Dictionary) -> None:
    path = GOOD / "gbk_encoded.csv"
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError, match=re.escape("'utf-8' codec can't decode byte")):
        data.decode("utf-8")                    # the case really is not UTF-8
    frame = parse_case(path, dictionary)
    values = {(r.city_code, r.indicator_code, r.scope): r.value for r in frame.itertuples()}
    assert values == pytest.approx({
        ("320500", "gdp", "whole_city"): 157168100e4,
        ("320500", "population_registered", "whole_city"): 1082.90e4,
        ("320100", "gdp", "whole_city"): 135951800e4,
        ("320100", "gdp", "urban_districts"): 82656274e4,
        ("320100", "population_registered", "whole_city"): 1458.03e4,
        ("320200", "gdp", "whole_city"): 159027000e4,
        ("320200", "population_registered", "whole_city"): 740.00e4,
    })
    assert set(frame.unit_raw) == {"万元", "万人"}
    assert set(frame.data_year) == {2022}
