"""What a retired code became: one successor of the same place, or a sentence saying why
not (a split, a merger, an absorption, nothing), on small histories written here."""

from __future__ import annotations

import pytest

from citytiers.parse.normalize.code_history import CodeHistory, CodeSpan, Link, Succession

pytestmark = pytest.mark.unit

P, C = "地级", "县级"


def history(spans: list[tuple], links: list[tuple]) -> CodeHistory:
    return CodeHistory.from_rows([CodeSpan(*span) for span in spans],
                                 [Link(*link) for link in links], "test")


def test_an_upgrade_resolves_to_the_new_code_in_later_years() -> None:
    h = history([("652100", "吐鲁番地区", P, 1981, 2015), ("650400", "吐鲁番市", P, 2015, None)],
                [("652100", "650400", 2015, "event")])
    found = h.successor("652100", 2018)
    assert isinstance(found, Succession)
    assert (found.code, found.name) == ("650400", "吐鲁番市")
    assert "652100 吐鲁番地区 left the code lists in 2015" in found.explained(h)
    assert h.valid_in("652100", 2015) and not h.valid_in("652100", 2016)


def test_a_chain_is_followed_to_the_code_in_force() -> None:
    h = history([("1", "甲县", C, 1981, 2000), ("2", "甲市", C, 2000, 2010),
                 ("3", "甲区", C, 2010, None)],
                [("1", "2", 2000, "a"), ("2", "3", 2010, "b")])
    assert h.successor("1", 2005).code == "2"
    assert h.successor("1", 2015).code == "3"
    assert [link.new_code for link in h.successor("1", 2015).chain] == ["2", "3"]


@pytest.mark.parametrize(("spans", "links", "why"), [
    ([("1", "甲县", C, 1981, 2015), ("2", "乙区", C, 2015, None), ("3", "丙区", C, 2015, None)],
     [("1", "2", 2015, "x"), ("1", "3", 2015, "x")], "split among 2 乙区, 3 丙区"),
    ([("1", "甲区", C, 1981, 2009), ("4", "丁区", C, 1981, 2009), ("2", "新区", C, 2009, None)],
     [("1", "2", 2009, "x"), ("4", "2", 2009, "x")], "1 甲区 and 4 丁区 were merged into 2 新区"),
    ([("1", "莱芜市", P, 1992, 2018), ("2", "济南市", P, 1981, None)],
     [("1", "2", 2018, "x")], "absorbed by 2 济南市, which existed before"),
    ([("1", "巢湖市", P, 1999, 2011)], [], "neither the code records nor the change events"),
])
def test_no_single_successor_of_the_same_place_is_a_reason(spans, links, why: str) -> None:
    found = history(spans, links).successor("1", 2020)
    assert isinstance(found, str) and why in found
