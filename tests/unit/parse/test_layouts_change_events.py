"""Change events: the crosswalk's two event tables (Chinese and English headers) into one
raw table, the header choosing the column mapping."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from citytiers.discover.metadata import KNOWN_RELEASES_DIR, ReleaseMetadata, sidecar_path
from citytiers.errors import ReleaseError
from citytiers.parse.release import parse_release
from citytiers.validate.suites import declared_columns

SIDECAR = {
    "publisher": "test", "title": "TEST CASE change events", "edition_year": 2026,
    "data_years": list(range(2000, 2027)), "published_on": "2026-08-20",
    "is_synthetic": True, "format": "change_events",
}
CHINESE_HEADER = ("事件ID,年份,省级单位,原单位,原层级/类型,新单位,新层级/类型,事件类型,"
                  "新增地级单位,撤销地级单位,净变化,批准日期,批准机关,批复文号,处理凭证（释义）,"
                  "页面章节,网页行号凭证,来源URL,置信度,判定备注")
LAIWU = ("PL-2018-001,2018,山东省,莱芜市,地级市,济南市,地级市,撤销地级市并整体并入另一地级市,"
         "0,1,-1,2018-12-26,国务院,国函〔2018〕163号,"
         "撤销地级莱芜市，将其所辖区域划归济南市；2019年1月公布。,"
         "其它,L168,https://example.invalid,高,按批准年份归入2018年")
JIAN = ("PL-2000-001,2000,江西省,吉安地区,地区,吉安市,地级市,地区改设地级市,1,1,0,2000-05-11,"
        "国务院,,年度页记载撤销吉安地区，设立地级吉安市。,地级单位变更,L188,"
        "https://example.invalid,高,")
CHINESE = f"{CHINESE_HEADER}\n{JIAN}\n{LAIWU}\n"
ENGLISH_HEADER = ("event_id,year,province_name,event_type,entity_id,old_prefecture_name,"
                  "new_prefecture_name,approval_date,document_number,automatic_continuity,"
                  "confidence,review_status,risk_flags,description,review_note,source_url,"
                  "source_revision_id,source_locator,source_layer,source_id,source_type,"
                  "source_confidence")
ENGLISH = (
    f"{ENGLISH_HEADER}\n"
    "WIKI-2002-001,2002,安徽省,establish,CNUR-000001,,新市,,,false,medium,accepted,,"
    "\"a, quoted description\",,https://example.invalid,1,row:2,wiki,SRC,wikipedia,secondary\n"
    "PL-2018-001,2018,山东省,merge,CNUR-000146,莱芜市,济南市,2018-12-26,国函〔2018〕163号,false,"
    "high,accepted_reviewed,merge_event,撤销地级莱芜市。,note,https://example.invalid,,L1,"
    "workbook,SRC-WIKI-2019,wikipedia,secondary\n"
)


def write(folder: Path, text: str, name: str = "events.csv", **overrides: object) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    sidecar_path(path).write_text(yaml.safe_dump({**SIDECAR, **overrides}, allow_unicode=True),
                                  encoding="utf-8")
    return path


def error_of(path: Path, dictionary) -> str:
    # Every caller asserts on the message; the match pins at least the file it names.
    with pytest.raises(ReleaseError, match=rf"^file {re.escape(path.name)}[,:]") as raised:
        parse_release(path, dictionary)
    return str(raised.value)


@pytest.mark.unit
def test_chinese_layout(tmp_path: Path, dictionary) -> None:
    parsed = parse_release(write(tmp_path, CHINESE), dictionary)
    assert parsed.file_format == "change_events" and parsed.observations.empty
    frame = parsed.tables["admin_change_events"]
    assert list(frame.columns) == declared_columns("admin_change_events")
    laiwu = frame.set_index("event_id").loc["PL-2018-001"]
    assert (laiwu["event_year"], laiwu["province_name"], laiwu["old_name"], laiwu["old_type"],
            laiwu["new_name"], laiwu["new_type"], laiwu["event_type"],
            laiwu["document_number"], laiwu["confidence"], laiwu["source_row"]) == (
        2018, "山东省", "莱芜市", "地级市", "济南市", "地级市", "撤销地级市并整体并入另一地级市",
        "国函〔2018〕163号", "高", 3)
    assert laiwu["approval_date"] == pd.Timestamp(dt.date(2018, 12, 26))
    assert laiwu["description"] == "撤销地级莱芜市，将其所辖区域划归济南市；2019年1月公布。"
    jian = frame.set_index("event_id").loc["PL-2000-001"]
    assert pd.isna(jian["document_number"])  # blank -> null
    assert parsed.notes == [
        "8 column(s) not loaded (crosswalk events (Chinese headers, events_2000_2026.csv)): "
        "新增地级单位, 撤销地级单位, 净变化, 批准机关, 页面章节, 网页行号凭证, 来源URL, 判定备注"]


@pytest.mark.unit
def test_english_layout_maps_prefecture_names_and_has_no_types(tmp_path: Path,
                                                               dictionary) -> None:
    parsed = parse_release(write(tmp_path, ENGLISH), dictionary)
    frame = parsed.tables["admin_change_events"].set_index("event_id")
    laiwu = frame.loc["PL-2018-001"]
    assert (laiwu["event_year"], laiwu["old_name"], laiwu["new_name"], laiwu["event_type"],
            laiwu["document_number"], laiwu["confidence"], laiwu["description"]) == (
        2018, "莱芜市", "济南市", "merge", "国函〔2018〕163号", "high", "撤销地级莱芜市。")
    assert pd.isna(laiwu["old_type"]) and pd.isna(laiwu["new_type"])
    new = frame.loc["WIKI-2002-001"]
    assert pd.isna(new["old_name"]) and pd.isna(new["approval_date"])
    assert new["description"] == "a, quoted description"
    assert parsed.notes[0].startswith("12 column(s) not loaded (crosswalk unified events")


@pytest.mark.unit
def test_header_cells_compare_without_width_differences(tmp_path: Path, dictionary) -> None:
    text = CHINESE.replace("处理凭证（释义）", "处理凭证(释义)")
    frame = parse_release(write(tmp_path, text), dictionary).tables["admin_change_events"]
    assert frame["description"].notna().all()


@pytest.mark.unit
def test_optional_unloaded_columns_may_be_absent(tmp_path: Path, dictionary) -> None:
    header = CHINESE_HEADER.split(",")
    keep = [i for i, name in enumerate(header) if name != "判定备注"]
    text = "\n".join(",".join(line.split(",")[i] for i in keep)
                     for line in CHINESE.splitlines()) + "\n"
    parsed = parse_release(write(tmp_path, text), dictionary)
    assert len(parsed.tables["admin_change_events"]) == 2
    assert "判定备注" not in parsed.notes[0]


@pytest.mark.unit
def test_unknown_header_is_an_error(tmp_path: Path, dictionary) -> None:
    message = error_of(write(tmp_path, "id,when,what\nA,2018,x\n"), dictionary)
    assert "file events.csv, row 1: unknown header: not a change-event layout" in message


@pytest.mark.unit
def test_a_missing_mapped_column_is_named(tmp_path: Path, dictionary) -> None:
    message = error_of(write(tmp_path, CHINESE.replace("批复文号", "文号")), dictionary)
    assert "row 1" in message and "closest is crosswalk events (Chinese headers" in message
    assert "lacks 批复文号" in message


@pytest.mark.unit
def test_an_unknown_extra_column_names_its_cell(tmp_path: Path, dictionary) -> None:
    text = "\n".join(line + ",x" for line in CHINESE.splitlines()).replace(
        "判定备注,x", "判定备注,备用字段", 1) + "\n"
    message = error_of(write(tmp_path, text), dictionary)
    assert "file events.csv, row 1, column U: unknown header '备用字段'" in message


@pytest.mark.unit
def test_a_duplicated_header_is_an_error(tmp_path: Path, dictionary) -> None:
    text = CHINESE.replace("判定备注", "置信度")
    assert "header names 置信度 more than once" in error_of(write(tmp_path, text), dictionary)


@pytest.mark.unit
@pytest.mark.parametrize(("old", "new", "column", "problem"), [
    ("PL-2018-001,2018,", "PL-2018-001,20l8,", "B", "year '20l8' is not a year"),
    ("PL-2018-001,2018,", "PL-2018-001,1998,", "B", "year 1998 is not among the release's "
                                                     "data years 2000..2026"),
    ("PL-2018-001,2018,", ",2018,", "A", "event_id is empty"),
    ("撤销地级市并整体并入另一地级市", "", "H", "event_type is empty"),
    ("2018-12-26", "2018/12/26", "L", "approval date '2018/12/26' is not a date YYYY-MM-DD"),
    ("2018-12-26", "2018-02-30", "L", "approval date '2018-02-30' is not a date"),
])
def test_malformed_event_names_file_row_and_column(tmp_path: Path, dictionary, old: str,
                                                   new: str, column: str,
                                                   problem: str) -> None:
    text = CHINESE.replace(LAIWU, LAIWU.replace(old, new, 1))
    message = error_of(write(tmp_path, text), dictionary)
    assert f"file events.csv, row 3, column {column}: {problem}" in message


@pytest.mark.unit
def test_a_short_row_is_an_error(tmp_path: Path, dictionary) -> None:
    text = CHINESE.replace(LAIWU, LAIWU.rsplit(",", 2)[0])
    message = error_of(write(tmp_path, text), dictionary)
    assert "file events.csv, row 3: 18 field(s), the header has 20" in message


@pytest.mark.unit
def test_header_only_is_an_error(tmp_path: Path, dictionary) -> None:
    message = error_of(write(tmp_path, CHINESE_HEADER + "\n"), dictionary)
    assert "header but no rows" in message


@pytest.mark.unit
@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n"])
def test_a_file_without_rows_is_an_error(tmp_path: Path, dictionary, text: str) -> None:
    message = error_of(write(tmp_path, text), dictionary)
    assert message == "file events.csv: the file is empty"


@pytest.mark.unit
@pytest.mark.parametrize("name", ["events_2000_2026.csv", "unified_events_1987_2026.csv"])
def test_shipped_event_sidecars(name: str) -> None:
    sidecar = yaml.safe_load((KNOWN_RELEASES_DIR / f"{name}.release.yml")
                             .read_text(encoding="utf-8"))
    assert re.fullmatch(r"[0-9a-f]{64}", sidecar["sha256"])
    meta = ReleaseMetadata.model_validate({k: v for k, v in sidecar.items() if k != "sha256"})
    first = int(name.split("_")[-2])
    # The window the file covers, to 2026; published (CITATION.cff) in 2026, so the GX
    # bound "event year <= publication year" admits the whole window.
    assert meta.data_years == list(range(first, 2027))
    assert meta.published_on == dt.date(2026, 8, 20)
    assert meta.format == "change_events" and meta.license == "CC-BY-4.0"
