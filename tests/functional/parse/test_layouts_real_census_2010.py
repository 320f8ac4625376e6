"""The real 2010 census by county (../shared/data/census/census_county_2010_v1.xlsx) as a
release through the normal path (discover -> shipped sidecar -> census_yearbook adapter ->
GX -> raw layer), and the publisher's own arithmetic: a prefecture's total is the sum of
its coded counties in 326 of 333 prefectures; the 7 others are named, not hidden."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from citytiers.discover.candidates import discover
from citytiers.load.ingest import IngestOutcome, ingest
from citytiers.settings import PROJECT_ROOT, Settings
from citytiers.validate.gx_project import run_checkpoint

FILE = "census/census_county_2010_v1.xlsx"
SUITE = "raw_census_prefecture_totals"
# Cities without districts (or whose districts are printed only as an uncoded 市辖区), and
# prefectures with county-level units printed without a code.
WITHOUT_CODED_COUNTIES = {"441900": "东莞市", "442000": "中山市", "460200": "三亚市",
                          "620200": "嘉峪关市"}
WITH_UNCODED_UNITS = {"232700": "大兴安岭地区", "451100": "贺州市",
                      "632800": "海西蒙古族藏族自治州"}
DIFFERING = WITHOUT_CODED_COUNTIES | WITH_UNCODED_UNITS


@dataclass(frozen=True)
class Loaded:
    settings: Settings
    outcome: IngestOutcome
    candidates: int


@pytest.fixture(scope="module")
def loaded(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    root = tmp_path_factory.mktemp("census2010")
    folder = root / "source"
    folder.mkdir()
    shutil.copy2(shared_data / FILE, folder / Path(FILE).name)  # only this file
    settings = Settings(home=PROJECT_ROOT, warehouse=root / "warehouse")
    settings.ensure_dirs()
    # The code records first (from where they are): the gates check the census codes
    # against them.
    [records] = discover(settings, [shared_data / "areacodes" / "result.csv"])
    assert ingest(settings, records).status == "loaded"
    candidates = discover(settings, [folder])
    return Loaded(settings, ingest(settings, candidates[0]), len(candidates))


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.build_db), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.functional
def test_the_release_loads_through_the_shipped_sidecar(loaded: Loaded) -> None:
    assert loaded.candidates == 1
    assert loaded.outcome.status == "loaded", loaded.outcome.reason
    assert loaded.outcome.observations == 362  # 333 prefectures, 4 municipalities, 25 direct
    assert loaded.outcome.records == 333
    [(file_format, publisher, years, published_on, synthetic)] = query(
        loaded.settings, "select file_format, publisher, data_years, published_on, is_synthetic "
                         "from raw.releases where file_format = 'census_yearbook'")
    assert file_format == "census_yearbook" and publisher.startswith("NBS 6th census")
    assert (years, str(published_on), synthetic) == ("[2010]", "2022-03-01", False)


@pytest.mark.functional
def test_warnings_name_the_seven_prefectures_that_do_not_add_up(loaded: Loaded) -> None:
    warnings = [w for w in loaded.outcome.warnings if w.startswith(f"{SUITE}:")]
    assert len(warnings) == 3 and warnings == loaded.outcome.warnings
    # In a steward's words: the rule's sentence, then the rows by sheet, row and column
    # with the figure (five named, the rest counted).
    [rule] = [w for w in warnings if "printed total equals the sum" in w]
    assert rule.count("difference is ") == 5 and rule.endswith("(and 2 more row(s))")
    named = [w for w in warnings if "prefecture_name is " in w]
    counts = sorted(w.count("prefecture_name is ") for w in named)
    assert counts == [3, 4] and sum(counts) == 7
    text = "\n".join(named)
    assert all(name in text for name in DIFFERING.values())
    assert "东莞" in text and "大兴安岭" in text


@pytest.mark.functional
def test_prefecture_totals_table(loaded: Loaded) -> None:
    [(rows, consistent)] = query(loaded.settings, "select count(*), count(*) filter "
                                 "(where difference = 0) from raw.census_prefecture_totals")
    assert (rows, consistent) == (333, 326)
    differing = dict(query(loaded.settings, "select prefecture_code, prefecture_name from "
                                            "raw.census_prefecture_totals where difference <> 0"))
    assert differing == DIFFERING
    # Each difference is exactly what the publisher printed without a code under it.
    [(count, units, difference)] = query(
        loaded.settings, "select coded_county_count, uncoded_units, difference from "
                         "raw.census_prefecture_totals where prefecture_code = '232700'")
    assert (count, difference) == (3, 154359 + 33555 + 50859 + 45039)
    assert units.startswith("加格达奇 154359")
    without = query(loaded.settings, "select distinct coded_county_count from "
                                     "raw.census_prefecture_totals where prefecture_code in "
                                     f"{tuple(WITHOUT_CODED_COUNTIES)}")
    assert without == [(0,)]


@pytest.mark.functional
def test_population_values_equal_the_cells(loaded: Loaded, shared_data: Path) -> None:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(shared_data / FILE)).get_sheet_by_name("Sheet1")
    cells = sheet.to_python(skip_empty_area=False)
    observed = query(loaded.settings, """
        select city_code, city_name_raw, value, source_sheet, source_row, source_column,
               raw_header, basis, data_year, scope
        from raw.observations
        where city_code in ('110000', '441900', '232700', '320500', '419001', '659001')
        order by source_row""")
    assert len(observed) == 6
    for code, name, value, sheet_name, row, column, header, basis, year, scope in observed:
        printed = cells[row - 1]
        assert column == "C" and sheet_name == "Sheet1" and header == cells[0][2] == "合计"
        assert printed[1] == float(code)  # codes are stored as floats
        assert printed[0].strip() == name  # names lose their indentation only
        assert value == printed[2]
        assert (basis, year, scope) == ("census_yearbook_resident", 2010, "whole_city")
    values = {code: value for code, _, value, *_ in observed}
    assert values["110000"] == 19612368 and values["441900"] == 8220207


def _totals_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "prefecture_code": ["130100", "441900", "232700"],
        "prefecture_name": ["石家庄市", "东莞市", "大兴安岭地区"],
        "printed_total": [1016.0, 822.0, 511.0], "coded_county_sum": [1016.0, 0.0, 324.0],
        "coded_county_count": [3, 0, 1], "difference": [0.0, 822.0, 187.0],
        "uncoded_unit_count": [0, 1, 2], "uncoded_units": [None, "市辖区 822", "加格达奇 154"],
        "source_sheet": ["Sheet1"] * 3, "source_row": [11, 16, 18],
        "source_column": ["C"] * 3,
    })


@pytest.mark.functional
def test_suite_warns_on_differences_and_fails_on_bad_structure(settings: Settings) -> None:
    frame = _totals_frame()
    consistent = run_checkpoint(settings, SUITE, frame[frame["difference"] == 0])
    assert consistent.success and consistent.warnings == [] and consistent.failed == []
    differing = run_checkpoint(settings, SUITE, frame)
    assert differing.success, differing.summary()
    assert len(differing.warnings) == 3
    assert any("东莞市" in w for w in differing.warnings)
    assert any("大兴安岭地区" in w for w in differing.warnings)
    duplicated = frame.assign(prefecture_code=["130100", "130100", "320000"])
    broken = run_checkpoint(settings, SUITE, duplicated)
    assert not broken.success
    assert any(f.startswith("One row per prefecture_code") for f in broken.failed)
    assert any("prefecture_code matches" in f and "320000" in f
               for f in broken.failed)
