"""Suggestions for unresolved names against the real code records' name history
(areacodes result.csv, loaded through the normal ingestion path): every city-level name
valid in the data year is a candidate, so many are written alike (X州市, X安市); sound and
the release's own province put the right one first. Help only: never a resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from citytiers.errors import ReleaseError
from citytiers.parse.normalize.dictionary import Dictionary, load_dictionary
from citytiers.parse.release import parse_release
from citytiers.settings import Settings

pytestmark = [pytest.mark.functional, pytest.mark.realdata]

SIDECAR = ("publisher: test\ntitle: TEST CASE {name}\nedition_year: 2023\ndata_year: 2022\n"
           "published_on: 2023-06-30\nis_synthetic: true\nformat: yearbook_table\n")
JIANGSU_ROWS = ["南京市,16907", "无锡市,14850", "苏州市,23958", "南通市,11379", "常州市,9550"]


@pytest.fixture(scope="module")
def names(shared_data: Path, load_releases) -> Dictionary:
    settings: Settings = load_releases("suggestions", shared_data / "areacodes" / "result.csv")
    loaded = load_dictionary(settings.seeds).with_name_history(settings.build_db)
    assert loaded.name_history, "the code records gave no names"
    return loaded


def yearbook(folder: Path, name: str, rows: list[str]) -> Path:
    table = folder / f"{name}.csv"
    table.write_text("表1 测试用例（2022年）\n城市,地区生产总值(万元)\n" + "\n".join(rows) + "\n",
                     encoding="utf-8")
    table.with_name(f"{name}.csv.release.yml").write_text(SIDECAR.format(name=name),
                                                          encoding="utf-8")
    return table


def test_yangzhou_first_for_yangzhou_misspelt(names: Dictionary) -> None:
    """Written alike, 杨州市 is as near to a dozen X州市 of 2022 as to 扬州市; it sounds
    like 扬州市 only."""
    near = names.nearest_names("杨州市", 2022, "32")
    assert near[0] == ("扬州市", "321000")
    assert len(near) == 8 and all(name.endswith("州市") for name, _ in near)
    assert names.nearest_names("杨州市", 2022)[0] == ("扬州市", "321000")


def test_huaian_first_for_huaian_misread_in_jiangsu(names: Dictionary) -> None:
    """准安市 is as near to 淮安市 as to 西安/吉安/六安/泰安/延安/雅安市: the province decides."""
    near = names.nearest_names("准安市", 2022, "32")
    assert near[0] == ("淮安市", "320800")
    others = {name for name, _ in near[1:]}
    assert {"西安市", "泰安市"} <= others
    assert names.nearest_names("准安市", 2022, "37")[0] == ("泰安市", "370900")


def test_suggestions_are_not_resolutions(names: Dictionary) -> None:
    assert names.city_code_for("杨州市", 2022) is None
    assert names.city_code_for("准安市", 2022) is None


def test_release_of_jiangsu_cities_lists_yangzhou_and_huaian_first(names: Dictionary,
                                                                   tmp_path: Path) -> None:
    table = yearbook(tmp_path, "jiangsu", [*JIANGSU_ROWS, "杨州市,7105", "准安市,4742"])
    with pytest.raises(ReleaseError, match=r"杨州市 \(row 8; nearest known: 扬州市 321000, "
                                           r".*准安市 \(row 9; nearest known: 淮安市 320800, "):
        parse_release(table, names)


def test_section_row_names_the_province(names: Dictionary, tmp_path: Path) -> None:
    """A national table: no province holds most rows, the section row 江苏省 above says."""
    rows = ["北京市,41610", "上海市,44653", "广州市,28839", "成都市,20817", "江苏省,",
            "南京市,16907", "准安市,4742", "山东省,", "济南市,12027"]
    with pytest.raises(ReleaseError, match=r"准安市 \(row 9; nearest known: 淮安市 320800, "):
        parse_release(yearbook(tmp_path, "national", rows), names)
