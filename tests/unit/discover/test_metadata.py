"""Release metadata: the sidecar, completed from the file's title row and name."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from citytiers.discover.metadata import (
    ReleaseMetadata,
    infer_from_file,
    read_sidecar,
    resolve_metadata,
    sidecar_path,
)
from citytiers.errors import MetadataMissingError, ReleaseError

FULL_SIDECAR = """\
publisher: test
title: "TEST CASE - metadata"
edition_year: 2021
data_year: 2020
published_on: 2021-12-15
format: yearbook_table
is_synthetic: true
"""
TITLE_ROW = "2-1 地区生产总值（2019年）"


def release(tmp_path: Path, name: str, sidecar: str | None = None) -> Path:
    """A data file named ``name`` in tmp_path, with ``sidecar`` as its .release.yml."""
    path = tmp_path / name
    path.write_text("城市,地区生产总值(万元)\n苏州市,1\n", encoding="utf-8")
    if sidecar is not None:
        sidecar_path(path).write_text(sidecar, encoding="utf-8")
    return path


@pytest.mark.unit
def test_sidecar_path_appends_the_suffix() -> None:
    assert sidecar_path(Path("/x/report.xlsx")) == Path("/x/report.xlsx.release.yml")


@pytest.mark.unit
def test_data_year_becomes_data_years(tmp_path: Path) -> None:
    path = release(tmp_path, "t.csv", FULL_SIDECAR)
    assert read_sidecar(path)["data_years"] == [2020]
    assert "data_year" not in read_sidecar(path)
    meta = resolve_metadata(path)
    assert meta == ReleaseMetadata(publisher="test", title="TEST CASE - metadata",
                                   edition_year=2021, data_years=[2020],
                                   published_on=dt.date(2021, 12, 15), format="yearbook_table",
                                   is_synthetic=True)


@pytest.mark.unit
def test_data_years_are_sorted_and_deduplicated(tmp_path: Path) -> None:
    sidecar = FULL_SIDECAR.replace("data_year: 2020", "data_years: [2020, 2018, 2020]")
    assert resolve_metadata(release(tmp_path, "t.csv", sidecar)).data_years == [2018, 2020]


@pytest.mark.unit
def test_no_sidecar_reads_as_empty(tmp_path: Path) -> None:
    assert read_sidecar(release(tmp_path, "t.csv")) == {}


@pytest.mark.unit
def test_missing_sidecar_lists_exactly_the_fields_still_missing(tmp_path: Path) -> None:
    path = release(tmp_path, "中国城市统计年鉴2021_表2.csv")
    with pytest.raises(MetadataMissingError, match="release metadata missing") as caught:
        resolve_metadata(path, TITLE_ROW)
    # The title row gave title and data year, the file name the edition.
    assert caught.value.missing == ["published_on", "publisher"]
    assert "中国城市统计年鉴2021_表2.csv" in str(caught.value)
    assert "published_on, publisher" in str(caught.value)
    assert "中国城市统计年鉴2021_表2.csv.release.yml" in str(caught.value)


@pytest.mark.unit
def test_missing_sidecar_and_nothing_to_infer_lists_every_field(tmp_path: Path) -> None:
    missing = "file t.csv: release metadata missing: data_years, edition_year, published_on, " \
              "publisher, title. Add them to t.csv.release.yml"
    with pytest.raises(MetadataMissingError, match=f"^{re.escape(missing)}") as caught:
        resolve_metadata(release(tmp_path, "t.csv"), None)
    assert caught.value.missing == ["data_years", "edition_year", "published_on", "publisher",
                                    "title"]
    assert isinstance(caught.value, ReleaseError)
    assert str(caught.value).startswith("file t.csv: release metadata missing")


@pytest.mark.unit
def test_partial_sidecar_is_completed_from_title_row_and_file_name(tmp_path: Path) -> None:
    sidecar = "publisher: test\npublished_on: 2021-12-15\nis_synthetic: true\n"
    meta = resolve_metadata(release(tmp_path, "中国城市统计年鉴2021_表2.csv", sidecar), TITLE_ROW)
    assert meta.title == TITLE_ROW
    assert meta.data_years == [2019]
    assert meta.edition_year == 2021


@pytest.mark.unit
def test_sidecar_fields_win_over_the_file(tmp_path: Path) -> None:
    meta = resolve_metadata(release(tmp_path, "yearbook_2022_t1.xlsx", FULL_SIDECAR), TITLE_ROW)
    assert (meta.title, meta.data_years, meta.edition_year) == (
        "TEST CASE - metadata", [2020], 2021)


@pytest.mark.unit
def test_blank_sidecar_fields_are_gaps_the_file_fills(tmp_path: Path) -> None:
    sidecar = ("publisher: test\ntitle:\nedition_year: ''\ndata_year:\n"
               "published_on: 2021-12-15\n")
    meta = resolve_metadata(release(tmp_path, "yearbook_2022_t1.xlsx", sidecar), TITLE_ROW)
    assert (meta.title, meta.data_years, meta.edition_year) == (TITLE_ROW, [2019], 2022)


@pytest.mark.unit
def test_a_blank_data_year_with_no_title_is_reported_missing(tmp_path: Path) -> None:
    sidecar = FULL_SIDECAR.replace("data_year: 2020", "data_year:")
    with pytest.raises(MetadataMissingError, match="missing: data_years") as caught:
        resolve_metadata(release(tmp_path, "t.csv", sidecar), None)
    assert caught.value.missing == ["data_years"]


@pytest.mark.unit
@pytest.mark.parametrize(("title", "years"), [
    ("2-1 地区生产总值（2019年）", [2019]),
    ("表1 城市主要经济与人口指标(2021年)", [2021]),
    ("2-1 地區生產總值（ 2023 年）", [2023]),
])
def test_data_year_is_inferred_from_a_title_row(title: str, years: list[int]) -> None:
    inferred = infer_from_file(Path("t.xlsx"), title)
    assert inferred == {"title": title, "data_years": years}


@pytest.mark.unit
def test_a_title_without_a_bracketed_year_gives_no_data_year() -> None:
    assert infer_from_file(Path("t.xlsx"), "中国城市统计年鉴 2019 地区生产总值") == {
        "title": "中国城市统计年鉴 2019 地区生产总值"}
    assert infer_from_file(Path("t.xlsx"), None) == {}


@pytest.mark.unit
@pytest.mark.parametrize(("name", "edition"), [
    ("中国城市统计年鉴2021_表2.csv", 2021),
    ("yearbook_2022_t1.xlsx", 2022),
    ("YEARBOOK-2019.xlsx", 2019),
    ("中國城市統計年鑑2024.xlsx", 2024),
])
def test_edition_year_is_inferred_from_the_file_name(name: str, edition: int) -> None:
    assert infer_from_file(Path(name), None) == {"edition_year": edition}


@pytest.mark.unit
@pytest.mark.parametrize("name", ["communique_2021.csv", "t2021.xlsx", "yearbook_t1.xlsx"])
def test_no_edition_without_yearbook_in_the_name(name: str) -> None:
    assert "edition_year" not in infer_from_file(Path(name), None)


@pytest.mark.unit
def test_invalid_yaml_is_a_release_error(tmp_path: Path) -> None:
    path = release(tmp_path, "t.csv", "publisher: [test\ntitle: x\n")
    with pytest.raises(ReleaseError, match="sidecar is not valid YAML") as caught:
        resolve_metadata(path)
    assert caught.value.file == str(sidecar_path(path))
    assert "t.csv.release.yml" in str(caught.value)


@pytest.mark.unit
@pytest.mark.parametrize("text", ["- publisher: test\n- title: x\n", "just a string\n", ""])
def test_a_sidecar_that_is_not_a_mapping_is_a_release_error(tmp_path: Path, text: str) -> None:
    path = release(tmp_path, "t.csv", text)
    with pytest.raises(ReleaseError, match="sidecar must be a YAML mapping") as caught:
        resolve_metadata(path)
    assert "t.csv.release.yml" in str(caught.value)


@pytest.mark.unit
@pytest.mark.parametrize("year", [1800, 1948, dt.date.today().year + 1, 2999])
def test_implausible_data_year_in_the_sidecar_is_rejected(tmp_path: Path, year: int) -> None:
    path = release(tmp_path, "t.csv", FULL_SIDECAR.replace("2020", str(year), 1))
    with pytest.raises(ReleaseError, match=f"data year {year} is outside 1949..") as caught:
        resolve_metadata(path)
    assert "invalid release metadata" in str(caught.value)
    assert "t.csv" in str(caught.value)


@pytest.mark.unit
def test_implausible_data_year_in_the_title_is_rejected(tmp_path: Path) -> None:
    sidecar = "publisher: test\nedition_year: 2021\npublished_on: 2021-12-15\n"
    with pytest.raises(ReleaseError, match="data year 2099 is outside"):
        resolve_metadata(release(tmp_path, "t.csv", sidecar), "表1 地区生产总值（2099年）")


@pytest.mark.unit
def test_wrongly_typed_fields_are_release_errors(tmp_path: Path) -> None:
    sidecar = FULL_SIDECAR.replace("2021-12-15", "last winter")
    with pytest.raises(ReleaseError, match="invalid release metadata: published_on"):
        resolve_metadata(release(tmp_path, "t.csv", sidecar))
