"""Suggestions a steward can use (issue 21): a printed name that resolves to nothing is
listed with the known names nearest in writing and in sound (pinyin), those of the
release's own province first among equally near ones. Help only: never a resolution.

The seed dictionary here; the real code records' name history in
tests/functional/parse/test_normalize_real_suggestions.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from citytiers.errors import ReleaseError
from citytiers.parse.normalize.dictionary import Dictionary, majority_province
from citytiers.parse.release import parse_release

pytestmark = pytest.mark.unit

YEARBOOK_SIDECAR = ("publisher: test\ntitle: TEST CASE {name}\nedition_year: 2023\n"
                    "data_year: 2022\npublished_on: 2023-06-30\nis_synthetic: true\n"
                    "format: yearbook_table\n")
TIDY_SIDECAR = ("publisher: test\ntitle: TEST CASE {name}\nedition_year: 2023\n"
                "data_years: [2022]\npublished_on: 2023-06-30\nis_synthetic: true\n"
                "format: tidy_csv\n")
# Cities of 江苏 that resolve (the release's own province), then the misprints.
JIANGSU_ROWS = ["南京市,16907", "无锡市,14850", "苏州市,23958", "南通市,11379", "常州市,9550"]


def yearbook(folder: Path, name: str, rows: list[str]) -> Path:
    table = folder / f"{name}.csv"
    table.write_text("表1 测试用例（2022年）\n城市,地区生产总值(万元)\n" + "\n".join(rows) + "\n",
                     encoding="utf-8")
    table.with_name(f"{name}.csv.release.yml").write_text(YEARBOOK_SIDECAR.format(name=name),
                                                          encoding="utf-8")
    return table


def first_suggestion(dictionary: Dictionary, name: str, province: str | None) -> str:
    return dictionary.nearest_names(name, 2022, province)[0][0]


# ------------------------------------------------------------------ ranking (seed names)


def test_a_name_that_sounds_the_same_comes_first(dictionary: Dictionary) -> None:
    """杨州市 (yang zhou shi) is written like every X州市, but sounds like 扬州市 only."""
    assert dictionary.nearest_names("杨州市", 2022, "32")[0] == ("扬州市", "321000")
    # Pronunciation outweighs the province: a 河南 release still gets 扬州市 first.
    assert first_suggestion(dictionary, "杨州市", "41") == "扬州市"
    assert first_suggestion(dictionary, "杨州市", None) == "扬州市"
    # Sound alone is enough to be offered: 羊洲市 shares only 市 with 扬州市 in writing.
    assert ("扬州市", "321000") in dictionary.nearest_names("羊洲市", 2022)


def test_the_release_province_orders_equally_near_names(dictionary: Dictionary) -> None:
    """准安市 (an OCR misreading) is as near to 淮安市 as to 西安市 in writing and sound:
    the release's province decides."""
    assert dictionary.nearest_names("准安市", 2022, "32")[0] == ("淮安市", "320800")
    assert first_suggestion(dictionary, "准安市", "61") == "西安市"
    assert {n for n, _ in dictionary.nearest_names("准安市", 2022)} >= {"淮安市", "西安市"}


def test_the_province_bonus_never_lifts_a_farther_name(dictionary: Dictionary) -> None:
    """A 江苏 release: the 江苏 names written X州市 follow 扬州市, and nothing unlike the
    printed name is offered because it is in the province."""
    near = [n for n, _ in dictionary.nearest_names("杨州市", 2022, "32")]
    assert near[0] == "扬州市" and set(near[1:5]) == {"常州市", "徐州市", "泰州市", "苏州市"}
    assert dictionary.nearest_names("火星市", 2022, "32") == []


def test_suggestions_never_resolve(dictionary: Dictionary) -> None:
    assert dictionary.city_code_for("杨州市", 2022) is None
    assert dictionary.city_code_for("准安市", 2022) is None


@pytest.mark.parametrize(("counts", "province"), [
    ({"32": 12, "31": 1}, "32"),
    ({"32": 3}, "32"),
    ({"32": 1, "11": 1}, None),                # no province holds more than half
    ({"44": 21, "51": 18, "32": 13}, None),    # a national yearbook
    ({}, None),
])
def test_the_release_province_is_the_majority_of_its_cities(counts: dict[str, int],
                                                            province: str | None) -> None:
    assert majority_province(counts) == province


def test_province_names_give_their_code_digits(dictionary: Dictionary) -> None:
    assert dictionary.province_code("江苏省") == dictionary.province_code("江苏") == "32"
    assert dictionary.province_code("廣西壯族自治區") == "45"
    assert dictionary.province_code("苏州市") is None


# ------------------------------------------------------------------ in the parsers' errors


def test_yearbook_of_jiangsu_cities_suggests_yangzhou_and_huaian_first(
        dictionary: Dictionary, tmp_path: Path) -> None:
    table = yearbook(tmp_path, "jiangsu", [*JIANGSU_ROWS, "杨州市,7105", "准安市,4742"])
    with pytest.raises(ReleaseError, match=r"杨州市 \(row 8; nearest known: 扬州市 321000, "
                                           r".*准安市 \(row 9; nearest known: 淮安市 320800, "):
        parse_release(table, dictionary)


def test_a_province_section_row_gives_the_province(dictionary: Dictionary,
                                                   tmp_path: Path) -> None:
    """A table of mostly 江苏 cities, but 准安市 printed under the section row 陕西省: the
    section says which province it is in."""
    rows = [*JIANGSU_ROWS, "陕西省,", "准安市,4742"]
    with pytest.raises(ReleaseError, match=r"准安市 \(row 9; nearest known: 西安市 610100, "):
        parse_release(yearbook(tmp_path, "section", rows), dictionary)
    rows = ["江苏省,", "准安市,4742", "西安市,11486", "宝鸡市,2743", "咸阳市,2813"]
    with pytest.raises(ReleaseError, match=r"准安市 \(row 4; nearest known: 淮安市 320800, "):
        parse_release(yearbook(tmp_path, "section_first", rows), dictionary)


def test_a_table_of_another_province_suggests_its_names(dictionary: Dictionary,
                                                        tmp_path: Path) -> None:
    rows = ["西安市,11486", "宝鸡市,2743", "咸阳市,2813", "准安市,4742"]
    with pytest.raises(ReleaseError, match=r"准安市 \(row 6; nearest known: 西安市 610100, "):
        parse_release(yearbook(tmp_path, "shaanxi", rows), dictionary)


@pytest.mark.parametrize(("resolved", "first"), [
    ([("320100", "南京市"), ("320200", "无锡市"), ("320500", "苏州市"), ("310000", "上海市")],
     "淮安市 320800"),
    ([("610100", "西安市"), ("610300", "宝鸡市"), ("610400", "咸阳市"), ("320500", "苏州市")],
     "西安市 610100"),
])
def test_tidy_csv_suggests_the_names_of_its_own_province_first(
        dictionary: Dictionary, tmp_path: Path, resolved: list[tuple[str, str]],
        first: str) -> None:
    """The release's province is the one most of its other rows resolve to (3 of 4)."""
    table = tmp_path / "tidy.csv"
    lines = ["city_code,city_name,data_year,indicator,scope,value,unit",
             *(f"{code},{name},2022,地区生产总值,全市,100,亿元" for code, name in resolved),
             ",准安市,2022,地区生产总值,全市,4742,亿元",
             ",杨州市,2022,地区生产总值,全市,7105,亿元"]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table.with_name("tidy.csv.release.yml").write_text(TIDY_SIDECAR.format(name="tidy"),
                                                       encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"row 6, column A: city code '' is not 6 digits "
                                           r"and name '准安市' is not a known city") as raised:
        parse_release(table, dictionary)
    message = str(raised.value)
    assert f"name '准安市' is not a known city; nearest known: {first}, " in message
    assert "name '杨州市' is not a known city; nearest known: 扬州市 321000, " in message
