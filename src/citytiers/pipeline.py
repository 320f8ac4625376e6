"""The nightly flow's steps as plain functions: the DAG's tasks call these, tests too.

discover -> ingest (parse, validate, load | quarantine) -> transform -> validate_marts
-> publish -> report. Each returns JSON-serialisable values for Airflow's XCom.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from citytiers.database import connect, ensure_raw_schema
from citytiers.discover import Candidate, discover
from citytiers.errors import ValidationFailed
from citytiers.ingest import ingest
from citytiers.publish import export_parquet, publish_database
from citytiers.report import write_run_report
from citytiers.settings import Settings, load_settings
from citytiers.transform import build, ensure_docs, mark_published
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
            if (candidate.kind == "reference") == (kind == "reference")]


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
    mark_published(settings)
    return {"database": str(database), "exports": len(exports)}


def report(run_id: str, logical_date: str, outcomes: list[dict[str, Any]],
           marts_validation: str, settings: Settings | None = None) -> str:
    settings = settings or load_settings()
    # dbt docs are regenerated only when they are older than the latest dbt build (a stamp
    # beside them, compared with the build's marker: transform.docs_current). A night that
    # built nothing (transform skipped: no release loaded or quarantined, dbt project
    # unchanged) leaves the manifest and catalog as they were, so its docs would come out
    # the same; the run summary is still written, every night.
    regenerated = ensure_docs(settings)
    docs = "regenerated" if regenerated else "not regenerated (no dbt build since the last docs)"
    return str(write_run_report(settings, run_id, logical_date, outcomes, marts_validation,
                                docs))


def _in_given_paths(path: Path, roots: list[Path]) -> bool:
    """``path`` is one of the given files, or a file directly in a given folder (folders
    are read like the DAG's extra source folders: not recursively)."""
    return any(path == root or path.parent == root for root in roots)


def _release_kind(path: Path) -> str:
    """``reference`` or ``data`` by the sidecar's format; a broken sidecar is data (ingest
    reports it as the quarantine reason)."""
    from citytiers.adapters import release_kind
    from citytiers.errors import CitytiersError
    from citytiers.metadata import read_sidecar

    try:
        declared = read_sidecar(path).get("format")
    except CitytiersError:
        declared = None
    return release_kind(path, declared)


def discover_paths(paths: list[str | Path],
                   settings: Settings | None = None) -> list[dict[str, Any]]:
    """New releases in exactly ``paths`` (files or folders; ``landing/`` only if it is one
    of them), reference releases first, then data releases, each group in discovery
    order: the order the DAG's two ingest phases run them in."""
    settings = settings or load_settings()
    settings.ensure_dirs()
    ensure_raw_schema(settings.build_db)
    roots = [Path(p).resolve() for p in paths]
    found = [c for c in discover(settings, roots, include_landing=False)
             if _in_given_paths(Path(c.path), roots)]
    # The kind discover() found (what the DAG's two discover tasks split on), else the
    # adapter's declaration read here.
    kinds = {c.path: getattr(c, "kind", None) or _release_kind(Path(c.path)) for c in found}
    ordered = ([c for c in found if kinds[c.path] == "reference"]
               + [c for c in found if kinds[c.path] != "reference"])
    return [c.to_dict() for c in ordered]


def load_paths(paths: list[str | Path], settings: Settings | None = None,
               run_id: str | None = None,
               progress: Callable[[int, int, dict[str, Any], dict[str, Any] | None], None]
               | None = None) -> list[dict[str, Any]]:
    """Load the releases in ``paths`` without Airflow, through the DAG's own steps
    (discover -> parse -> validate -> load | quarantine, reference releases first); returns
    one ``IngestOutcome.to_dict()`` per release. Files are copied to the archive (or to
    quarantine), never moved, unless ``paths`` names ``landing/`` itself.

    ``progress(index, total, candidate, outcome)`` is called before each release (outcome
    None) and after it. A locked database raises :class:`citytiers.errors.WarehouseLocked`
    (releases ingested before that stay loaded: each is its own transaction)."""
    settings = settings or load_settings()
    candidates = discover_paths(paths, settings)
    outcomes: list[dict[str, Any]] = []
    for index, candidate in enumerate(candidates):
        if progress is not None:
            progress(index, len(candidates), candidate, None)
        outcome = ingest_release(candidate, run_id, settings)
        outcomes.append(outcome)
        if progress is not None:
            progress(index, len(candidates), candidate, outcome)
    return outcomes
