"""
### citytiers_nightly

Every night at 02:00 Asia/Shanghai: ingest new statistical releases into the DuckDB
warehouse, rebuild the dbt marts, validate them with Great Expectations and publish the
analysts' copy (`warehouse/citytiers.duckdb`) plus Parquet exports and reports.

discover_references → ingest_reference (mapped: code lists and change events first) →
discover → ingest_release (mapped, one per new release: parse, gates, load or
quarantine) → build_and_audit (dbt build on a copy of the warehouse, the mart audit; a
release whose rows fail it is quarantined after the fact and the copy rebuilt without
it) → publish → report → night_verdict.

A night ends in one of three ways: **success** (clean), **failed with only
`night_verdict` failed** (degraded: releases were quarantined after the audit, the rest is
published; the alert names them), or **failed at `build_and_audit`** (nothing published,
the analysts' database unchanged).

Every task that touches the writer's database runs in the one-slot pool
`citytiers_writer` (DuckDB allows one writing process per file). A malformed release is
quarantined and the night goes on; a locked database is retried.

Param `extra_source_dirs`: folders (or single files) read *in addition to*
`warehouse/landing/`; their files are copied, never moved (used for the bundled synthetic
samples and for real data kept outside the repository).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import (
    Asset,
    CronTriggerTimetable,
    Param,
    TriggerRule,
    dag,
    get_current_context,
    task,
)
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from citytiers.orchestration.writer_pool import WRITER_POOL

MARTS_ASSET = Asset(name="citytiers_marts", uri="file://warehouse/citytiers.duckdb")


def _terminal(call: Any, *args: Any) -> Any:
    """Run a step; input or data errors fail the task at once (retrying cannot help)."""
    from citytiers.errors import TerminalError

    try:
        return call(*args)
    except TerminalError as exc:
        raise AirflowFailException(str(exc)) from exc


@dag(
    schedule=CronTriggerTimetable("0 2 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5), "pool": WRITER_POOL},
    params={"extra_source_dirs": Param([], type="array",
                                       description="Folders to read besides warehouse/landing/")},
    tags=["citytiers", "warehouse"],
    doc_md=__doc__,
)
def citytiers_nightly() -> None:
    @task
    def discover_references() -> list[dict[str, Any]]:
        from citytiers.orchestration.steps import discover_releases

        params = get_current_context()["params"]
        return discover_releases(list(params.get("extra_source_dirs") or []), "reference")

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def discover() -> list[dict[str, Any]]:
        from citytiers.orchestration.steps import discover_releases

        params = get_current_context()["params"]
        return discover_releases(list(params.get("extra_source_dirs") or []), "data")

    # Reference releases (code lists, change events) load first: the data releases of
    # the same night resolve printed city names against them.
    @task(max_active_tis_per_dag=1)
    def ingest_reference(candidate: dict[str, Any]) -> dict[str, Any]:
        from citytiers.orchestration.steps import ingest_release as ingest

        return ingest(candidate, get_current_context()["run_id"])

    @task(max_active_tis_per_dag=1)
    def ingest_release(candidate: dict[str, Any]) -> dict[str, Any]:
        from citytiers.orchestration.steps import ingest_release as ingest

        return ingest(candidate, get_current_context()["run_id"])

    # none_failed: with no new release the mapped ingest is skipped, yet a changed dbt
    # project, or a release withdrawn or restored since, must still be rebuilt. Whether to
    # build is decided from the warehouse (needs_build), never from the ingest tasks'
    # results, which a cleared and re-run DAG run hands on from its first attempt.
    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def build_and_audit() -> dict[str, Any]:
        from citytiers.orchestration.steps import build_and_audit as audit
        from citytiers.settings import load_settings
        from citytiers.transform.build_state import needs_build

        if not needs_build(load_settings()):
            raise AirflowSkipException("no new release, no release withdrawn or restored, "
                                       "no dbt change: the published marts are current")
        return _terminal(audit, get_current_context()["run_id"])

    @task(outlets=[MARTS_ASSET])
    def publish() -> dict[str, Any]:
        from citytiers.orchestration.steps import publish as publish_step

        return publish_step()

    # all_done: the run summary is written whatever happened, a failed audit included.
    @task(trigger_rule=TriggerRule.ALL_DONE)
    def report(references: list[dict[str, Any]] | None,
               outcomes: list[dict[str, Any]] | None) -> str:
        from citytiers.orchestration.steps import report as write_report

        context = get_current_context()
        # A run triggered from the UI or the REST API has no logical date (Airflow 3).
        when = context.get("logical_date") or context["dag_run"].run_after
        return _terminal(write_report, context["run_id"], str(when),
                         [*(references or []), *(outcomes or [])])

    # The night's verdict, last: it fails (with the alert sent) when releases were
    # quarantined after the audit, so that a degraded night shows as a failed run even
    # though the rest was published (docs/write-audit-publish.md: "The night's three endings").
    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0)
    def night_verdict() -> str:
        from citytiers.orchestration.steps import night_verdict as verdict_of

        context = get_current_context()
        run_id = context["run_id"]
        # Trigger rule all_done runs this after any failure upstream: say so, or the run
        # would end in success (a run's state is its last tasks').
        states = context["ti"].get_task_states(dag_id=context["dag"].dag_id,
                                               run_ids=[run_id]).get(run_id, {})
        failed = sorted(task for task, state in states.items()
                        if state in ("failed", "upstream_failed")
                        and not task.startswith("night_verdict"))
        verdict = verdict_of(run_id)
        if failed and verdict["state"] != "failed":
            raise AirflowFailException("task(s) failed tonight: " + ", ".join(failed)
                                       + f"; {verdict['summary']}")
        if verdict["state"] == "degraded":
            raise AirflowFailException(f"degraded night (the rest was published): "
                                       f"{verdict['summary']}")
        if verdict["state"] == "failed":
            raise AirflowFailException(f"nothing was published: {verdict['summary']}")
        return verdict["summary"]

    references = ingest_reference.expand(candidate=discover_references())
    outcomes = ingest_release.expand(candidate=references >> discover())
    audited = build_and_audit()
    outcomes >> audited
    published = publish()
    audited >> published
    published >> report(references, outcomes) >> night_verdict()


citytiers_nightly()
