"""Crash safety: SIGKILL a real child process at the worst moment of the loader, of
``dbt build`` and of publish, and check that the writer's database (its raw layer, by
content) and the published database (byte for byte) are exactly as before; then the
interrupted step, run again, does what it should have done.

The loader and publish are stopped at a crash point (citytiers.faults: inside the load
transaction before its commit; the copy made, before the rename that publishes it); dbt is
killed while it builds the candidate.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from citytiers.faults import LOAD_BEFORE_COMMIT, PAUSE_VARIABLE, PUBLISH_BEFORE_REPLACE, marker
from citytiers.orchestration import steps
from citytiers.settings import PROJECT_ROOT, SAMPLE_RELEASES_DIR, Settings
from citytiers.transform.build_state import needs_build
from citytiers.transform.candidate import prepare_candidate
from citytiers.transform.dbt_runner import DBT_MAIN

# Slow: crashes and restarts loads and builds in child processes (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow

BASE = [SAMPLE_RELEASES_DIR / "sample_communique_2022.csv"]
NEW = SAMPLE_RELEASES_DIR / "sample_communique_2023.csv"
RAW_TABLES = ("releases", "observations", "release_state_changes")
TIMEOUT = 240


def raw_content(db: Path) -> dict[str, tuple]:
    """Row count and a digest of every row of each raw table (the file's bytes change on
    a checkpoint; its content must not)."""
    with duckdb.connect(str(db), read_only=True) as connection:
        return {table: connection.execute(
            f"select count(*), md5(coalesce(string_agg(cast(t as varchar), '|' "
            f"order by cast(t as varchar)), '')) from raw.{table} t").fetchone()
            for table in RAW_TABLES}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def exports(settings: Settings) -> dict[str, str]:
    return {p.name: sha256(p) for p in sorted(settings.exports.glob("*.parquet"))}


def child(settings: Settings, code: str, **env: str) -> subprocess.Popen:
    """``code`` in a new Python process on ``settings``' warehouse."""
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT,
        env={**os.environ, "CITYTIERS_WAREHOUSE": str(settings.warehouse),
             "CITYTIERS_HOME": str(PROJECT_ROOT), **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def wait_for(condition, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the child ended before {what}: "
                                 + process.stderr.read().decode()[-3000:])
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def first_night(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A warehouse with one release loaded, built, audited and published."""
    settings = Settings(home=PROJECT_ROOT, warehouse=tmp_path_factory.mktemp("first"))
    assert [o["status"] for o in steps.load_paths(BASE, settings)] == ["loaded"]
    steps.build_and_audit("night-1", settings)
    steps.publish(settings)
    return settings


@pytest.fixture
def published(first_night: Settings, tmp_path: Path) -> Settings:
    """A copy of the first night's warehouse, for one test to crash."""
    shutil.copytree(first_night.warehouse, tmp_path / "warehouse", symlinks=True)
    return Settings(home=PROJECT_ROOT, warehouse=tmp_path / "warehouse")


def fingerprint(settings: Settings) -> tuple:
    return raw_content(settings.build_db), sha256(settings.published_db), exports(settings)


@pytest.mark.functional
def test_sigkill_of_the_loader_mid_release_loses_nothing(published: Settings) -> None:
    before = fingerprint(published)
    loader = child(published, f"from citytiers.cli.main import main; main(['load', {str(NEW)!r}])",
                   **{PAUSE_VARIABLE: LOAD_BEFORE_COMMIT})
    wait_for(lambda: Path(marker(published, LOAD_BEFORE_COMMIT)).exists(),
             "the loader reached its commit", loader)
    kill(loader)
    assert fingerprint(published) == before  # the uncommitted release rolled back
    [outcome] = steps.load_paths([NEW], published)
    assert (outcome["status"], outcome["observations"]) == ("loaded", 424)


@pytest.mark.functional
def test_sigkill_of_dbt_build_leaves_both_databases_as_they_were(published: Settings) -> None:
    steps.load_paths([NEW], published)
    before = fingerprint(published)
    night = child(published, "from citytiers.orchestration import steps; "
                             "steps.build_and_audit('night-2')")

    def dbt_children() -> list[psutil.Process]:
        found = []
        for process in psutil.Process(night.pid).children(recursive=True):
            # A short-lived helper may exit (or linger as a zombie) while we look.
            with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
                if DBT_MAIN in " ".join(process.cmdline()):
                    found.append(process)
        return found

    def dbt_is_building() -> bool:
        busy = False
        for process in dbt_children():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
                busy = busy or process.cpu_times().user > 3
        return busy

    wait_for(dbt_is_building, "dbt to be building", night)
    [dbt] = dbt_children()
    dbt.send_signal(signal.SIGKILL)
    night.wait(timeout=TIMEOUT)
    assert night.returncode != 0  # the audit refuses a build dbt did not finish
    assert b"dbt was killed by signal 9" in night.stderr.read()
    assert fingerprint(published) == before
    assert steps.night_verdict("night-2", published)["state"] == "failed"
    # The next night builds again: the marker of a build never published says so.
    assert needs_build(published) is True


@pytest.mark.functional
def test_sigkill_of_publish_leaves_the_published_database_as_it_was(
        published: Settings) -> None:
    steps.load_paths([NEW], published)
    # The candidate publish copies: a copy of the writer's database (which now holds the
    # second release). Publishing is atomic whatever it publishes; no dbt build needed.
    prepare_candidate(published)
    before = fingerprint(published)
    publisher = child(published, "from citytiers.orchestration import steps; steps.publish()",
                      **{PAUSE_VARIABLE: PUBLISH_BEFORE_REPLACE})
    wait_for(lambda: Path(marker(published, PUBLISH_BEFORE_REPLACE)).exists(),
             "publish to have copied the candidate", publisher)
    kill(publisher)
    assert fingerprint(published) == before
    releases = "select count(*) from raw.releases"
    with duckdb.connect(str(published.published_db), read_only=True) as connection:
        assert connection.execute(releases).fetchone() == (1,)

    steps.publish(published)  # run again: now it publishes
    with duckdb.connect(str(published.published_db), read_only=True) as connection:
        assert connection.execute(releases).fetchone() == (2,)
