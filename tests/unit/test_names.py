"""Name resolution with history: the name valid in the data year, former names, no guesses."""

from __future__ import annotations

import pytest

from citytiers.dictionary import normalize_label
from citytiers.names import NameHistory, NameSpan, is_city_level

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
