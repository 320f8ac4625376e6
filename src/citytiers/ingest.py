"""Ingest one release: parse -> validate -> load, or quarantine with a readable reason."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from citytiers.dictionary import cached_dictionary
from citytiers.discover import Candidate
from citytiers.errors import TerminalError, TransientError, ValidationFailed
from citytiers.load import ReleaseRecord, is_loaded, record_release
from citytiers.metadata import ReleaseMetadata
from citytiers.parse import parse_release
from citytiers.settings import Settings
from citytiers.storage import archive, quarantine
from citytiers.validate.gx_project import run_checkpoint

log = logging.getLogger(__name__)
RAW_SUITE = "raw_observations"


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

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _parse_and_validate(settings: Settings,
                         path: Path) -> tuple[str, ReleaseMetadata, pd.DataFrame]:
    """Metadata, format, observations and the GX verdict; raises TerminalError."""
    parsed = parse_release(path, cached_dictionary(settings.seeds))
    meta = parsed.metadata
    label = "SYNTHETIC SAMPLE" if meta.is_synthetic else meta.publisher
    outcome = run_checkpoint(settings, RAW_SUITE, parsed.observations,
                             {"max_data_year": meta.published_on.year},
                             run_name=f"{path.name} ({label})")
    if not outcome.success:
        raise ValidationFailed(RAW_SUITE, outcome.summary(), outcome.docs_index)
    return parsed.file_format, meta, parsed.observations


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
        file_format, meta, observations = _parse_and_validate(settings, path)
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
    stored = archive(settings, path, candidate.release_id, meta)
    inserted = record_release(settings, ReleaseRecord(
        candidate.release_id, "loaded", candidate.sidecar_sha256, path.name, str(path),
        str(stored), file_format, meta, len(observations), None, run_id), observations)
    status = "loaded" if inserted else "skipped"
    log.info("%s %s: %d observations", status, path.name, inserted)
    return IngestOutcome(candidate.release_id, path.name, status, inserted, str(stored), None,
                         meta.is_synthetic)
