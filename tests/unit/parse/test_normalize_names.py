"""Name resolution with history: the name valid in the data year, former names, no guesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from citytiers.errors import ReleaseError
from citytiers.parse.normalize.dictionary import Dictionary, normalize_label
from citytiers.parse.normalize.names import NameHistory, NameSpan, is_city_level
from citytiers.parse.release import parse_release

# Records as the code lists give them (year-end lists; valid_to exclusive).
SPANS = [
    NameSpan("420600", "襄樊市", 1981, 2010),
    NameSpan("420600", "襄阳市", 2010, None),
    NameSpan("522400", "毕节地区", 1981, 2011),
    NameSpan("520500", "毕节市", 2011, None),
    NameSpan("371200", "莱芜市", 1992, 2018),
    NameSpan("370100", "济南市", 1981, None),
    NameSpan("220200", "吉林市", 1981, None),
    NameSpan("320500", "苏州市", 1983, None),
]
# Two codes that carried one name at the same time cannot be told apart.
CLASH = [NameSpan("111100", "同名市", 2000, None), NameSpan("222200", "同名市", 2000, None)]


@pytest.fixture(scope="module")
def history() -> NameHistory:
    return NameHistory.from_spans(SPANS, normalize_label)


def resolve(history: NameHistory, name: str, year: int | None) -> str | None:
    return history.resolve(normalize_label(name), year)


@pytest.mark.unit
@pytest.mark.parametrize(("name", "year", "code"), [
    ("襄阳市", 2011, "420600"),
    ("襄樊", 2011, "420600"),      # the former name, printed after the renaming
    ("襄樊市", 2005, "420600"),
    ("蘇州", 2020, "320500"),      # traditional, without the suffix
    ("苏州市", None, "320500"),
    ("毕节", 2011, "520500"),      # the new city, not the abolished 地区, for 2011 data
    ("毕节地区", 2010, "522400"),
    ("毕节", 2010, "522400"),
    ("莱芜市", 2018, "371200"),    # abolished in December 2018: still has 2018 figures
    ("济南", 2019, "370100"),
    ("襄阳市", 2005, "420600"),    # today's name in a series reprinted for earlier years
])
def test_resolves_the_code_valid_in_the_data_year(history: NameHistory, name: str,
                                                  year: int | None, code: str) -> None:
    assert resolve(history, name, year) == code


@pytest.mark.unit
@pytest.mark.parametrize(("name", "year"), [
    ("莱芜市", 2019),   # gone: its territory is Jinan's now, but nothing is guessed
    ("火星市", 2020),
    ("吉林省", 2020),   # a province is not a city
])
def test_does_not_guess(history: NameHistory, name: str, year: int) -> None:
    assert resolve(history, name, year) is None


@pytest.mark.unit
def test_two_codes_with_one_name_are_ambiguous() -> None:
    history = NameHistory.from_spans(CLASH, normalize_label)
    assert history.resolve(normalize_label("同名市"), 2020) is None


@pytest.mark.unit
def test_only_prefecture_level_units_and_municipalities_are_cities() -> None:
    assert is_city_level("320500", "地级") and is_city_level("110000", "省级")
    assert not is_city_level("320000", "省级") and not is_city_level("320583", "县级")


@pytest.mark.unit
def test_unresolved_names_get_the_nearest_known_names_never_a_guess(
        dictionary: Dictionary, tmp_path: Path) -> None:
    """OCR misreadings (准安市 for 淮安市, 夏门市 for 厦门市) are named with their nearest
    known names and codes in the reason; the release still fails."""
    assert ("淮安市", "320800") in dictionary.nearest_names("准安市")
    assert ("厦门市", "350200") in dictionary.nearest_names("夏门市")
    assert ("秦皇岛市", "130300") in dictionary.nearest_names("秦阜岛市")
    assert dictionary.nearest_names("火星市") == []
    table = tmp_path / "ocr.csv"
    table.write_text("表1 测试用例（2022年）\n城市,地区生产总值(万元)\n准安市,100\n苏州市,200\n",
                     encoding="utf-8")
    table.with_name("ocr.csv.release.yml").write_text(
        "publisher: test\ntitle: TEST CASE ocr\nedition_year: 2023\ndata_year: 2022\n"
        "published_on: 2023-06-30\nis_synthetic: true\nformat: yearbook_table\n",
        encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"准安市 \(row 3; nearest known: [^)]*淮安市 320800"):
        parse_release(table, dictionary)
