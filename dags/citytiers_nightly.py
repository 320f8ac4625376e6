"""
### citytiers_nightly

Every night at 02:00 Asia/Shanghai: ingest new statistical releases into the DuckDB
warehouse, rebuild the dbt marts, validate them with Great Expectations and publish the
analysts' copy (`warehouse/citytiers.duckdb`) plus Parquet exports and reports.

discover_references → ingest_reference (mapped: code lists and change events first) →
discover → ingest_release (mapped, one per new release: parse, validate, load or
quarantine) →
transform (dbt build) → validate_marts → publish → report.

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

WRITER_POOL = "citytiers_writer"
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
        from citytiers.pipeline import discover_releases

        params = get_current_context()["params"]
        return discover_releases(list(params.get("extra_source_dirs") or []), "reference")

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def discover() -> list[dict[str, Any]]:
        from citytiers.pipeline import discover_releases

        params = get_current_context()["params"]
        return discover_releases(list(params.get("extra_source_dirs") or []), "data")

    # Reference releases (code lists, change events) load first: the data releases of
    # the same night resolve printed city names against them.
    @task(max_active_tis_per_dag=1)
    def ingest_reference(candidate: dict[str, Any]) -> dict[str, Any]:
        from citytiers.pipeline import ingest_release as ingest

        return ingest(candidate, get_current_context()["run_id"])

    @task(max_active_tis_per_dag=1)
    def ingest_release(candidate: dict[str, Any]) -> dict[str, Any]:
        from citytiers.pipeline import ingest_release as ingest

        return ingest(candidate, get_current_context()["run_id"])

    # none_failed: with no new release the mapped ingest is skipped, yet a changed dbt
    # project must still be rebuilt (needs_build decides).
    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def transform(references: list[dict[str, Any]] | None,
                  outcomes: list[dict[str, Any]] | None) -> dict[str, int]:
        from citytiers.pipeline import transform as build
        from citytiers.settings import load_settings
        from citytiers.transform import needs_build

        # A quarantine is news too: the published raw.releases must show it.
        every = [*(references or []), *(outcomes or [])]
        recorded = sum(o["status"] in ("loaded", "quarantined") for o in every)
        if not needs_build(load_settings(), recorded):
            raise AirflowSkipException("no new release and no dbt change: marts are current")
        return _terminal(build)

    @task
    def validate_marts() -> str:
        from citytiers.pipeline import validate_marts as validate

        return _terminal(validate)

    @task(outlets=[MARTS_ASSET])
    def publish() -> dict[str, Any]:
        from citytiers.pipeline import publish as publish_step

        return publish_step()

    @task(trigger_rule=TriggerRule.NONE_FAILED)
    def report(references: list[dict[str, Any]] | None, outcomes: list[dict[str, Any]] | None,
               marts_validation: str | None) -> str:
        from citytiers.pipeline import report as write_report

        context = get_current_context()
        verdict = marts_validation or "not run (marts unchanged)"
        return _terminal(write_report, context["run_id"], str(context["logical_date"]),
                         [*(references or []), *(outcomes or [])], verdict)

    references = ingest_reference.expand(candidate=discover_references())
    outcomes = ingest_release.expand(candidate=references >> discover())
    built = transform(references, outcomes)
    verdict = validate_marts()
    published = publish()
    built >> verdict >> published
    published >> report(references, outcomes, verdict)


citytiers_nightly()
