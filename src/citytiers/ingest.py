"""Ingest one release: parse -> validate -> load, or quarantine with a readable reason."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from citytiers.dictionary import cached_dictionary
from citytiers.discover import Candidate
from citytiers.errors import TerminalError, TransientError, ValidationFailed
from citytiers.load import ReleaseRecord, is_loaded, record_release
from citytiers.metadata import ReleaseMetadata
from citytiers.parse import ParsedRelease, parse_release
from citytiers.settings import Settings
from citytiers.storage import archive, quarantine
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
    # Wall seconds per stage ("parse", "validate", "load"), for `citytiers load --json`
    # and `make bench`.
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _parse_and_validate(settings: Settings, path: Path) -> tuple[ParsedRelease, list[str]]:
    """Parse, then run the GX suite of every raw table the release fills (observations:
    ``raw_observations``; a reference table ``t``: ``raw_t``); raises TerminalError."""
    dictionary = cached_dictionary(settings.seeds).with_name_history(settings.build_db)
    parsed = parse_release(path, dictionary)
    meta = parsed.metadata
    label = "SYNTHETIC SAMPLE" if meta.is_synthetic else meta.publisher
    frames = dict(parsed.tables)
    if len(parsed.observations) or not frames:
        frames = {"observations": parsed.observations, **frames}
    warnings: list[str] = []
    for table, frame in frames.items():
        suite = f"raw_{table}"
        outcome = run_checkpoint(settings, suite, frame,
                                 {"max_data_year": meta.published_on.year},
                                 run_name=f"{path.name} ({label})")
        if not outcome.success:
            raise ValidationFailed(suite, outcome.summary(), outcome.docs_index)
        warnings += [f"{suite}: {warning}" for warning in outcome.warnings]
    return parsed, warnings


def ingest(settings: Settings, candidate: Candidate, run_id: str | None = None) -> IngestOutcome:
    """Load one release, or quarantine it. Never raises for bad input; transient errors
    (a locked database) propagate so that the scheduler retries."""
    settings.ensure_dirs()
    path = Path(candidate.path)
    if is_loaded(settings, candidate.release_id):
        return IngestOutcome(candidate.release_id, path.name, "skipped", 0, None,
                             "already loaded", False)
    meta: ReleaseMetadata | None = None
    try:
        parsed, warnings = _parse_and_validate(settings, path)
    except TransientError:
        raise
    except Exception as exc:
        reason = str(exc) if isinstance(exc, TerminalError) else (
            f"file {path.name}: the parser failed unexpectedly ({type(exc).__name__}: {exc}). "
            "This is a bug in citytiers or an unsupported layout; please report it.")
        stored = quarantine(settings, path, candidate.release_id, reason)
        record_release(settings, ReleaseRecord(
            candidate.release_id, "quarantined", candidate.sidecar_sha256, path.name,
            str(path), str(stored), None, meta, 0, reason, run_id))
        log.error("quarantined %s: %s", path.name, reason)
        return IngestOutcome(candidate.release_id, path.name, "quarantined", 0, str(stored),
                             reason, False)
    meta = parsed.metadata
    stored = archive(settings, path, candidate.release_id, meta)
    records = sum(len(frame) for frame in parsed.tables.values())
    inserted = record_release(settings, ReleaseRecord(
        candidate.release_id, "loaded", candidate.sidecar_sha256, path.name, str(path),
        str(stored), parsed.file_format, meta, len(parsed.observations), None, run_id,
        record_count=records), parsed.observations, parsed.tables)
    status = "loaded" if inserted else "skipped"
    log.info("%s %s: %d rows", status, path.name, inserted)
    observations = len(parsed.observations) if inserted else 0
    for warning in warnings:
        log.warning("%s: %s", path.name, warning)
    return IngestOutcome(candidate.release_id, path.name, status, observations, str(stored),
                         None, meta.is_synthetic, records if inserted else 0, warnings)
