"""Ingest one release: parse -> validate -> load, or quarantine with a readable reason."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from citytiers.discover.candidates import Candidate, is_regular_file
from citytiers.discover.metadata import ReleaseMetadata
from citytiers.discover.storage import archive, quarantine
from citytiers.errors import TerminalError, TransientError, ValidationFailed
from citytiers.findings import PROBLEM, WARNING, Finding, problems_of, read_staged
from citytiers.gates.reference import revision_of, stage_gate_reference
from citytiers.load.raw import ReleaseRecord, StagedTables, is_loaded, record_release
from citytiers.load.release_states import Acceptance, acceptance_of
from citytiers.parse.buffer import Staging
from citytiers.parse.normalize.dictionary import Dictionary, cached_dictionary
from citytiers.parse.release import ParsedRelease, parse_release
from citytiers.release_order import release_kind_of
from citytiers.settings import Settings, max_release_bytes
from citytiers.validate.gx_project import run_checkpoint

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one release (returned to Airflow as the task's XCom)."""

    release_id: str
    file_name: str
    status: str  # 'loaded' | 'quarantined' | 'skipped'
    observations: int
    stored_path: str | None
    reason: str | None
    is_synthetic: bool
    records: int = 0  # rows of reference tables (code lists, change events)
    warnings: list[str] = field(default_factory=list)  # failed "warning" expectations
    # Wall seconds per stage ("parse", "gates", "validate", "load"), for `citytiers load --json`
    # and `make bench`.
    timings: dict[str, float] = field(default_factory=dict)
    # Per GX suite run on the release: ValidationOutcome.to_check() (the quality report).
    checks: list[dict[str, Any]] = field(default_factory=list)
    # Its problems and warnings row by row (citytiers.findings.Finding as dicts).
    findings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _parse(settings: Settings, path: Path, staging: Staging, timings: dict[str, float]
           ) -> tuple[ParsedRelease, dict[str, int], Dictionary]:
    """Parse into ``staging``; return the release, its staged tables' row counts and the
    dictionary it was read with (names over time: the gates need it too)."""
    started = time.perf_counter()
    dictionary = cached_dictionary(settings.seeds).with_name_history(settings.build_db)
    parsed = parse_release(path, dictionary, staging)
    counts = {name: staging.count(name) for name in ["observations", *parsed.table_names]}
    staging.close()  # GX's engine opens the file next
    timings["parse"] = time.perf_counter() - started
    return parsed, counts, dictionary


def _validate(settings: Settings, path: Path, parsed: ParsedRelease, counts: dict[str, int],
              dictionary: Dictionary, timings: dict[str, float], checks: list[dict[str, Any]],
              accepted: Acceptance | None = None) -> tuple[list[str], list[Finding]]:
    """Run the GX suite of every raw table the release fills (observations:
    ``raw_observations``; a reference table ``t``: ``raw_t``) on the staged table itself;
    return the suites' warnings and the problems a steward accepted. Raises TerminalError.

    ``accepted``: a steward accepted this release after the gates refused it; a failed
    suite then loads it all the same, its problems kept as findings. A file that cannot be
    parsed is refused whatever was accepted (there is nothing to load)."""
    meta = parsed.metadata
    release_kind_of(getattr(meta, "release_kind", None), parsed.file_format, path)
    label = "SYNTHETIC SAMPLE" if meta.is_synthetic else meta.publisher
    tables = [name for name in counts if name != "observations"]
    if counts["observations"] or not tables:
        tables.insert(0, "observations")
        # The gates before load compare the release with the code list, the names its
        # codes carried and the figures already loaded (citytiers.gates.reference).
        started = time.perf_counter()
        stage_gate_reference(settings, dictionary, revision=revision_of(settings, meta, path),
                             is_synthetic=meta.is_synthetic, published_on=meta.published_on)
        timings["gates"] = time.perf_counter() - started
    warnings: list[str] = []
    failures: list[ValidationFailed] = []
    started = time.perf_counter()
    for table in tables:
        suite = f"raw_{table}"
        outcome = run_checkpoint(settings, suite, None,
                                 {"max_data_year": meta.published_on.year},
                                 run_name=f"{path.name} ({label})")
        checks.append(outcome.to_check())
        if not outcome.success:
            failed = ValidationFailed(suite, outcome.summary(), outcome.docs_index,
                                      file=path.name)
            if accepted is None:
                raise failed
            warnings.append(f"{suite} failed, loaded all the same: {accepted.sentence()}")
            failures.append(failed)
        warnings += [f"{suite}: {warning}" for warning in outcome.warnings]
    timings["validate"] = time.perf_counter() - started
    if not failures:
        return warnings, []
    # The accepted problems: the gates' rows, read once, else each failed suite's summary.
    staged = [found for found in read_staged(settings.staging_db) if found.severity == PROBLEM]
    return warnings, staged or [found for failed in failures for found in problems_of(failed)]


def ingest(settings: Settings, candidate: Candidate, run_id: str | None = None) -> IngestOutcome:
    """Load one release, or quarantine it. Never raises for bad input; transient errors
    (a locked database) propagate so that the scheduler retries."""
    settings.ensure_dirs()
    path = Path(candidate.path)
    # The name the release arrived under (an accepted one is read from its quarantine copy).
    name = candidate.file_name or path.name
    if is_loaded(settings, candidate.release_id):
        return IngestOutcome(candidate.release_id, name, "skipped", 0, None,
                             "already loaded", False)
    meta: ReleaseMetadata | None = None
    timings: dict[str, float] = {}
    checks: list[dict[str, Any]] = []
    if not is_regular_file(path):
        reason = (f"file {name}: is not a regular file (a symbolic link or a special "
                  "file); it was not read or copied. Put the file itself in the source "
                  "folder, not a link to it.")
        stored = quarantine(settings, path, candidate.release_id, reason, keep_file=False)
        record_release(settings, ReleaseRecord(
            candidate.release_id, "quarantined", None, name, str(path), str(stored),
            None, None, 0, reason, run_id))
        log.error("quarantined %s: %s", name, reason)
        return IngestOutcome(candidate.release_id, name, "quarantined", 0, str(stored),
                             reason, False)
    size, limit = path.stat().st_size, max_release_bytes()
    if size > limit:
        reason = (f"file {name}: {size:,} bytes is more than the largest release this "
                  f"warehouse reads ({limit:,} bytes); it was not read. Split the release, or "
                  "raise CITYTIERS_MAX_RELEASE_BYTES if the machine can take it.")
        stored = quarantine(settings, path, candidate.release_id, reason, keep_file=False)
        record_release(settings, ReleaseRecord(
            candidate.release_id, "quarantined", candidate.sidecar_sha256, name,
            str(path), str(stored), None, None, 0, reason, run_id))
        log.error("quarantined %s: %s", name, reason)
        return IngestOutcome(candidate.release_id, name, "quarantined", 0, str(stored),
                             reason, False)
    staging = Staging(settings.staging_db)
    parsed: ParsedRelease | None = None
    try:
        try:
            parsed, counts, dictionary = _parse(settings, path, staging, timings)
            checked, accepted_problems = _validate(
                settings, path, parsed, counts, dictionary, timings, checks,
                acceptance_of(settings.build_db, candidate.release_id))
        except TransientError:
            raise
        except Exception as exc:
            reason = str(exc) if isinstance(exc, TerminalError) else (
                f"file {name}: the parser failed unexpectedly ({type(exc).__name__}: "
                f"{exc}). This is a bug in citytiers or an unsupported layout; please "
                "report it.")
            stored = quarantine(settings, path, candidate.release_id, reason)
            staging.close()
            # A release refused after parsing still records who published it.
            meta = parsed.metadata if parsed is not None else None
            found = read_staged(settings.staging_db)
            if not any(finding.severity == PROBLEM for finding in found):
                found += problems_of(exc)
            record_release(settings, ReleaseRecord(
                candidate.release_id, "quarantined", candidate.sidecar_sha256, name,
                str(path), str(stored), None, meta, 0, reason, run_id,
                findings=tuple(found)))
            log.error("quarantined %s: %s", name, reason)
            return IngestOutcome(candidate.release_id, name, "quarantined", 0,
                                 str(stored), reason, bool(meta and meta.is_synthetic),
                                 timings=timings, checks=checks,
                                 findings=[asdict(f) for f in found])
        meta = parsed.metadata
        started = time.perf_counter()
        stored = archive(settings, path, candidate.release_id, meta)
        observations = counts["observations"]
        records = sum(n for name, n in counts.items() if name != "observations")
        # Row-level warnings (retired codes resolved, citytiers.parse.normalize.code_resolution),
        # then the
        # release-level ones (formulas, the suites), then the problems a steward accepted.
        release_level = [*parsed.warnings, *checked]
        warnings = [*parsed.warnings, *(finding.located() for finding in parsed.findings),
                    *checked]
        found = [*parsed.findings,
                 *(Finding(WARNING, "validation", None, None, None, None, None, None, text)
                   for text in release_level),
                 *accepted_problems]
        inserted = record_release(settings, ReleaseRecord(
            candidate.release_id, "loaded", candidate.sidecar_sha256, name, str(path),
            str(stored), parsed.file_format, meta, observations, None, run_id,
            record_count=records,
            release_kind=release_kind_of(getattr(meta, "release_kind", None),
                                         parsed.file_format, path),
            findings=tuple(found)),
            staged=StagedTables(settings.staging_db, counts))
        timings["load"] = time.perf_counter() - started
    finally:
        staging.remove()
    status = "loaded" if inserted else "skipped"
    log.info("%s %s: %d rows", status, name, inserted)
    for warning in warnings:
        log.warning("%s: %s", name, warning)
    return IngestOutcome(candidate.release_id, name, status,
                         observations if inserted else 0, str(stored), None,
                         meta.is_synthetic, records if inserted else 0, warnings, timings,
                         checks, [asdict(f) for f in found] if inserted else [])
