"""A yearbook table without a code column whose name cells carry the code (南京 320100,
南京市(320100), 南京市（320100）, 320100南京市): the code is the row's printed code, as a
code column's value would be, and the rest of the cell its printed name."""

from __future__ import annotations

from pathlib import Path

import pytest

from citytiers.errors import ReleaseError
from citytiers.gates.reference import name_problems
from citytiers.parse.layouts.yearbook_table import split_label_code
from citytiers.parse.normalize.dictionary import Dictionary
from citytiers.parse.release import parse_release

pytestmark = pytest.mark.unit

SIDECAR = ("publisher: test\ntitle: TEST CASE {name}\nedition_year: 2023\ndata_year: 2022\n"
           "published_on: 2023-06-30\nis_synthetic: true\nformat: yearbook_table\n")


def yearbook(folder: Path, name: str, header: str, rows: list[str]) -> Path:
    table = folder / f"{name}.csv"
    table.write_text("表1 测试用例（2022年）\n" + header + "\n" + "\n".join(rows) + "\n",
                     encoding="utf-8")
    table.with_name(f"{name}.csv.release.yml").write_text(SIDECAR.format(name=name),
                                                          encoding="utf-8")
    return table


@pytest.mark.parametrize(("label", "split"), [
    ("南京 320100", ("南京", "320100")),
    ("南京市(320100)", ("南京市", "320100")),
    ("南京市（320100）", ("南京市", "320100")),
    ("南京市 （320100）", ("南京市", "320100")),
    ("320100南京市", ("南京市", "320100")),
    ("320100 南京市", ("南京市", "320100")),
    ("南京市３２０１００", ("南京市", "320100")),       # full-width digits
    ("南京市", ("南京市", None)),
    ("320100", ("320100", None)),                      # no name: not split
    ("南京市(32010)", ("南京市(32010)", None)),         # five digits are no code
    ("南京市(3201000)", ("南京市(3201000)", None)),
    ("南京市(320100", ("南京市(320100", None)),         # unbalanced bracket
    ("(320100)", ("(320100)", None)),
])
def test_split_label_code(label: str, split: tuple[str, str | None]) -> None:
    assert split_label_code(label) == split


def test_codes_in_name_cells_are_the_printed_codes(dictionary: Dictionary,
                                                   tmp_path: Path) -> None:
    rows = ["南京 320100,100", "无锡市(320200),200", "徐州市（320300）,300",
            "320400常州市,400", "320500苏州市 Suzhou,500", "南通市,600"]
    table = yearbook(tmp_path, "label_codes", "城市,地区生产总值(万元)", rows)
    observations = parse_release(table, dictionary).observations
    got = sorted(zip(observations["source_row"], observations["city_code"],
                     observations["city_name_raw"], strict=True))
    assert got == [(3, "320100", "南京"), (4, "320200", "无锡市"), (5, "320300", "徐州市"),
                   (6, "320400", "常州市"), (7, "320500", "苏州市"),
                   (8, "320600", "南通市")]  # no code printed: resolved by its name


def test_a_code_in_a_name_cell_is_checked_like_a_code_columns(dictionary: Dictionary,
                                                              tmp_path: Path) -> None:
    """The printed code is the row's, whatever the name says: a name that is not the
    code's is left to the gate before load (as with a code column), never resolved by
    the name instead; a table with a code column keeps its name cells as printed."""
    table = yearbook(tmp_path, "label_code_wrong", "城市,地区生产总值(万元)",
                     ["南京市(320100),100", "苏州市(320600),200"])
    observations = parse_release(table, dictionary).observations
    printed = list(zip(observations["city_name_raw"], observations["city_code"],
                       observations["data_year"], strict=True))
    assert sorted(printed) == [("南京市", "320100", 2022), ("苏州市", "320600", 2022)]
    problems = name_problems(dictionary, printed)["problem"]
    assert problems[printed.index(("南京市", "320100", 2022))] is None
    assert problems[printed.index(("苏州市", "320600", 2022))].startswith(
        "name '苏州市' is not a name of code 320600 (南通市); 苏州市 is 320500")
    with_column = yearbook(tmp_path, "code_column", "代码,城市,地区生产总值(万元)",
                           ["320100,南京市(320100),100"])
    assert parse_release(with_column, dictionary).observations[
        "city_name_raw"].tolist() == ["南京市(320100)"]


def test_a_code_row_does_not_need_a_resolvable_name(dictionary: Dictionary,
                                                    tmp_path: Path) -> None:
    """准安市 alone resolves to nothing and fails the release; printed with its code it is
    the code's row (and its spelling the gate's and the steward's business)."""
    alone = yearbook(tmp_path, "name_alone", "城市,地区生产总值(万元)", ["准安市,100"])
    with pytest.raises(ReleaseError, match=r"准安市 \(row 3; nearest known: 淮安市 320800"):
        parse_release(alone, dictionary)
    coded = yearbook(tmp_path, "name_coded", "城市,地区生产总值(万元)", ["准安市(320800),100"])
    observations = parse_release(coded, dictionary).observations
    assert observations[["city_code", "city_name_raw"]].values.tolist() == [
        ["320800", "准安市"]]
