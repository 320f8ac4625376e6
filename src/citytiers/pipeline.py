"""The nightly flow's steps as plain functions: the DAG's tasks call these, tests too.

discover -> ingest (parse, validate, load | quarantine) -> transform -> validate_marts
-> publish -> report. Each returns JSON-serialisable values for Airflow's XCom.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citytiers.database import connect, ensure_raw_schema
from citytiers.discover import Candidate, discover, is_reference
from citytiers.errors import ValidationFailed
from citytiers.ingest import ingest
from citytiers.publish import export_parquet, publish_database
from citytiers.report import write_run_report
from citytiers.settings import Settings, load_settings
from citytiers.transform import build, generate_docs
from citytiers.validate.gx_project import run_checkpoint

# Suite name = table name; each suite validates the whole table after `dbt build`.
MART_TABLES = (
    "fct_city_indicator",
    "fct_city_indicator_vintage",
    "mart_city_size_class",
    "mart_city_tier_year",
    "mart_city_tier_year_all_schemes",
    "mart_trillion_club_year",
    "mart_growth_ranking_year",
    "mart_overtakes",
    "mart_tier_transitions",
    "mart_population_change",
)
MART_SUITES = {table: f"select * from marts.{table}" for table in MART_TABLES}


def discover_releases(extra_source_dirs: list[str], kind: str = "data",
                      settings: Settings | None = None) -> list[dict[str, Any]]:
    """New releases of one kind: ``reference`` (code lists, change events: loaded first)
    or ``data`` (everything else)."""
    settings = settings or load_settings()
    settings.ensure_dirs()
    ensure_raw_schema(settings.build_db)
    return [candidate.to_dict()
            for candidate in discover(settings, [Path(d) for d in extra_source_dirs])
            if is_reference(Path(candidate.path)) == (kind == "reference")]


def ingest_release(candidate: dict[str, Any], run_id: str | None = None,
                   settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or load_settings()
    return ingest(settings, Candidate(**candidate), run_id).to_dict()


def transform(settings: Settings | None = None) -> dict[str, int]:
    settings = settings or load_settings()
    ensure_raw_schema(settings.build_db)
    return build(settings)


def validate_marts(settings: Settings | None = None) -> str:
    """Run every mart suite; raise ValidationFailed (nothing is published) on failure."""
    settings = settings or load_settings()
    expectations = 0
    warnings: list[str] = []
    for suite, query in MART_SUITES.items():
        with connect(settings.build_db) as connection:
            frame = connection.execute(query).df()
            synthetic = connection.execute(
                "select count(*) from raw.releases where status = 'loaded' and is_synthetic"
            ).fetchall()[0][0]
        label = "marts, including SYNTHETIC SAMPLE releases" if synthetic else "marts"
        outcome = run_checkpoint(settings, suite, frame, run_name=f"{suite} ({label})")
        if not outcome.success:
            raise ValidationFailed(suite, outcome.summary(), outcome.docs_index)
        expectations += outcome.evaluated
        warnings += [f"{suite}: {warning}" for warning in outcome.warnings]
    verdict = f"{len(MART_SUITES)} suite(s) passed ({expectations} expectations)"
    return verdict + "".join(f"\n  - warning: {w}" for w in warnings)


def publish(settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or load_settings()
    exports = export_parquet(settings)
    database = publish_database(settings)
    return {"database": str(database), "exports": len(exports)}


def report(run_id: str, logical_date: str, outcomes: list[dict[str, Any]],
           marts_validation: str, settings: Settings | None = None) -> str:
    settings = settings or load_settings()
    generate_docs(settings)
    return str(write_run_report(settings, run_id, logical_date, outcomes, marts_validation))
