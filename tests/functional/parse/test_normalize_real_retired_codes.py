"""Yearbooks print retired codes for years after a change (issue: real yearbooks load).

Each release here is built from the REAL code records in ``../shared/data`` (every
prefecture-level unit of a province in force in the data year, with its real code and
name) and invented figures (marked synthetic): a yearbook-style table for a data year
after a 地区 -> 市 change that prints the retired code and former name for that unit, as
real yearbooks do. It must load, its figures under the successor code, with a warning
naming the row; a split, a merger and a code that never existed stay problems.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from citytiers.discover.candidates import discover
from citytiers.load.ingest import ingest
from citytiers.settings import PROJECT_ROOT, Settings

pytestmark = [pytest.mark.functional, pytest.mark.realdata]

REFERENCE = ("areacodes/result.csv", "crosswalk/events_2000_2026.csv")
SIDECAR = """# Test release built from the real code records; the figures are INVENTED.
publisher: test
title: "SYNTHETIC TEST - {title}"
edition_year: {edition}
data_year: {year}
published_on: {edition}-12-01
format: yearbook_table
release_kind: yearbook
is_synthetic: true
"""


@pytest.fixture(scope="module")
def reference_warehouse(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding only the real code records and change events."""
    settings = Settings(home=PROJECT_ROOT, warehouse=tmp_path_factory.mktemp("reference"))
    settings.ensure_dirs()
    outcomes = [ingest(settings, candidate)
                for candidate in discover(settings, [shared_data / f for f in REFERENCE])]
    assert {o.status for o in outcomes} == {"loaded"}, [(o.file_name, o.reason)
                                                       for o in outcomes]
    return settings.warehouse


@pytest.fixture
def settings(reference_warehouse: Path, tmp_path: Path) -> Settings:
    """A copy of the reference warehouse, so that each test starts from it."""
    copy = tmp_path / "warehouse"
    shutil.copytree(reference_warehouse, copy)
    return Settings(home=PROJECT_ROOT, warehouse=copy)


def units_in_force(settings: Settings, province: str, year: int) -> list[tuple[str, str]]:
    """(code, name) of every prefecture-level unit of ``province`` (2-digit prefix) in the
    year-end list of ``year``, from the loaded code records."""
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return con.execute("""
            select code, name from raw.admin_code_records
            where level_zh = '地级' and left(code, 2) = ? and valid_from_year <= ?
              and (valid_to_year is null or valid_to_year > ?)
            order by code""", [province, year, year]).fetchall()


def yearbook(folder: Path, name: str, year: int, rows: list[tuple[str | None, str]],
             *, with_codes: bool = True) -> Path:
    """A yearbook table (code, name, GDP in 万元) of ``rows``, figures invented."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    lines = [f"中国城市统计年鉴{year + 1} 地区生产总值（{year}年）",
             ("行政区划代码," if with_codes else "") + "地区,地区生产总值（万元）",
             ("," if with_codes else "") + ",全市"]
    for index, (code, unit) in enumerate(rows):
        value = 5_000_000 + 37_000 * index  # 500-600 亿元: plausible for these units
        lines.append((f"{code}," if with_codes else "") + f"{unit},{value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    Path(f"{path}.release.yml").write_text(
        SIDECAR.format(title=name, edition=year + 1, year=year), encoding="utf-8")
    return path


def load(settings: Settings, path: Path):
    [candidate] = discover(settings, [path])
    return ingest(settings, candidate)


def findings(settings: Settings, release_id: str) -> list[tuple]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        return con.execute("""
            select severity, source_row, city_code, city_name_raw, data_year, message
            from raw.release_findings where release_id = ? order by record_seq""",
                           [release_id]).fetchall()


def observations(settings: Settings, release_id: str) -> dict[str, tuple]:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        rows = con.execute("""
            select city_code, city_code_printed, city_name_raw, value, source_row
            from raw.observations where release_id = ?""", [release_id]).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_a_retired_code_printed_after_an_upgrade_loads_under_its_successor(
        settings: Settings, tmp_path: Path) -> None:
    # 2018 data: 吐鲁番地区 652100 left the lists in 2015 (吐鲁番市 650400); the table
    # prints the old code and name, and real current codes for every other unit.
    units = units_in_force(settings, "65", 2018)
    assert ("650400", "吐鲁番市") in units
    rows = [("652100", "吐鲁番地区") if code == "650400" else (code, name)
            for code, name in units]
    outcome = load(settings, yearbook(tmp_path / "in", "xinjiang_2018", 2018, rows))
    assert outcome.status == "loaded", outcome.reason
    assert outcome.observations == len(units)
    loaded = observations(settings, outcome.release_id)
    assert "652100" not in loaded
    row = 4 + units.index(("650400", "吐鲁番市"))  # title, two header rows, then the units
    assert loaded["650400"] == ("652100", "吐鲁番地区", 5e10 + 37e7 * (row - 4), row)
    assert loaded["650100"][0] is None  # a current code is not re-coded
    [warning] = findings(settings, outcome.release_id)
    severity, source_row, code, name, year, message = warning
    assert (severity, source_row, code, name, year) == ("warning", row, "650400",
                                                         "吐鲁番地区", 2018)
    assert "printed code 652100" in message and "650400 吐鲁番市" in message
    assert "left the code lists in 2015" in message
    assert any("652100" in text for text in outcome.warnings)


def test_a_former_name_without_a_code_resolves_through_the_change_history(
        settings: Settings, tmp_path: Path) -> None:
    # 2019 data, names only: 哈密地区 (哈密市 650500 from 2016) and 那曲地区 is in 西藏.
    units = units_in_force(settings, "65", 2019)
    rows = [(None, "哈密地区" if code == "650500" else name) for code, name in units]
    outcome = load(settings, yearbook(tmp_path / "in", "xinjiang_2019_names", 2019, rows,
                                      with_codes=False))
    assert outcome.status == "loaded", outcome.reason
    loaded = observations(settings, outcome.release_id)
    assert loaded["650500"][1] == "哈密地区"
    [warning] = findings(settings, outcome.release_id)
    assert warning[2:5] == ("650500", "哈密地区", 2019)
    assert "652200" in warning[5] and "650500 哈密市" in warning[5]


@pytest.mark.parametrize(("printed", "year", "why"), [
    # 抚宁县 left the lists in 2015, split among three districts of 秦皇岛.
    (("130323", "抚宁县"), 2017, "split among 130302 海港区, 130304 北戴河区, 130306 抚宁区"),
    # 塘沽区, 汉沽区 and 大港区 were merged into 滨海新区 (120116) in 2009.
    (("120107", "塘沽区"), 2012, "were merged into 120116 滨海新区 in 2009"),
    # 莱芜 was absorbed by 济南 (which existed before): its 2019 figure is not Jinan's.
    (("371200", "莱芜市"), 2019, "371200 莱芜市 left the code lists in 2018"),
    # A code that never existed.
    (("659901", "火星市"), 2018, "is in no code list valid in 2018"),
    # The successor exists, but the name printed is neither unit's.
    (("652100", "阿勒泰地区"), 2018, "a name of neither"),
])
def test_a_split_a_merger_and_an_unknown_code_stay_problems(
        settings: Settings, tmp_path: Path, printed: tuple[str, str], year: int,
        why: str) -> None:
    province = printed[0][:2]
    rows = [*units_in_force(settings, province, year), printed]
    outcome = load(settings, yearbook(tmp_path / "in", f"bad_{printed[0]}", year, rows))
    assert outcome.status == "quarantined"
    assert why in outcome.reason
    problems = [f for f in findings(settings, outcome.release_id) if f[0] == "problem"]
    # Every problem names the one bad row (a wrong name is also a name problem).
    assert {(p[1], p[2], p[3], p[4]) for p in problems} == {
        (len(rows) + 3, printed[0], printed[1], year)}
    assert any(why in p[5] for p in problems)
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        assert con.execute("select count(*) from raw.observations where release_id = ?",
                           [outcome.release_id]).fetchone() == (0,)
