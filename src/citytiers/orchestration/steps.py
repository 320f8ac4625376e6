"""The nightly flow's steps as plain functions: the DAG's tasks call these, tests too.

discover -> ingest (parse, gates, load | quarantine) -> build_and_audit (dbt build and
the mart audit on a candidate copy, culprits quarantined after the fact) -> publish ->
report -> night_verdict. Each returns JSON-serialisable values for Airflow's XCom.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from citytiers.audit import verdict as audit
from citytiers.database import ensure_raw_schema
from citytiers.discover.candidates import Candidate, discover
from citytiers.load.ingest import ingest
from citytiers.publish.swap import publish_candidate
from citytiers.report import alerts
from citytiers.report.dbt_docs import ensure_docs
from citytiers.report.history import night_state
from citytiers.report.run_summary import write_run_report
from citytiers.settings import Settings, load_settings
from citytiers.transform.build_state import mark_published

# Where the audit's verdict of the latest night is kept for the report (it runs even when
# the audit failed, and the task that failed returns nothing to read).
AUDIT_FILE = "last_audit.json"
# Ingest outcomes after which GX has validated something (the Data Docs are rebuilt).
VALIDATED = frozenset({"loaded", "quarantined"})


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


def build_and_audit(run_id: str | None = None,
                    settings: Settings | None = None) -> dict[str, Any]:
    """Build the marts in the candidate copy, audit them, isolate the releases whose rows
    fail (:mod:`citytiers.audit.verdict`); return the verdict (``degraded`` when releases
    were quarantined after the audit). Raises AuditFailed when nothing can be published; either
    way the
    verdict is kept for the report and the configured alert is sent on failure."""
    settings = settings or load_settings()
    try:
        verdict = audit.build_and_audit(settings, run_id).to_dict()
    except audit.AuditFailed as failed:
        _keep_audit(settings, {"run_id": run_id, "failed": True, "degraded": False,
                               "summary": f"FAILED: {failed}"})
        alerts.notify("failed", f"citytiers night {run_id}: the audit failed, nothing "
                      f"was published: {failed}", {"run_id": run_id, "reason": str(failed)})
        raise
    _keep_audit(settings, {**verdict, "run_id": run_id, "failed": False})
    return verdict


def _keep_audit(settings: Settings, verdict: dict[str, Any]) -> None:
    path = settings.build_db.parent / AUDIT_FILE
    path.write_text(json.dumps(verdict, ensure_ascii=False, default=str), encoding="utf-8")


def last_audit(settings: Settings, run_id: str | None) -> dict[str, Any] | None:
    """The audit verdict kept by :func:`build_and_audit` in run ``run_id``, if any."""
    try:
        kept = json.loads((settings.build_db.parent / AUDIT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return kept if isinstance(kept, dict) and kept.get("run_id") == run_id else None


def night_verdict(run_id: str | None, settings: Settings | None = None) -> dict[str, Any]:
    """How the night ended: ``clean``, ``degraded`` (releases quarantined after the audit,
    the rest published: the alert is sent) or ``failed`` (nothing published)."""
    settings = settings or load_settings()
    kept = last_audit(settings, run_id)
    state = night_state(kept)
    if kept is None:
        return {"state": "clean", "summary": "no build tonight: nothing new"}
    if state == "failed":
        return {"state": "failed", "summary": kept["summary"]}
    if state == "degraded":
        alerts.notify("degraded", f"citytiers night {run_id} is degraded: "
                      f"{kept['summary']}", kept)
        return {"state": "degraded", "summary": kept["summary"],
                "quarantined": kept.get("file_names", {})}
    return {"state": "clean", "summary": kept["summary"]}


def publish(settings: Settings | None = None) -> dict[str, Any]:
    """Publish the audited candidate: Parquet exports, then the analysts' database."""
    settings = settings or load_settings()
    exports = publish_candidate(settings)
    mark_published(settings)
    return {"database": str(settings.published_db), "exports": len(exports)}


def report(run_id: str, logical_date: str, outcomes: list[dict[str, Any]],
           settings: Settings | None = None) -> str:
    """The run summary, the night in the run history, the data-quality and analytics
    reports; the audit's verdict is the one :func:`build_and_audit` kept."""
    from citytiers.report.analytics import analytics_dir, write_analytics
    from citytiers.report.history import NightFacts, record_run
    from citytiers.report.quality import write_quality

    settings = settings or load_settings()
    kept = last_audit(settings, run_id)
    verdict = (kept or {}).get("summary") or "not run (marts unchanged)"
    # dbt docs are regenerated only when they are older than the latest dbt build (a stamp
    # beside them, compared with the build's marker: transform.docs_current). A night that
    # built nothing (no release loaded or quarantined, none withdrawn or restored, dbt
    # project unchanged) leaves the manifest and catalog as they were, so its docs would
    # come out the same; the run summary is still written, every night.
    docs = "not regenerated (nothing was published)"
    if settings.published_db.exists() and not (kept or {}).get("failed"):
        regenerated = ensure_docs(settings)
        docs = "regenerated" if regenerated else ("not regenerated (no dbt build since "
                                                  "the last docs)")
    # GX's Data Docs, once for the night's validations (none on a quiet night: GX is not
    # even imported then).
    if kept is not None or any(o.get("status") in VALIDATED for o in outcomes):
        from citytiers.validate.gx_project import build_data_docs

        build_data_docs(settings)
    summary = write_run_report(settings, run_id, logical_date, outcomes, verdict, docs)
    record_run(settings, NightFacts(run_id, logical_date, outcomes, kept))
    write_quality(settings, run_id)
    # The analytics page draws the published marts: only a night that published changes
    # it (a quiet night keeps it, and skips importing matplotlib).
    published_tonight = kept is not None and not kept.get("failed")
    if published_tonight or not (analytics_dir(settings) / "index.html").exists():
        write_analytics(settings)
    return str(summary)


def _in_given_paths(path: Path, roots: list[Path]) -> bool:
    """``path`` is one of the given files, or a file directly in a given folder (folders
    are read like the DAG's extra source folders: not recursively)."""
    return any(path == root or path.parent == root for root in roots)


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
    # The kind discover() found: what the DAG's two discover tasks split on.
    ordered = ([c for c in found if c.kind == "reference"]
               + [c for c in found if c.kind != "reference"])
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
