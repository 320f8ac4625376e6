"""The nightly DAG under the REAL Airflow 3 scheduler (not `airflow dags test`).

One module-scoped Airflow (scheduler + LocalExecutor, DAG processor, API server on a free
loopback port; see citytiers.orchestration.airflow_local) on a fresh temporary warehouse; the
tests run
in file order and build on each other, like successive nights of one warehouse:

a. unpausing the DAG on an empty warehouse runs the latest scheduled night (catchup off);
b. a run triggered through the REST API without a logical date;
c. a night with nothing new;
d. a night with the bundled SYNTHETIC sample releases dropped into landing/;
e. clearing every task instance of the last successful run re-runs it, marts unchanged.

Assertions are on DAG run and task states (REST API) and on the published database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import psutil
import pytest

from citytiers.discover.metadata import sidecar_path
from citytiers.settings import PROJECT_ROOT
from tests.support.airflow_api import AirflowApi

NIGHT_TIMEOUT = 300.0  # s; the sample night takes about 1.5 min on 2 cores
SHANGHAI = ZoneInfo("Asia/Shanghai")
DONE = {"success", "skipped"}


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowApi]:
    warehouse = tmp_path_factory.mktemp("sched_warehouse")
    with AirflowApi(warehouse) as services:
        dags = Path(services.env["AIRFLOW__CORE__DAGS_FOLDER"])
        if dags != PROJECT_ROOT / "dags":  # CITYTIERS_TEST_DAGS_FOLDER, for debugging only
            warnings.warn(f"testing the DAGs in {dags}, not the checkout's", stacklevel=1)
        yield services
        started = services.process_tree()
    # No orphan: every process the services ran (components, executor workers, the
    # forkserver, task supervisors) is gone.
    alive = []
    for process in started:
        with contextlib.suppress(psutil.NoSuchProcess):
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{process.pid} {process.name()}")
    assert not alive, f"Airflow processes left running: {alive}"


def published(airflow: AirflowApi) -> Path:
    return airflow.warehouse / "citytiers.duckdb"


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def mart_counts(db: Path) -> dict[str, int]:
    tables = [name for (name,) in query(
        db, "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name")]
    return {name: query(db, f"select count(*) from marts.{name}")[0][0] for name in tables}


def marts_snapshot(db: Path) -> dict[str, object]:
    """Per-table row counts plus the fact table's figures, sorted."""
    return {"counts": mart_counts(db),
            "facts": query(db, "select city_code, data_year, indicator_code, scope, value, "
                               "release_id from marts.fct_city_indicator order by all")}


def latest_night(now: dt.datetime) -> dt.datetime:
    """The latest 02:00 Asia/Shanghai at or before ``now`` (the DAG's cron)."""
    local = now.astimezone(SHANGHAI)
    night = local.replace(hour=2, minute=0, second=0, microsecond=0)
    return night if night <= local else night - dt.timedelta(days=1)


def parse(timestamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def assert_finished(airflow: AirflowApi, run_id: str) -> dict[str, list[str]]:
    states = airflow.task_states(run_id)
    unfinished = {task: s for task, s in states.items() if not set(s) <= DONE}
    assert not unfinished, f"run {run_id} succeeded with unfinished tasks: {unfinished}"
    return states


@pytest.mark.e2e
def test_a_unpausing_runs_the_latest_night_on_an_empty_warehouse(airflow) -> None:
    # The API server lists the project's DAGs, and only them (no examples).
    listed = airflow.request("GET", "/api/v2/dags")
    assert [d["dag_id"] for d in listed["dags"]] == ["citytiers_nightly"]
    dag = airflow.get_dag()
    assert dag is not None and dag["is_paused"] is True  # paused at creation
    assert airflow.runs() == []
    before = dt.datetime.now(dt.UTC)

    airflow.unpause()
    run = airflow.wait_for_new_run(timeout=120)
    after = dt.datetime.now(dt.UTC)

    assert run["run_type"] == "scheduled"
    assert parse(run["logical_date"]) in {latest_night(before), latest_night(after)}
    done = airflow.wait_for_run(run["dag_run_id"], timeout=NIGHT_TIMEOUT)
    assert done["state"] == "success"
    assert_finished(airflow, run["dag_run_id"])
    # catchup=False: only the latest night, none of the nights since start_date (a second
    # one only if 02:00 passed meanwhile).
    nights = {parse(r["logical_date"]) for r in airflow.runs()}
    assert nights <= {latest_night(before), latest_night(dt.datetime.now(dt.UTC))}
    db = published(airflow)
    assert db.exists()
    counts = mart_counts(db)
    assert {"fct_city_indicator", "dim_release"} <= set(counts)
    # Nothing loaded yet: every fact and mart is empty. dim_city comes from the seeds and
    # mart_population_change has one row per city by design, none of them comparable.
    loaded = {name: n for name, n in counts.items()
              if name.startswith(("fct_", "mart_")) or name == "dim_release"}
    spine = loaded.pop("mart_population_change", 0)
    assert len(loaded) >= 10 and set(loaded.values()) == {0}, counts
    if spine:
        assert query(db, "select count(*) from marts.mart_population_change "
                         "where is_comparable or population_to_persons is not null") == [(0,)]


@pytest.mark.e2e
def test_b_a_run_triggered_without_logical_date_succeeds(airflow) -> None:
    run = airflow.trigger()  # "logical_date": null, as the UI triggers in Airflow 3

    assert run["logical_date"] is None
    assert run["run_type"] == "manual"
    done = airflow.wait_for_run(run["dag_run_id"], timeout=NIGHT_TIMEOUT)
    assert done["state"] == "success"
    states = assert_finished(airflow, run["dag_run_id"])
    assert states["report"] == ["success"]
    assert query(published(airflow), "select count(*) from marts.fct_city_indicator") == [(0,)]


@pytest.mark.e2e
def test_c_a_night_with_nothing_new_succeeds(airflow, tmp_path: Path) -> None:
    db = published(airflow)
    before = (db.stat().st_mtime_ns, mart_counts(db))
    empty_source = tmp_path / "empty_source"
    empty_source.mkdir()

    run = airflow.trigger(logical_date=dt.datetime.now(dt.UTC),
                          conf={"extra_source_dirs": [str(empty_source)]})
    done = airflow.wait_for_run(run["dag_run_id"], timeout=NIGHT_TIMEOUT)

    assert done["state"] == "success"
    assert done["conf"] == {"extra_source_dirs": [str(empty_source)]}
    states = assert_finished(airflow, run["dag_run_id"])
    assert states["discover"] == ["success"] and states["report"] == ["success"]
    # Nothing to ingest (the mapped task expands to nothing), marts current: nothing is
    # (re)published, the analysts' file is untouched.
    assert states["ingest_release"] == ["skipped"]
    assert states["publish"] == ["skipped"]
    assert (db.stat().st_mtime_ns, mart_counts(db)) == before


@pytest.mark.e2e
def test_d_a_night_with_new_releases_publishes_them(airflow, samples_dir: Path) -> None:
    samples = sorted(p for p in samples_dir.iterdir() if not p.name.endswith(".release.yml"))
    landing = airflow.warehouse / "landing"
    landing.mkdir(exist_ok=True)
    for sample in samples:
        shutil.copy2(sample, landing / sample.name)
        shutil.copy2(sidecar_path(sample), sidecar_path(landing / sample.name))

    run = airflow.trigger(logical_date=dt.datetime.now(dt.UTC))
    done = airflow.wait_for_run(run["dag_run_id"], timeout=NIGHT_TIMEOUT)

    assert done["state"] == "success"
    states = assert_finished(airflow, run["dag_run_id"])
    assert states["ingest_release"] == ["success"] * len(samples)  # one mapped task each
    assert states["publish"] == ["success"] and states["report"] == ["success"]
    db = published(airflow)
    assert query(db, "select count(*) from marts.dim_release") == [(len(samples),)]
    [(facts,)] = query(db, "select count(*) from marts.fct_city_indicator")
    assert facts > 0
    assert query(db, "select bool_and(is_synthetic) from marts.fct_city_indicator") == [(True,)]
    assert {name for (name,) in query(db, "select file_name from marts.dim_release")} == {
        p.name for p in samples}


@pytest.mark.e2e
def test_e_clearing_the_last_successful_run_reruns_it_and_changes_nothing(airflow) -> None:
    [last] = airflow.runs(state="success")[-1:]
    run_id = last["dag_run_id"]
    db = published(airflow)
    before = marts_snapshot(db)
    tries_before = {(ti["task_id"], ti["map_index"]): ti["try_number"]
                    for ti in airflow.task_instances(run_id)}

    cleared = airflow.clear_task_instances(run_id)

    assert {ti["task_id"] for ti in cleared} == {task for task, _ in tries_before}
    assert airflow.get_run(run_id)["state"] in {"queued", "running"}
    done = airflow.wait_for_run(run_id, timeout=NIGHT_TIMEOUT)
    assert done["state"] == "success"
    after = {(ti["task_id"], ti["map_index"]): ti for ti in airflow.task_instances(run_id)}
    # Every task that ran before ran again (its try number went up), or was skipped
    # this time: the warehouse already holds what the first attempt built and published,
    # so build_and_audit skips (needs_build), and publish after it...
    ran_before = {key for key, tries in tries_before.items() if tries > 0}
    not_rerun = {key for key in ran_before
                 if after[key]["state"] not in ("removed", "skipped")
                 and after[key]["try_number"] <= tries_before[key]}
    assert not not_rerun, not_rerun
    assert after[("build_and_audit", -1)]["state"] == "skipped"
    assert after[("night_verdict", -1)]["state"] == "success"
    # ...except the mapped ingests: the re-run's discovery finds their releases loaded
    # already, so they expand over nothing and Airflow marks the old map indices removed.
    states = {key: ti["state"] for key, ti in after.items()}
    assert {s for (task, _), s in states.items() if task == "ingest_release"} <= {
        "removed", "skipped"}
    assert set(states.values()) <= DONE | {"removed"}, states
    assert marts_snapshot(db) == before
