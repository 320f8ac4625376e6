"""``citytiers load PATH...``: the DAG's ingest steps without Airflow, on a real DuckDB file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from citytiers.cli.main import EXIT_LOCKED, main
from citytiers.discover.metadata import sidecar_path
from citytiers.settings import PROJECT_ROOT, SAMPLE_RELEASES_DIR, Settings

CASES = Path(__file__).resolve().parents[2] / "cases"
GOOD = SAMPLE_RELEASES_DIR / "sample_communique_2023.csv"
# Row 5 (苏州市), column D holds "abc".
BAD = CASES / "bad" / "non_numeric_value.csv"


def copy_release(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, folder / source.name)
    shutil.copy2(sidecar_path(source), sidecar_path(folder / source.name))
    return folder / source.name


@pytest.fixture()
def releases(tmp_path: Path) -> Path:
    """A folder (outside the warehouse) with one good and one bad release."""
    folder = tmp_path / "releases"
    copy_release(GOOD, folder)
    copy_release(BAD, folder)
    return folder


def raw_state(settings: Settings) -> tuple[int, list[tuple[str, str]]]:
    """(rows of raw.observations, [(file, status)] of raw.releases)."""
    with duckdb.connect(str(settings.build_db), read_only=True) as connection:
        observations = connection.execute("select count(*) from raw.observations").fetchone()[0]
        releases = connection.execute(
            "select file_name, status from raw.releases order by file_name").fetchall()
    return observations, releases


@pytest.mark.functional
def test_load_folder_loads_good_release_and_quarantines_bad(settings: Settings,
                                                            releases: Path) -> None:
    result = CliRunner().invoke(main, ["load", str(releases)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    loaded = [line for line in lines if line.startswith("loaded ")]
    quarantined = [line for line in lines if line.startswith("quarantined ")]
    assert len(loaded) == 1 and GOOD.name in loaded[0], lines
    assert len(quarantined) == 1, lines
    assert "non_numeric_value.csv" in quarantined[0]
    assert "row 5" in quarantined[0] and "column D" in quarantined[0]
    loaded_count = int(re.search(r"(\d+) observations", loaded[0]).group(1))
    assert loaded_count == len(GOOD.read_text(encoding="utf-8").splitlines()) - 1 == 424
    assert "2 release(s): 1 loaded (424 observations), 1 quarantined, 0 skipped" in lines[-1]

    observations, recorded = raw_state(settings)
    assert observations == loaded_count
    assert recorded == [("non_numeric_value.csv", "quarantined"), (GOOD.name, "loaded")]
    reason = next(settings.quarantine.glob("*non_numeric_value.csv.reason.txt"))
    assert "non_numeric_value.csv" in reason.read_text(encoding="utf-8")
    assert "row 5" in reason.read_text(encoding="utf-8")
    # Read from a folder that is not landing/: copied, never moved.
    assert (releases / GOOD.name).exists() and (releases / BAD.name).exists()


@pytest.mark.functional
def test_load_json_then_again_loads_nothing(settings: Settings, releases: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["load", "--json", str(releases)])

    assert first.exit_code == 0, first.output
    outcomes = [json.loads(line) for line in first.stdout.splitlines()]
    by_file = {o["file_name"]: o for o in outcomes}
    assert set(by_file) == {GOOD.name, BAD.name}
    assert by_file[GOOD.name]["status"] == "loaded"
    assert by_file[GOOD.name]["observations"] == 424
    assert by_file[GOOD.name]["is_synthetic"] is True
    assert by_file[BAD.name]["status"] == "quarantined"
    assert "non_numeric_value.csv" in by_file[BAD.name]["reason"]
    assert "row 5" in by_file[BAD.name]["reason"]
    assert isinstance(by_file[GOOD.name]["timings"], dict)

    second = runner.invoke(main, ["load", str(releases)])

    assert second.exit_code == 0, second.output
    assert "no new release" in second.stdout
    assert not [line for line in second.stdout.splitlines()
                if line.startswith(("loaded ", "quarantined "))]
    observations, recorded = raw_state(settings)
    assert observations == 424
    assert recorded == [("non_numeric_value.csv", "quarantined"), (GOOD.name, "loaded")]


@pytest.mark.functional
def test_load_into_locked_database_fails_naming_the_file(settings: Settings,
                                                         releases: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
         "time.sleep(60)", str(settings.build_db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        script = PROJECT_ROOT / ".venv" / "bin" / "citytiers"
        command = [str(script)] if script.exists() else [sys.executable, "-m", "citytiers.cli.main"]
        result = subprocess.run([*command, "load", str(releases)], capture_output=True,
                                text=True, timeout=300,
                                env={**os.environ, "CITYTIERS_WAREHOUSE": str(settings.warehouse)})
    finally:
        holder.kill()
        holder.wait()

    assert result.returncode == EXIT_LOCKED, result.stderr
    assert "locked" in result.stderr
    assert str(settings.build_db) in result.stderr
    assert "published copy" in result.stderr and str(settings.published_db) in result.stderr
    assert "Traceback" not in result.stderr
    assert not [line for line in result.stdout.splitlines() if line.startswith("loaded ")]
