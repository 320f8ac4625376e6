"""The real administrative-code releases in ../shared/data through the real ingestion path
(discover -> parse -> GX -> raw layer), with the metadata shipped in known_releases/; and
the reference suites failing on bad data."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from citytiers.database import connect
from citytiers.discover.candidates import Candidate, discover
from citytiers.load.ingest import ingest
from citytiers.parse.normalize.codes import MUNICIPALITY_PREFIXES, SUCCESSOR_CODES_REGEX
from citytiers.settings import Settings
from citytiers.validate.gx_project import run_checkpoint

# Slow: parses every real code record file (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow

YEARS = range(1981, 2025)
# Year-end lists that did not change from the year before: byte-identical files, hence one
# release (its id is its sha256) holding both years (see the manifest).
SAME_BYTES_AS_PREVIOUS_YEAR = {"2008.txt": "2007.txt", "2022.txt": "2021.txt"}
# Prefecture-level units and municipalities of a snapshot, by code shape (GB/T 2260): a
# municipality's XX0000 row; XXXX00 rows of provinces, except the XX90 groupings of
# county-level units administered by the province (省直辖县级行政区划).
PREFECTURE_LEVEL_SQL = f"""
    select code, name from raw.admin_code_snapshots
    where snapshot_year = ? and (
        (code like '__0000' and substr(code, 1, 2) in {MUNICIPALITY_PREFIXES})
        or (code like '____00' and code not like '__0000'
            and substr(code, 1, 2) not in {MUNICIPALITY_PREFIXES}
            and substr(code, 3, 2) <> '90'))
"""


def query(settings: Settings, sql: str, *params: object) -> list[tuple]:
    with connect(settings.build_db) as connection:
        return connection.execute(sql, list(params)).fetchall()


def ingest_all(settings: Settings, candidates: list[Candidate]) -> list[str]:
    outcomes = [ingest(settings, candidate) for candidate in candidates]
    problems = [f"{o.file_name}: {o.status} {o.reason}" for o in outcomes
                if o.status != "loaded"]
    assert not problems, problems
    return [o.file_name for o in outcomes]


def ingest_named(settings: Settings, folder: Path, *names: str) -> None:
    """Discover ``folder`` (as the DAG does) and ingest the named files only."""
    candidates = [c for c in discover(settings, [folder]) if Path(c.path).name in names]
    assert sorted(Path(c.path).name for c in candidates) == sorted(names)
    ingest_all(settings, candidates)


def snapshot_record_differences(settings: Settings) -> list[tuple]:
    """Records valid in year Y (from <= Y < to) that are not in the year-end list of Y, and
    the reverse, for every loaded list."""
    return query(settings, """
        with valid as (
            select y.snapshot_year, r.code, r.name
            from raw.admin_code_records as r
            join (select distinct snapshot_year from raw.admin_code_snapshots) as y
              on r.valid_from_year <= y.snapshot_year
             and (r.valid_to_year is null or r.valid_to_year > y.snapshot_year)),
        listed as (select snapshot_year, code, name from raw.admin_code_snapshots)
        select 'records only', * from (select * from valid except select * from listed)
        union all
        select 'list only', * from (select * from listed except select * from valid)
        order by 2, 3""")


def file_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.mark.functional
def test_all_yearly_code_lists_load_once(shared_data: Path, settings: Settings) -> None:
    annual = shared_data / "areacodes" / "annual"
    first = discover(settings, [annual])
    names = sorted(Path(c.path).name for c in first)
    assert names == sorted({f"{year}.txt" for year in YEARS} - set(SAME_BYTES_AS_PREVIOUS_YEAR))
    assert all(c.sidecar_sha256 for c in first)  # the shipped manifest applies to each
    assert ingest_all(settings, first) == names

    by_year = dict(query(settings, "select snapshot_year, count(*) from raw.admin_code_snapshots "
                                   "group by snapshot_year"))
    assert by_year == {year: file_lines(annual / f"{year}.txt") for year in YEARS}
    total = sum(by_year.values())
    assert query(settings, "select count(*) from raw.releases where status = 'loaded' "
                           "and file_format = 'code_list_snapshot'") == [(len(names),)]
    releases = dict(query(settings, "select file_name, data_years from raw.releases"))
    assert json.loads(releases["2007.txt"]) == [2007, 2008]
    assert json.loads(releases["2021.txt"]) == [2021, 2022]
    assert json.loads(releases["2023.txt"]) == [2023]
    [(publisher, title, published_on, license_)] = query(
        settings, "select publisher, title, published_on, license from raw.releases "
                  "where file_name = '2023.txt'")
    assert publisher.startswith("Ministry of Civil Affairs (民政部)")
    assert (title, str(published_on), license_) == ("县级以上行政区划代码 2023年底", "2023-12-31",
                                                   "CC0-1.0")
    # Lineage: source_row is the line of the file.
    [(row,)] = query(settings, "select source_row from raw.admin_code_snapshots "
                               "where snapshot_year = 2017 and code = '371200'")
    assert (annual / "2017.txt").read_text(encoding="utf-8").splitlines()[row - 1] == (
        "371200 莱芜市")

    # The second run: nothing new, nothing loaded twice.
    assert discover(settings, [annual]) == []
    assert {ingest(settings, c).status for c in first[:3]} == {"skipped"}
    assert query(settings, "select count(*) from raw.admin_code_snapshots") == [(total,)]
    assert query(settings, "select count(*) from raw.releases") == [(len(names),)]
    # Laiwu (a prefecture-level city from 1992) merged into Jinan, approved 2018-12-26:
    # no longer in the end-2018 list.
    assert query(settings, "select min(snapshot_year), max(snapshot_year) from "
                           "raw.admin_code_snapshots where code = '371200'") == [(1992, 2017)]

    # The record table agrees with all 44 lists: its records valid in year Y are the list of Y.
    ingest_named(settings, shared_data / "areacodes", "result.csv")
    assert snapshot_record_differences(settings) == []


@pytest.mark.functional
def test_code_records_load_with_their_history(shared_data: Path, settings: Settings) -> None:
    ingest_named(settings, shared_data / "areacodes", "result.csv")
    assert query(settings, "select count(*) from raw.admin_code_records") == [(6823,)]
    records = {code: rest for code, *rest in query(
        settings, "select code, name, level_zh, valid_from_year, valid_to_year "
                  "from raw.admin_code_records where code in "
                  "('371200', '341400', '522400', '520500')")}
    assert records == {
        "371200": ["莱芜市", "地级", 1992, 2018],   # merged into Jinan
        "341400": ["巢湖市", "地级", 1999, 2011],   # split between Hefei, Wuhu, Ma'anshan
        "522400": ["毕节地区", "地级", 1981, 2011],  # became the city of Bijie ...
        "520500": ["毕节市", "地级", 2011, None],    # ... in 2011
    }
    assert query(settings, "select status_zh, count(*) from raw.admin_code_records "
                           "group by status_zh order by status_zh") == [
        ("变更", 373), ("在用", 3213), ("弃用", 3237)]
    assert query(settings, "select successor_codes from raw.admin_code_records "
                           "where code = '110103'") == [("110101",)]
    [(data_years, published_on)] = query(settings, "select data_years, published_on "
                                                   "from raw.releases")
    assert json.loads(data_years) == list(YEARS) and str(published_on) == "2024-12-31"


@pytest.mark.functional
def test_end_2023_prefecture_level_units_match_the_crosswalk_roster(
        shared_data: Path, settings: Settings) -> None:
    ingest_named(settings, shared_data / "areacodes" / "annual", "2023.txt")
    units = dict(query(settings, PREFECTURE_LEVEL_SQL, 2023))
    municipalities = {c: n for c, n in units.items() if c[:2] in MUNICIPALITY_PREFIXES}
    assert sorted(municipalities.values()) == ["上海市", "北京市", "天津市", "重庆市"]
    kinds: dict[str, int] = {}
    for code, name in units.items():
        if code not in municipalities:
            kind = next(s for s in ("自治州", "地区", "盟", "市") if name.endswith(s))
            kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds == {"市": 293, "自治州": 30, "地区": 7, "盟": 3}
    assert len(units) == 337 == 333 + 4

    # The crosswalk's roster has no codes: names, and legal_level 'prefecture' for every
    # active unit, municipalities included (prefecture-equivalent).
    with (shared_data / "crosswalk" / "legal_roster_2000_2024.csv").open(
            encoding="utf-8-sig", newline="") as handle:
        roster = [row for row in csv.DictReader(handle)
                  if row["year"] == "2023" and row["status"] == "active"]
    assert {row["legal_level"] for row in roster} == {"prefecture"}
    assert len(roster) == 337
    assert {row["legal_name_zh"] for row in roster} == set(units.values())


@pytest.mark.functional
def test_change_events_load_from_both_layouts(shared_data: Path, settings: Settings) -> None:
    ingest_named(settings, shared_data / "crosswalk", "events_2000_2026.csv",
                 "unified_events_1987_2026.csv")
    counts = dict(query(settings, """
        select r.file_name, count(*) from raw.admin_change_events as e
        join raw.releases as r using (release_id) group by r.file_name"""))
    assert counts == {"events_2000_2026.csv": 63, "unified_events_1987_2026.csv": 167}
    laiwu = query(settings, """
        select r.file_name, e.event_year, e.province_name, e.old_name, e.new_name,
               e.event_type, e.approval_date, e.document_number, e.confidence
        from raw.admin_change_events as e join raw.releases as r using (release_id)
        where e.event_id = 'PL-2018-001' order by r.file_name""")
    assert [row[0] for row in laiwu] == ["events_2000_2026.csv", "unified_events_1987_2026.csv"]
    for _, year, province, old, new, _, approved, document, _ in laiwu:
        assert (year, province, old, new, str(approved), document) == (
            2018, "山东省", "莱芜市", "济南市", "2018-12-26", "国函〔2018〕163号")
    assert [(row[5], row[8]) for row in laiwu] == [("撤销地级市并整体并入另一地级市", "高"),
                                                   ("merge", "high")]
    assert query(settings, "select min(event_year), max(event_year) from raw.admin_change_events "
                           "where release_id in (select release_id from raw.releases "
                           "where file_name like 'unified%')") == [(1987, 2018)]
    assert query(settings, "select count(*) from raw.admin_change_events "
                           "where old_type is not null and release_id in (select release_id "
                           "from raw.releases where file_name like 'unified%')") == [(0,)]


# ------------------------------------------------- the reference suites catch bad data


def failed_types(settings: Settings, suite: str, frame: pd.DataFrame,
                 max_data_year: int = 2024) -> set[str]:
    outcome = run_checkpoint(settings, suite, frame, {"max_data_year": max_data_year})
    technical = outcome.technical[:len(outcome.failed)]
    errors = [f for f in technical if "(error:" in f]
    assert not errors, errors  # an expectation that cannot run is a bug, not a failure
    # GX's technical detail: "<type>(kwargs)..." or, for a described check (the SQL ones),
    # "<sentence> [<type> on <column>]...": the type, or the sentence.
    return {f.split(" [", 1)[0] if re.search(r" \[(\w+) on ", f) else f.split("(", 1)[0]
            for f in technical}


@pytest.mark.functional
def test_snapshot_suite(settings: Settings) -> None:
    good = pd.DataFrame({"snapshot_year": [2023, 2023], "code": ["110000", "110101"],
                         "name": ["北京市", "东城区"], "source_row": [1, 2]})
    assert failed_types(settings, "raw_admin_code_snapshots", good) == set()
    bad = pd.DataFrame({"snapshot_year": [2023, 2023, 2030], "code": ["11000", "110101", "110101"],
                        "name": ["北京市", "", "东城区"], "source_row": [1, 2, 3]})
    bad.loc[3] = [2023, "110101", "东城区", 4]
    assert failed_types(settings, "raw_admin_code_snapshots", bad) == {
        r"code matches ^\d{6}$", "expect_column_value_lengths_to_be_between",
        "expect_column_values_to_be_between", "One row per snapshot_year, code"}


@pytest.mark.functional
def test_records_suite(settings: Settings) -> None:
    good = pd.DataFrame({
        "code": ["110000", "110103", "110103"], "province_name": ["北京市"] * 3,
        "prefecture_name": [None, "直辖", "直辖"], "name": ["北京市", "崇文区", "崇文区"],
        "level_zh": ["省级", "县级", "县级"], "status_zh": ["在用", "弃用", "在用"],
        "valid_from_year": [1981, 1981, 2020], "valid_to_year": pd.array([None, 2010, None],
                                                                           dtype="Int64"),
        "successor_codes": [None, "110101[2010];110102", None], "source_row": [2, 3, 4]})
    assert failed_types(settings, "raw_admin_code_records", good) == set()
    bad = good.assign(
        level_zh=["省级", "乡级", "县级"], status_zh=["在用", "废止", "弃用"],
        valid_from_year=[1981, 1981, 1981],
        valid_to_year=pd.array([2000, 1981, None], dtype="Int64"),
        successor_codes=[None, "110101/110102", None])
    assert failed_types(settings, "raw_admin_code_records", bad) == {
        "expect_column_values_to_be_in_set",                 # 乡级, 废止
        "expect_column_pair_values_a_to_be_greater_than_b",  # 1981 -> 1981
        "expect_column_values_to_be_null",                   # in use, yet ended 2000
        "expect_column_values_to_not_be_null",               # abolished without an end
        "successor_codes matches " + SUCCESSOR_CODES_REGEX,  # 110101/110102
        "One row per code, valid_from_year",                 # 110103 from 1981 twice
    }
    future = good.assign(valid_to_year=pd.array([None, 2030, None], dtype="Int64"))
    assert failed_types(settings, "raw_admin_code_records", future) == {
        "expect_column_values_to_be_between"}


@pytest.mark.functional
def test_change_event_suite(settings: Settings) -> None:
    good = pd.DataFrame({
        "event_id": ["PL-2018-001", "WIKI-2026-001"], "event_year": [2018, 2026],
        "province_name": ["山东省", None], "old_name": ["莱芜市", None],
        "old_type": [None, None], "new_name": ["济南市", "新市"], "new_type": [None, None],
        "event_type": ["merge", "establish"],
        "approval_date": pd.to_datetime(["2018-12-26", None]),
        "document_number": ["国函〔2018〕163号", None], "confidence": ["high", "medium"],
        "description": ["撤销地级莱芜市", None], "source_row": [2, 3]})
    # An event of 2026 in a release published in 2026 is fine.
    assert failed_types(settings, "raw_admin_change_events", good, 2026) == set()
    bad = good.assign(event_id=["PL-2018-001"] * 2, event_year=[1948, 2026],
                      event_type=["merge", None])
    assert failed_types(settings, "raw_admin_change_events", bad, 2025) == {
        "One row per event_id", "expect_column_values_to_be_between",
        "No NULL in a NOT NULL column (event_id, event_year, event_type, source_row)"}
