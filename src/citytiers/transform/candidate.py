"""The candidate: a copy of the writer's database that dbt builds and the audit checks
(write-audit-publish: the write goes to a copy, never to what is loaded or published)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from citytiers.database import connect, ensure_raw_schema
from citytiers.settings import Settings


def prepare_candidate(settings: Settings) -> Path:
    """A fresh copy of the writer's database for dbt to build and the audit to check
    (write-audit-publish: the write goes to a copy, never to what is loaded or published).

    The copy is made beside it and renamed into place, after a checkpoint that folds the
    write-ahead log into the file, so it holds every committed release. Killing dbt, the
    audit or this copy leaves the writer's and the published databases as they were."""
    candidate = settings.candidate_db
    candidate.unlink(missing_ok=True)
    os.replace(copy_of_writer(settings, candidate), candidate)
    return candidate


def copy_of_writer(settings: Settings, destination: Path) -> Path:
    """A copy of the writer's database, made after a checkpoint (so it holds every
    committed release) as ``<destination>.partial``, for the caller to finish and rename
    onto ``destination``. A stale write-ahead log of either file is removed first: DuckDB
    would replay it into the copy."""
    ensure_raw_schema(settings.build_db)
    partial = destination.with_name(destination.name + ".partial")
    for stale in (destination, partial):
        stale.with_name(stale.name + ".wal").unlink(missing_ok=True)
    with connect(settings.build_db) as connection:
        connection.execute("checkpoint")
        shutil.copy2(settings.build_db, partial)
    return partial
