"""Printed names resolved against the real code records (areacodes result.csv), loaded
through the normal ingestion path: data year, former names, traditional characters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from citytiers.discover.metadata import sidecar_path
from citytiers.parse.normalize.dictionary import load_dictionary
from citytiers.parse.release import parse_release
from citytiers.settings import SAMPLE_RELEASES_DIR, Settings

TRADITIONAL_SAMPLE = "sample_yearbook_2024_trad.xlsx"


@pytest.fixture(scope="module")
def with_code_records(shared_data: Path, load_releases) -> Settings:
    return load_releases("names", shared_data / "areacodes" / "result.csv")


def dictionary_for(settings: Settings):
    return load_dictionary(settings.seeds).with_name_history(settings.build_db)


@pytest.mark.functional
def test_xiangfan_resolves_to_xiangyang_for_2011(with_code_records: Settings) -> None:
    names = dictionary_for(with_code_records)
    assert names.city_code_for("襄樊", 2011) == "420600"
    assert names.city_code_for("襄樊市", 2009) == "420600"
    assert names.city_code_for("襄阳市", 2011) == "420600"
    assert names.city_code_for("毕节", 2012) == "520500"
    assert names.city_code_for("毕节地区", 2010) == "522400"
    assert names.city_code_for("莱芜市", 2018) == "371200"
    assert names.city_code_for("莱芜市", 2020) is None  # abolished: nothing is guessed


@pytest.mark.functional
def test_traditional_yearbook_resolves_fully_against_code_records(
        with_code_records: Settings, dictionary) -> None:
    """The traditional-character sample (names like 蘇州市, 廣州市) without the seed's help:
    every name resolves through the code history, to the same codes as the seed gives."""
    names = dictionary_for(with_code_records)
    path = SAMPLE_RELEASES_DIR / TRADITIONAL_SAMPLE
    by_history = parse_release(path, names).observations
    by_seed = parse_release(path, dictionary).observations
    assert len(by_history) == len(by_seed) > 0
    assert by_history["city_code"].tolist() == by_seed["city_code"].tolist()


@pytest.mark.functional
def test_unresolvable_names_fail_the_release_with_the_list(with_code_records: Settings,
                                                          tmp_path: Path) -> None:
    source = SAMPLE_RELEASES_DIR / TRADITIONAL_SAMPLE
    copy = tmp_path / "renamed.csv"
    copy.write_text("城市,地區生產總值(萬元)\n蘇州市,100\n莱芜市,5\n火星市,1\n", encoding="utf-8")
    meta = yaml.safe_load(sidecar_path(source).read_text(encoding="utf-8"))
    sidecar_path(copy).write_text(yaml.safe_dump({**meta, "data_year": 2020}), encoding="utf-8")
    from citytiers.errors import ReleaseError

    with pytest.raises(ReleaseError, match=re.escape("2 city name(s) not resolved")) as raised:
        parse_release(copy, dictionary_for(with_code_records))
    message = str(raised.value)
    assert "2 city name(s) not resolved" in message
    # 莱芜 was merged into 济南 at the end of 2018: in 2020 data it is no name in force, and
    # the reason offers the nearest names valid in 2020 (never a guess); 火星市 has none.
    assert "莱芜市 (row 3; nearest known: " in message and "火星市 (row 4)" in message
