"""DAG integrity: every DAG file imports cleanly and the nightly DAG keeps its contract."""

from __future__ import annotations

import itertools

import pytest

from citytiers.settings import PROJECT_ROOT

DAGS_FOLDER = PROJECT_ROOT / "dags"
EXPECTED_DAG_IDS = ["citytiers_nightly"]


@pytest.fixture(scope="module")
def dag_bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


@pytest.mark.unit
def test_no_import_errors(dag_bag) -> None:
    assert dag_bag.import_errors == {}


@pytest.mark.unit
@pytest.mark.parametrize("dag_id", EXPECTED_DAG_IDS)
def test_dag_id_matches_file_name(dag_bag, dag_id: str) -> None:
    dag = dag_bag.dags[dag_id]  # a KeyError if the DAG is missing
    assert dag.dag_id == dag_id
    assert dag.fileloc.endswith(f"{dag_id}.py")


@pytest.mark.unit
def test_nightly_schedule_and_concurrency(dag_bag) -> None:
    dag = dag_bag.dags["citytiers_nightly"]
    timetable = dag.timetable
    assert type(timetable).__name__ == "CronTriggerTimetable"
    assert timetable.expression == "0 2 * * *"
    assert str(timetable.timezone) == "Asia/Shanghai"
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.doc_md and "citytiers_nightly" in dag.doc_md


@pytest.mark.unit
def test_flow_order_and_pool(dag_bag) -> None:
    dag = dag_bag.dags["citytiers_nightly"]
    order = ["discover_references", "ingest_reference", "discover", "ingest_release",
             "build_and_audit", "publish", "report", "night_verdict"]
    assert sorted(dag.task_ids) == sorted(order)
    for upstream, downstream in itertools.pairwise(order):
        assert downstream in dag.get_task(upstream).downstream_task_ids, (upstream, downstream)
    for task in dag.tasks:
        # Every task touches the writer's DuckDB file: all share the one-slot pool.
        assert task.pool == "citytiers_writer", task.task_id
        # The verdict fails on purpose (a degraded night): retrying cannot change it.
        assert task.retries == (0 if task.task_id == "night_verdict" else 2), task.task_id
    assert dag.get_task("publish").outlets[0].name == "citytiers_marts"


@pytest.mark.unit
def test_no_cycles(dag_bag) -> None:
    dag = dag_bag.dags["citytiers_nightly"]
    # A topological sort exists only for an acyclic graph; it must cover every task.
    assert len(dag.topological_sort()) == len(dag.tasks)
