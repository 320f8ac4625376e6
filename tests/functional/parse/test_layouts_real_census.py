"""The real census files in ../shared/data parse through the shipped sidecars."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from citytiers.discover.metadata import find_sidecar
from citytiers.errors import MetadataMissingError
from citytiers.parse.release import parse_release

CITY_PANEL = "census/census_city_2010-2020_v1.csv"
COUNTY_2020 = "census/census_county_2020_v1.xlsx"


@pytest.mark.functional
def test_city_panel_values_equal_the_file(shared_data: Path, dictionary) -> None:
    path = shared_data / CITY_PANEL
    with path.open(encoding="utf-8-sig", newline="") as handle:
        source = {row["city_code"]: row for row in csv.DictReader(handle)}
    frame = parse_release(path, dictionary).observations.set_index(["city_code", "data_year"])
    for code in ("440300", "510100", "321300"):  # Shenzhen, Chengdu, Suqian
        for year in (2010, 2020):
            assert frame.loc[(code, year), "value"] == float(source[code][f"popu_{year}"])
            assert frame.loc[(code, year), "basis"] == "census_resident"
    # Municipalities are coded by their 市辖区 code in the source; GB/T 2260 in the warehouse.
    assert frame.loc[("110000", 2020), "value"] == float(source["110100"]["popu_2020"])
    assert ("460300", 2010) not in frame.index  # Sansha had no 2010 census figure
    assert frame.loc[("460300", 2020), "value"] == 2333


@pytest.mark.functional
def test_county_table_gives_census_chengqu(shared_data: Path, dictionary) -> None:
    parsed = parse_release(shared_data / COUNTY_2020, dictionary)
    urban = parsed.observations[parsed.observations["indicator_code"] == "population_urban_area"]
    assert set(urban["basis"]) == {"census_chengqu"} and set(urban["scope"]) == {"urban_area"}
    shenzhen = urban[urban["city_code"] == "440300"]
    assert shenzhen["value"].tolist() == [17438289.0]
    assert parsed.metadata.publisher.startswith("NBS 7th census")
    assert any("not loaded" in note for note in parsed.notes)


@pytest.mark.functional
def test_shipped_sidecar_applies_only_to_the_exact_file(shared_data: Path, dictionary,
                                                       tmp_path: Path) -> None:
    changed = tmp_path / Path(CITY_PANEL).name
    shutil.copy2(shared_data / CITY_PANEL, changed)
    assert find_sidecar(changed) is not None
    with changed.open("a", encoding="utf-8") as handle:
        handle.write("\n")  # a new version of the file: the pinned sidecar no longer applies
    assert find_sidecar(changed) is None
    missing = re.escape(f"file {changed.name}: release metadata missing: ")
    with pytest.raises(MetadataMissingError, match=missing) as raised:
        parse_release(changed, dictionary)
    assert "publisher" in raised.value.missing
