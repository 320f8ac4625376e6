"""Ingest on a real DuckDB file: load, re-load (no-op), quarantine, lock handling."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml

from citytiers.database import connect
from citytiers.discover.candidates import discover
from citytiers.discover.metadata import sidecar_path
from citytiers.errors import WarehouseLocked
from citytiers.load.ingest import ingest
from citytiers.settings import Settings

CASES = Path(__file__).resolve().parents[2] / "cases"

YEARBOOK = "sample_yearbook_2020_t2-1.xlsx"
COMMUNIQUE = "sample_communique_2022.csv"


def drop(source: Path, landing: Path) -> Path:
    """Copy a release and its sidecar into landing/, as a publisher's download would."""
    shutil.copy2(source, landing / source.name)
    shutil.copy2(sidecar_path(source), sidecar_path(landing / source.name))
    return landing / source.name


def counts(settings: Settings) -> tuple[int, int, int]:
    with connect(settings.build_db) as connection:
        loaded = connection.execute(
            "select count(*) from raw.releases where status = 'loaded'").fetchall()[0][0]
        quarantined = connection.execute(
            "select count(*) from raw.releases where status = 'quarantined'").fetchall()[0][0]
        observations = connection.execute("select count(*) from raw.observations").fetchall()[0][0]
    return loaded, quarantined, observations


@pytest.mark.functional
def test_load_keeps_lineage_to_the_cell(settings: Settings, samples_dir: Path) -> None:
    drop(samples_dir / YEARBOOK, settings.landing)
    [candidate] = discover(settings)
    outcome = ingest(settings, candidate, run_id="test")

    assert outcome.status == "loaded"
    assert not (settings.landing / YEARBOOK).exists()  # moved out of landing/
    archived = Path(outcome.stored_path)
    assert archived == settings.archive / "sample" / "2020" / f"{candidate.release_id}.xlsx"
    assert sidecar_path(archived).exists()
    with connect(settings.build_db) as connection:
        rows = connection.execute(
            "select source_sheet, source_row, source_column, value, value_raw, unit_raw "
            "from raw.observations where city_code = '320500' and indicator_code = 'gdp' "
            "and scope = 'whole_city'").fetchall()
    [(sheet, row, column, value, value_raw, unit_raw)] = rows
    cell = openpyxl.load_workbook(archived)[sheet][f"{column}{row}"].value
    assert str(cell) == value_raw
    assert value == pytest.approx(float(cell) * 10_000)  # 万元 -> yuan
    assert unit_raw == "万元"
    assert counts(settings) == (1, 0, outcome.observations)


@pytest.mark.functional
def test_same_content_twice_loads_nothing(settings: Settings, samples_dir: Path) -> None:
    drop(samples_dir / COMMUNIQUE, settings.landing)
    [candidate] = discover(settings)
    first = ingest(settings, candidate)
    before = counts(settings)
    # The publisher re-posts the identical file under another name.
    again = settings.landing / "communique_again.csv"
    shutil.copy2(samples_dir / COMMUNIQUE, again)
    shutil.copy2(sidecar_path(samples_dir / COMMUNIQUE), sidecar_path(again))
    assert discover(settings) == []
    assert ingest(settings, candidate).status == "skipped"
    assert counts(settings) == before == (1, 0, first.observations)


@pytest.mark.functional
def test_bad_release_is_quarantined_and_nothing_is_lost(settings: Settings,
                                                        samples_dir: Path) -> None:
    drop(samples_dir / COMMUNIQUE, settings.landing)
    [good] = discover(settings)
    ingest(settings, good)
    before = counts(settings)

    drop(CASES / "bad" / "negative_gdp.csv", settings.landing)
    [bad] = discover(settings)
    outcome = ingest(settings, bad, run_id="test")

    assert outcome.status == "quarantined"
    assert "raw_observations" in outcome.reason
    assert ("row 2, column F: gdp of 苏州市 2022 is -2.39583e+12 yuan (printed -23958.34 亿元)"
            in outcome.reason)
    kept = Path(outcome.stored_path)
    assert kept.parent == settings.quarantine and kept.exists()
    reason = kept.with_name(kept.name + ".reason.txt").read_text(encoding="utf-8")
    assert "negative_gdp.csv" in reason and "nothing of it was loaded" in reason
    assert not (settings.landing / "negative_gdp.csv").exists()
    loaded, quarantined, observations = counts(settings)
    assert (loaded, observations) == (before[0], before[2])
    assert quarantined == 1
    # The same bad content with the same sidecar is not retried every night ...
    drop(CASES / "bad" / "negative_gdp.csv", settings.landing)
    assert discover(settings) == []
    # ... but a corrected sidecar is a new attempt.
    sidecar = sidecar_path(settings.landing / "negative_gdp.csv")
    meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    sidecar.write_text(yaml.safe_dump({**meta, "title": meta["title"] + " (resent)"},
                                      allow_unicode=True), encoding="utf-8")
    assert [c.release_id for c in discover(settings)] == [bad.release_id]


@pytest.mark.functional
def test_unparseable_release_is_quarantined_with_cell_reference(settings: Settings) -> None:
    drop(CASES / "bad" / "non_numeric_value.csv", settings.landing)
    [candidate] = discover(settings)
    outcome = ingest(settings, candidate)
    assert outcome.status == "quarantined"
    assert "non_numeric_value.csv" in outcome.reason
    assert "row " in outcome.reason and "column " in outcome.reason
    assert counts(settings) == (0, 1, 0)


@pytest.mark.functional
def test_locked_database_is_a_transient_error(settings: Settings) -> None:
    """Another process holding the writer's file must give a retryable error, not a crash."""
    duckdb.connect(str(settings.build_db)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
         " time.sleep(30)", str(settings.build_db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        locked = re.escape(f"{settings.build_db} is locked by another process")
        with pytest.raises(WarehouseLocked, match=locked) as raised, connect(settings.build_db):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert "published copy" in str(raised.value)
