"""Great Expectations on real DataFrames: the suites pass good data and fail bad data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from citytiers.parse.release import parse_release
from citytiers.settings import Settings
from citytiers.validate.gx_project import build_data_docs, configure_project, run_checkpoint
from citytiers.validate.suites import SUITES

SAMPLE = "sample_communique_2021.csv"


@pytest.fixture()
def good_frame(samples_dir: Path, dictionary) -> pd.DataFrame:
    # The release as the pipeline stages it (basis assigned), without its file order.
    return parse_release(samples_dir / SAMPLE, dictionary).observations


def _validate(settings: Settings, frame: pd.DataFrame, max_year: int = 2022):
    return run_checkpoint(settings, "raw_observations", frame, {"max_data_year": max_year})


@pytest.mark.functional
def test_raw_suite_passes_a_good_release(settings: Settings, good_frame, dictionary) -> None:
    outcome = _validate(settings, good_frame)
    assert outcome.success, outcome.summary()
    assert outcome.evaluated == len(SUITES["raw_observations"](dictionary).expectations)
    assert outcome.failed == []
    # Data Docs are built once per night, not per validation; then they list this one.
    assert not (settings.reports / "data_docs" / "index.html").exists()
    index = build_data_docs(settings)
    assert "raw_observations" in index.read_text(encoding="utf-8")


@pytest.mark.functional
def test_negative_gdp_fails(settings: Settings, good_frame) -> None:
    bad = good_frame.copy()
    first_gdp = bad.index[bad["indicator_code"] == "gdp"][0]
    bad.loc[first_gdp, "value"] = -1.0
    outcome = _validate(settings, bad)
    assert not outcome.success
    assert len(outcome.failed) == 1   # one check, not a sign check and a bound check
    [failure] = outcome.failed
    assert "plausibility bounds" in failure
    row, column = bad.loc[first_gdp, ["source_row", "source_column"]]
    assert f"row {row}, column {column}: gdp of 北京市 2021 is -1 yuan" in failure
    assert "outside 1e+06 .. 2e+14" in failure   # the bounds of seeds/plausibility_bounds


@pytest.mark.functional
def test_negative_growth_is_allowed_but_absurd_growth_is_not(settings: Settings,
                                                             good_frame) -> None:
    frame = good_frame.copy()
    growth = frame.index[frame["indicator_code"] == "gdp_growth_real_pct"]
    frame.loc[growth[0], "value"] = -3.5  # a shrinking economy is plausible
    assert _validate(settings, frame).success
    frame.loc[growth[1], "value"] = 830.0  # 830 % real growth is a typing error
    outcome = _validate(settings, frame)
    assert not outcome.success
    [failure] = outcome.failed
    assert "gdp_growth_real_pct" in failure and " is 830 percent" in failure
    assert "outside -50 .. 50" in failure


@pytest.mark.functional
def test_duplicate_key_within_a_release_fails(settings: Settings, good_frame) -> None:
    doubled = pd.concat([good_frame, good_frame.iloc[[0]]], ignore_index=True)
    outcome = _validate(settings, doubled)
    assert not outcome.success
    [failure] = [f for f in outcome.failed if f.startswith("One row per city_code")]
    row, column = good_frame.iloc[0][["source_row", "source_column"]]
    # Both rows are named (the copy keeps the lineage of the row it copies).
    assert failure.count(f"row {row}, column {column} (北京市 110000, 2021)") == 2


@pytest.mark.functional
def test_bad_code_and_future_year_fail(settings: Settings, good_frame) -> None:
    frame = good_frame.copy()
    frame.loc[0, "city_code"] = "32050"
    outcome = _validate(settings, frame)
    # GX has no regex for the duckdb dialect: the code check is SQL and names the row.
    [code_check] = [f for f in outcome.technical if "city_code matches" in f]
    assert "unexpected_rows_expectation" in code_check
    # A release published in 2020 cannot hold figures for 2021.
    outcome = _validate(settings, good_frame, max_year=2020)
    assert not outcome.success
    assert any("data_year" in f for f in outcome.failed)


STRUCTURAL_CHECKS = {"expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique",
                     "expect_column_values_to_not_be_null"}


@pytest.mark.functional
def test_mart_structure_is_checked_by_dbt_not_again_by_gx(dictionary) -> None:
    """Keys and NOT NULL of the marts are dbt tests (_marts__models.yml): no mart suite
    repeats them, and every mart suite has the common plausibility of its columns."""
    import yaml

    from citytiers.settings import load_settings

    models = yaml.safe_load((load_settings().dbt_project / "models" / "marts"
                             / "_marts__models.yml").read_text(encoding="utf-8"))["models"]
    keyed = {m["name"] for m in models
             if any("unique_combination_of_columns" in t for t in m.get("data_tests", []))}
    for name, configure in SUITES.items():
        if name.startswith("raw_"):
            continue
        suite = configure(dictionary)
        types = {e.expectation_type for e in suite.expectations}
        assert not types & STRUCTURAL_CHECKS, name
        assert name in keyed, f"{name}: its key is not a dbt test"
        # Rows at all: the fact table only (the other marts can be empty on a subset of
        # releases: no census, no size classes).
        assert ("expect_table_row_count_to_be_between" in types) == (
            name == "fct_city_indicator"), name


@pytest.mark.functional
def test_mart_suite_keeps_two_bases_of_one_figure(settings: Settings) -> None:
    """城区 population by the census and by a yearbook are two facts, not a duplicate."""
    frame = pd.DataFrame({
        "city_code": ["440600", "440600"], "data_year": [2020, 2020],
        "indicator_code": ["population_urban_area"] * 2, "scope": ["urban_area"] * 2,
        "basis": ["census_chengqu", "yearbook_chengqu"],
        "value": [8.54e6, 1.94e6], "release_id": ["a", "b"], "vintage_count": [1, 1],
    })
    assert run_checkpoint(settings, "fct_city_indicator", frame).success


def _expectations(folder: Path) -> dict[str, list[dict]]:
    """Suite name -> its expectations without GX's generated ids."""
    suites = {}
    for path in sorted((folder / "expectations").glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        suites[suite["name"]] = [{k: v for k, v in e.items() if k != "id"}
                                 for e in suite["expectations"]]
    return suites


def _actions(folder: Path) -> dict[str, list]:
    return {json.loads(path.read_text(encoding="utf-8"))["name"]:
            json.loads(path.read_text(encoding="utf-8"))["actions"]
            for path in sorted((folder / "checkpoints").glob("*.json"))}


@pytest.mark.functional
def test_committed_gx_project_matches_the_suites_in_code(settings: Settings, dictionary,
                                                         tmp_path: Path) -> None:
    """`citytiers gx-configure` was run after the last edit of suites.py."""
    copy = tmp_path / "expectations"
    shutil.copytree(settings.expectations, copy, ignore=shutil.ignore_patterns("uncommitted"))
    configure_project(Settings(home=tmp_path, warehouse=settings.warehouse), dictionary)
    assert _expectations(copy) == _expectations(settings.expectations)
    assert set(_expectations(copy)) == set(SUITES)
    # The checkpoints too: their actions (none: Data Docs are built once per night).
    assert _actions(copy) == _actions(settings.expectations) == {name: [] for name in SUITES}


@pytest.mark.functional
def test_one_context_per_process_and_warehouse(tmp_path: Path, good_frame,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The project is opened once per warehouse, not once per checkpoint, and a second
    warehouse in the same process gets its own: each keeps its own results."""
    import great_expectations as gx

    from citytiers.settings import PROJECT_ROOT

    opened: list[str] = []
    real_get_context = gx.get_context

    def counted(*args, **kwargs):
        opened.append(kwargs.get("context_root_dir", ""))
        return real_get_context(*args, **kwargs)

    monkeypatch.setattr(gx, "get_context", counted)
    first, second = (Settings(home=PROJECT_ROOT, warehouse=tmp_path / name)
                     for name in ("first", "second"))
    for settings in (first, second):
        settings.ensure_dirs()
    for settings in (first, first, second, first):
        assert _validate(settings, good_frame).success
    assert len(opened) == 2  # one per warehouse
    for settings, results in ((first, 3), (second, 1)):
        kept = list((settings.reports / "gx_validations").rglob("*.json"))
        assert len(kept) == results, (settings.warehouse, kept)
