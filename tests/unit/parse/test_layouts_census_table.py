"""The census_table adapter: admin-coded wide tables whose loaded columns the sidecar names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from citytiers.discover.metadata import sidecar_path
from citytiers.errors import ReleaseError
from citytiers.parse.layouts.census_table import admin_level
from citytiers.parse.release import parse_release

SIDECAR = {
    "publisher": "test", "title": "TEST CASE census table", "edition_year": 2022,
    "data_years": [2010, 2020], "published_on": "2022-03-01", "is_synthetic": True,
    "format": "census_table", "code_column": "区划代码", "name_column": "名称",
    "levels": ["prefecture", "municipality", "direct_county"], "missing_values": ["NA"],
    "code_map": {"110100": "110000"},
    "columns": {
        "人口_2010": {"indicator": "population_resident", "unit": "人",
                    "basis": "census_resident", "data_year": 2010},
        "城区人口": {"indicator": "population_urban_area", "unit": "万人",
                 "scope": "urban_area", "basis": "census_chengqu", "data_year": 2020},
    },
}
TABLE = """区划代码,名称,人口_2010,城区人口,性别比
NA,全国,1339724852,NA,104.8
110100,北京市,19612368,1775.17,104.7
320000,江苏省,78660941,NA,101.5
320500,苏州市,10465994,NA,103.1
320505,虎丘区,533322,NA,102.0
659001,石河子市,NA,46.17,101.0
419000,省直辖县级行政区划,NA,NA,NA
"""


def write_case(folder: Path, table: str = TABLE, **overrides: object) -> Path:
    path = folder / "census.csv"
    path.write_text(table, encoding="utf-8")
    sidecar_path(path).write_text(yaml.safe_dump({**SIDECAR, **overrides}, allow_unicode=True),
                                  encoding="utf-8")
    return path


@pytest.mark.unit
@pytest.mark.parametrize(("code", "level"), [
    ("110000", "municipality"), ("320000", "province"), ("320500", "prefecture"),
    ("110100", "grouping"), ("320505", "county"), ("659001", "direct_county"),
    ("419000", "grouping"),
])
def test_admin_level_from_code_shape(code: str, level: str) -> None:
    assert admin_level(code) == level


@pytest.mark.unit
def test_loads_only_declared_columns_and_levels(tmp_path: Path, dictionary) -> None:
    parsed = parse_release(write_case(tmp_path), dictionary)
    frame = parsed.observations.set_index(["city_code", "indicator_code"])
    assert sorted(frame.index) == [
        ("110000", "population_resident"), ("110000", "population_urban_area"),
        ("320500", "population_resident"), ("659001", "population_urban_area")]
    beijing = frame.loc[("110000", "population_urban_area")]
    assert beijing["value"] == pytest.approx(1775.17 * 10_000)  # 万人 -> persons
    assert (beijing["basis"], beijing["scope"], beijing["data_year"]) == (
        "census_chengqu", "urban_area", 2020)
    assert (beijing["source_row"], beijing["source_column"]) == (3, "D")
    suzhou = frame.loc[("320500", "population_resident")]
    assert (suzhou["value"], suzhou["data_year"], suzhou["basis"]) == (
        10465994, 2010, "census_resident")
    assert parsed.notes == ["1 column(s) not loaded (not in the sidecar's columns): 性别比"]


@pytest.mark.unit
def test_a_column_named_in_the_sidecar_must_exist(tmp_path: Path, dictionary) -> None:
    path = write_case(tmp_path, TABLE.replace("城区人口", "城区人口数"))
    absent = "column(s) 城区人口 named in the sidecar are not in the header row"
    with pytest.raises(ReleaseError, match=re.escape(absent)) as raised:
        parse_release(path, dictionary)
    assert "城区人口" in str(raised.value) and "row 1" in str(raised.value)


@pytest.mark.unit
def test_unknown_indicator_or_level_in_sidecar_is_refused(tmp_path: Path, dictionary) -> None:
    columns = {"人口_2010": {"indicator": "population_total", "unit": "人"}}
    with pytest.raises(ReleaseError, match="population_total"):
        parse_release(write_case(tmp_path, columns=columns), dictionary)
    with pytest.raises(ReleaseError, match="unknown levels"):
        parse_release(write_case(tmp_path, levels=["city"]), dictionary)


@pytest.mark.unit
def test_text_in_a_figure_cell_names_the_cell(tmp_path: Path, dictionary) -> None:
    path = write_case(tmp_path, TABLE.replace("10465994", "约一千万"))
    with pytest.raises(ReleaseError, match=re.escape("value '约一千万' is not a number")) as raised:
        parse_release(path, dictionary)
    assert "row 5, column C" in str(raised.value) and "约一千万" in str(raised.value)
