"""A steward accepts a publisher's spelling once, in seeds/name_aliases.csv, and every
release that prints it loads; the spelling stands for its code only in the years given."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citytiers.database import connect
from citytiers.discover.candidates import discover
from citytiers.discover.metadata import sidecar_path
from citytiers.load.ingest import ingest
from citytiers.parse.normalize.dictionary import load_dictionary
from citytiers.settings import Settings
from tests.conftest import CASES, PROJECT_ROOT

OCR_CASE = CASES / "bad" / "ocr_misread_names.csv"
ALIASES = ("printed_name,city_code,first_year,last_year,source,note\n"
           "准安市,320800,2020,2023,TEST CASE ocr_misread_names.csv,OCR of 淮安市\n"
           "夏门市,350200,,,TEST CASE ocr_misread_names.csv,OCR of 厦门市\n"
           "秦阜岛市,130300,2022,,TEST CASE ocr_misread_names.csv,OCR of 秦皇岛市\n")


@pytest.fixture()
def steward_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """This checkout's seeds and GX project with the steward's alias lines added."""
    home = tmp_path / "home"
    shutil.copytree(PROJECT_ROOT / "dbt_project" / "seeds", home / "dbt_project" / "seeds")
    shutil.copytree(PROJECT_ROOT / "expectations", home / "expectations",
                    ignore=shutil.ignore_patterns("uncommitted"))
    (home / "dbt_project" / "seeds" / "name_aliases.csv").write_text(ALIASES,
                                                                      encoding="utf-8")
    settings = Settings(home=home, warehouse=tmp_path / "warehouse")
    monkeypatch.setenv("CITYTIERS_HOME", str(home))
    monkeypatch.setenv("CITYTIERS_WAREHOUSE", str(settings.warehouse))
    settings.ensure_dirs()
    return settings


@pytest.mark.unit
def test_an_alias_resolves_only_in_its_years(steward_home: Settings) -> None:
    dictionary = load_dictionary(steward_home.seeds)
    assert dictionary.city_code_for("准安市", 2022) == "320800"
    assert dictionary.city_code_for("准安市", 2019) is None     # before first_year
    assert dictionary.city_code_for("准安市", 2024) is None     # after last_year
    assert dictionary.city_code_for("夏门市", 1990) == "350200"  # open at both ends
    assert dictionary.city_code_for("秦阜岛", 2022) is None      # the printed spelling only
    assert dictionary.city_code_for("淮安市", 2022) == "320800"  # real names unaffected


@pytest.mark.functional
def test_the_ocr_release_loads_once_its_spellings_are_accepted(steward_home: Settings) -> None:
    shutil.copy2(OCR_CASE, steward_home.landing / OCR_CASE.name)
    shutil.copy2(sidecar_path(OCR_CASE), sidecar_path(steward_home.landing / OCR_CASE.name))
    [outcome] = [ingest(steward_home, c) for c in discover(steward_home)]
    assert outcome.status == "loaded", outcome.reason
    with connect(steward_home.build_db) as connection:
        rows = connection.execute("""select city_name_raw, city_code, value from raw.observations
                                     order by source_row""").fetchall()
    assert rows == [("南京市", "320100", 16907.41e8), ("准安市", "320800", 4742.42e8),
                    ("夏门市", "350200", 7802.66e8), ("秦阜岛市", "130300", 1909.52e8)]
