"""Code lists: year-end snapshots (``代码 名称`` lines) and the code-record table (result.csv),
and the metadata shipped for the real files (a manifest for the 44 yearly lists)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from citytiers.discover import metadata
from citytiers.discover.metadata import (
    KNOWN_RELEASES_DIR,
    ReleaseMetadata,
    resolve_metadata,
    sidecar_path,
)
from citytiers.errors import MetadataMissingError, ReleaseError
from citytiers.parse.layouts import ADAPTERS, DATA_SUFFIXES, detect_format
from citytiers.parse.layouts.code_list_records import HEADER
from citytiers.parse.release import parse_release
from citytiers.validate.suites import declared_columns

SNAPSHOT_SIDECAR = {
    "publisher": "test", "title": "TEST CASE code list 2019", "edition_year": 2019,
    "data_year": 2019, "published_on": "2019-12-31", "is_synthetic": True,
    "format": "code_list_snapshot",
}
SNAPSHOT = "110000 北京市\n110101 东城区\n\n130000 河北省\n130100 石家庄市\n"
RECORDS_SIDECAR = {
    "publisher": "test", "title": "TEST CASE code records", "edition_year": 2024,
    "data_years": list(range(1981, 2025)), "published_on": "2024-12-31",
    "is_synthetic": True, "format": "code_list_records",
}
RECORDS = (
    "\ufeff" + ",".join(HEADER) + "\n"
    "110000,北京市,,北京市,省级,在用,1981,,\n"
    "110103,北京市,直辖,崇文区,县级,弃用,1981,2010,110101\n"
    "371200,山东省,莱芜市,莱芜市,地级,弃用,1992,2018,\n"
    "420600,湖北省,襄阳市,襄阳市,地级,在用,1983,,420602[1984];420603\n"
    "\n"
)


def write(folder: Path, name: str, text: str, sidecar: dict[str, object]) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    sidecar_path(path).write_text(yaml.safe_dump(sidecar, allow_unicode=True), encoding="utf-8")
    return path


def problems_of(path: Path, dictionary) -> str:
    # Every caller asserts on the message; the match pins at least the file it names.
    with pytest.raises(ReleaseError, match=rf"^file {re.escape(path.name)}[,:]") as raised:
        parse_release(path, dictionary)
    return str(raised.value)


# ---------------------------------------------------------------- year-end snapshots


@pytest.mark.unit
def test_snapshot_lines_become_rows_of_the_sidecars_year(tmp_path: Path, dictionary) -> None:
    parsed = parse_release(write(tmp_path, "2019.txt", SNAPSHOT, SNAPSHOT_SIDECAR), dictionary)
    assert parsed.file_format == "code_list_snapshot"
    assert parsed.observations.empty
    assert list(parsed.tables) == ["admin_code_snapshots"]
    frame = parsed.tables["admin_code_snapshots"]
    assert list(frame.columns) == declared_columns("admin_code_snapshots")
    assert frame.to_dict("records") == [
        {"snapshot_year": 2019, "code": "110000", "name": "北京市", "source_row": 1},
        {"snapshot_year": 2019, "code": "110101", "name": "东城区", "source_row": 2},
        {"snapshot_year": 2019, "code": "130000", "name": "河北省", "source_row": 4},
        {"snapshot_year": 2019, "code": "130100", "name": "石家庄市", "source_row": 5},
    ]  # the blank line 3 is skipped, lines keep their numbers


@pytest.mark.unit
def test_snapshot_reads_a_bom_and_crlf(tmp_path: Path, dictionary) -> None:
    text = "\ufeff" + SNAPSHOT.replace("\n", "\r\n")
    frame = parse_release(write(tmp_path, "2019.txt", text, SNAPSHOT_SIDECAR),
                          dictionary).tables["admin_code_snapshots"]
    assert frame["code"].tolist() == ["110000", "110101", "130000", "130100"]
    assert frame["name"].tolist()[0] == "北京市"


@pytest.mark.unit
@pytest.mark.parametrize(("line", "column", "problem"), [
    ("11010 北京", "A", "代码 '11010' is not 6 digits"),
    ("1101011 北京", "A", "代码 '1101011' is not 6 digits"),
    ("110101  东城区", "B", "surrounding whitespace"),
    ("110101 东城区 ", "B", "surrounding whitespace"),
    ("110101", "B", "is not '代码 名称'"),
    ("110101\t东城区", "B", "is not '代码 名称'"),
    ("110101 ", "B", "名称 is empty"),
])
def test_malformed_snapshot_line_names_file_row_and_column(
        tmp_path: Path, dictionary, line: str, column: str, problem: str) -> None:
    text = f"110000 北京市\n{line}\n130000 河北省\n"
    message = problems_of(write(tmp_path, "2019.txt", text, SNAPSHOT_SIDECAR), dictionary)
    assert f"file 2019.txt, row 2, column {column}: " in message
    assert problem in message
    assert "1 problem(s)" in message


@pytest.mark.unit
def test_every_malformed_snapshot_line_is_reported(tmp_path: Path, dictionary) -> None:
    text = "11000 北京市\n110101 东城区\nabcdef 河北省\n"
    message = problems_of(write(tmp_path, "2019.txt", text, SNAPSHOT_SIDECAR), dictionary)
    assert "2 problem(s)" in message
    assert "row 1, column A" in message and "row 3, column A" in message


@pytest.mark.unit
def test_a_list_for_several_year_ends_gives_a_snapshot_per_year(tmp_path: Path,
                                                                 dictionary) -> None:
    sidecar = {**SNAPSHOT_SIDECAR, "data_year": None, "data_years": [2019, 2018]}
    frame = parse_release(write(tmp_path, "2019.txt", SNAPSHOT, sidecar),
                          dictionary).tables["admin_code_snapshots"]
    assert len(frame) == 8
    assert frame.groupby("snapshot_year")["code"].apply(list).to_dict() == {
        year: ["110000", "110101", "130000", "130100"] for year in (2018, 2019)}
    assert frame["source_row"].tolist() == [1, 2, 4, 5, 1, 2, 4, 5]


@pytest.mark.unit
def test_empty_snapshot_is_an_error(tmp_path: Path, dictionary) -> None:
    message = problems_of(write(tmp_path, "2019.txt", "\n\n", SNAPSHOT_SIDECAR), dictionary)
    assert "file 2019.txt" in message and "no '代码 名称' lines" in message


@pytest.mark.unit
def test_text_files_are_releases_and_code_lists_by_default(tmp_path: Path, dictionary) -> None:
    assert ".txt" in DATA_SUFFIXES
    assert detect_format(tmp_path / "2019.txt") == "code_list_snapshot"
    assert {"code_list_snapshot", "code_list_records", "change_events"} <= set(ADAPTERS)
    path = tmp_path / "2019.txt"
    path.write_text(SNAPSHOT, encoding="utf-8")
    # No sidecar, no manifest entry:
    missing = re.escape("file 2019.txt: release metadata missing: ")
    with pytest.raises(MetadataMissingError, match=missing) as raised:
        parse_release(path, dictionary)
    assert "publisher" in raised.value.missing


# ---------------------------------------------------------------- the manifest


@pytest.mark.unit
def test_manifest_template_strings_become_ints_and_dates(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    path = data / "2018.txt"
    path.write_text(SNAPSHOT, encoding="utf-8")
    known = tmp_path / "known"
    known.mkdir()
    shipped = yaml.safe_load((KNOWN_RELEASES_DIR / "areacodes_annual.manifest.yml")
                             .read_text(encoding="utf-8"))
    manifest = {"template": shipped["template"],
                "files": {"2018.txt": hashlib.sha256(path.read_bytes()).hexdigest()}}
    (known / "test.manifest.yml").write_text(yaml.safe_dump(manifest, allow_unicode=True),
                                             encoding="utf-8")
    monkeypatch.setattr(metadata, "KNOWN_RELEASES_DIR", known)
    meta = resolve_metadata(path)
    assert (meta.edition_year, meta.data_years, meta.published_on) == (
        2018, [2018], dt.date(2018, 12, 31))
    assert meta.title == "县级以上行政区划代码 2018年底"
    assert (meta.format, meta.license, meta.is_synthetic) == ("code_list_snapshot", "CC0-1.0",
                                                              False)
    path.write_text(SNAPSHOT + "150000 内蒙古自治区\n", encoding="utf-8")  # other bytes
    with pytest.raises(MetadataMissingError,
                       match=re.escape("file 2018.txt: release metadata missing: ")):
        resolve_metadata(path)


@pytest.mark.unit
def test_same_bytes_under_two_names_are_one_release_of_both_years(tmp_path: Path,
                                                                  monkeypatch) -> None:
    """areacodes' 2007 and 2008 lists are byte-identical: one release (one sha256)."""
    known = tmp_path / "known"
    known.mkdir()
    digest = hashlib.sha256(SNAPSHOT.encode()).hexdigest()
    manifest = {"template": {"publisher": "test", "title": "list {stem}",
                             "edition_year": "{stem}", "data_year": "{stem}",
                             "published_on": "{stem}-12-31"},
                "files": {"2006.txt": "0" * 64, "2007.txt": digest, "2008.txt": digest}}
    (known / "t.manifest.yml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    monkeypatch.setattr(metadata, "KNOWN_RELEASES_DIR", known)
    for name in ("2007.txt", "2008.txt"):  # whichever name is found first
        path = tmp_path / name
        path.write_text(SNAPSHOT, encoding="utf-8")
        meta = resolve_metadata(path)
        assert (meta.title, meta.edition_year, meta.data_years, meta.published_on) == (
            "list 2008", 2008, [2007, 2008], dt.date(2008, 12, 31))


@pytest.mark.unit
def test_shipped_manifest_lists_the_44_yearly_lists() -> None:
    manifest = yaml.safe_load((KNOWN_RELEASES_DIR / "areacodes_annual.manifest.yml")
                              .read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == [f"{year}.txt" for year in range(1981, 2025)]
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in manifest["files"].values())
    # Two lists did not change from one year-end to the next: the same bytes, one release.
    by_digest: dict[str, list[str]] = {}
    for name, digest in manifest["files"].items():
        by_digest.setdefault(digest, []).append(name)
    assert sorted(names for names in by_digest.values() if len(names) > 1) == [
        ["2007.txt", "2008.txt"], ["2021.txt", "2022.txt"]]
    template = manifest["template"]
    assert template["publisher"] == ("Ministry of Civil Affairs (民政部) code lists, compiled "
                                     "by github.com/yescallop/areacodes")
    filled = {k: v.format(stem="1999") if isinstance(v, str) else v for k, v in template.items()}
    meta = ReleaseMetadata.model_validate({**filled, "data_years": [filled.pop("data_year")]})
    assert (meta.edition_year, meta.data_years, meta.published_on) == (
        1999, [1999], dt.date(1999, 12, 31))


@pytest.mark.unit
def test_shipped_records_sidecar_covers_every_year_end_list() -> None:
    sidecar = yaml.safe_load((KNOWN_RELEASES_DIR / "result.csv.release.yml")
                             .read_text(encoding="utf-8"))
    meta = ReleaseMetadata.model_validate({k: v for k, v in sidecar.items() if k != "sha256"})
    assert meta.data_years == list(range(1981, 2025))
    assert meta.published_on == dt.date(2024, 12, 31)
    assert meta.format == "code_list_records"
    assert re.fullmatch(r"[0-9a-f]{64}", sidecar["sha256"])


# ---------------------------------------------------------------- code records


@pytest.mark.unit
@pytest.mark.parametrize("text", ["", "\ufeff", "\n \n"])
def test_a_record_file_without_rows_is_an_error(tmp_path: Path, dictionary, text: str) -> None:
    message = problems_of(write(tmp_path, "result.csv", text, RECORDS_SIDECAR), dictionary)
    assert message == "file result.csv: the file is empty"


@pytest.mark.unit
def test_records_keep_values_as_printed(tmp_path: Path, dictionary) -> None:
    parsed = parse_release(write(tmp_path, "result.csv", RECORDS, RECORDS_SIDECAR), dictionary)
    assert parsed.file_format == "code_list_records" and parsed.observations.empty
    frame = parsed.tables["admin_code_records"]
    assert list(frame.columns) == declared_columns("admin_code_records")
    rows = {row["code"]: row for row in frame.to_dict("records")}
    beijing = rows["110000"]
    assert (beijing["province_name"], beijing["name"], beijing["level_zh"],
            beijing["status_zh"], beijing["valid_from_year"], beijing["source_row"]) == (
        "北京市", "北京市", "省级", "在用", 1981, 2)
    assert pd.isna(beijing["prefecture_name"]) and pd.isna(beijing["valid_to_year"])
    assert pd.isna(beijing["successor_codes"])
    chongwen = rows["110103"]
    assert (chongwen["prefecture_name"], chongwen["status_zh"], chongwen["valid_to_year"],
            chongwen["successor_codes"]) == ("直辖", "弃用", 2010, "110101")
    assert rows["371200"]["valid_to_year"] == 2018
    assert rows["420600"]["successor_codes"] == "420602[1984];420603"
    assert str(frame["valid_to_year"].dtype) == "Int64"


@pytest.mark.unit
@pytest.mark.parametrize(("bad", "column", "problem"), [
    ("110103,北京市,直辖,崇文区,县级,弃用,1981,2010", None, "8 field(s), expected 9"),
    ("11010,北京市,直辖,崇文区,县级,弃用,1981,2010,110101", "A", "代码 '11010' is not 6 digits"),
    ("110103,北京市,直辖,,县级,弃用,1981,2010,110101", "D", "名称 is empty"),
    ("110103,北京市,直辖,崇文区,县级,,1981,2010,110101", "F", "状态 is empty"),
    ("110103,北京市,直辖,崇文区,县级,弃用,19x1,2010,110101", "G", "启用时间 '19x1' is not a year"),
    ("110103,北京市,直辖,崇文区,县级,弃用,1981,2010年,110101", "H", "'2010年' is not a year"),
    ("110103,北京市,直辖,崇文区,县级,弃用,1975,2010,110101", "G", "启用时间 1975 is not among"),
    ("110103,北京市,直辖,崇文区,县级,弃用,1981,2030,110101", "H", "变更/弃用时间 2030 is not"),
    ("110103,北京市,直辖,崇文区,县级,弃用,1981,2010,110101/110102", "I", "新代码 '110101/110102'"),
    ("110103,北京市,直辖,崇文区,县级,弃用,1981,2010,110101[10]", "I", "is not a ';'-separated"),
])
def test_malformed_record_names_file_row_and_column(
        tmp_path: Path, dictionary, bad: str, column: str | None, problem: str) -> None:
    text = RECORDS.replace("110103,北京市,直辖,崇文区,县级,弃用,1981,2010,110101", bad)
    message = problems_of(write(tmp_path, "result.csv", text, RECORDS_SIDECAR), dictionary)
    where = "file result.csv, row 3" + (f", column {column}" if column else "")
    assert f"{where}: " in message and problem in message


@pytest.mark.unit
@pytest.mark.parametrize(("header", "column", "problem"), [
    ((*HEADER[:7], "弃用时间", *HEADER[8:]), "H",
     "unknown header '弃用时间', expected '变更/弃用时间'"),
    (HEADER[:8], "I", "header '新代码' is missing"),
    ((*HEADER, "备注"), "J", "unknown header '备注' (no column expected here)"),
])
def test_unknown_record_header_names_the_cell(tmp_path: Path, dictionary,
                                              header: tuple[str, ...], column: str,
                                              problem: str) -> None:
    text = RECORDS.replace(",".join(HEADER), ",".join(header))
    message = problems_of(write(tmp_path, "result.csv", text, RECORDS_SIDECAR), dictionary)
    assert f"file result.csv, row 1, column {column}: {problem}" in message
    assert "not the code-record layout" in message


@pytest.mark.unit
def test_records_without_rows_are_an_error(tmp_path: Path, dictionary) -> None:
    text = ",".join(HEADER) + "\n"
    message = problems_of(write(tmp_path, "result.csv", text, RECORDS_SIDECAR), dictionary)
    assert "file result.csv" in message and "no rows" in message
