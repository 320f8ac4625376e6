"""Load: one DuckDB transaction per release into the append-only raw layer."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from citytiers.database import connect, raw_schema_sql
from citytiers.discover.metadata import ReleaseMetadata
from citytiers.faults import LOAD_BEFORE_COMMIT, crash_point
from citytiers.findings import Finding, as_table
from citytiers.settings import Settings


@dataclass(frozen=True)
class ReleaseRecord:
    """One row of ``raw.releases``."""

    release_id: str
    status: str
    sidecar_sha256: str | None
    file_name: str
    source_path: str
    stored_path: str | None
    file_format: str | None
    metadata: ReleaseMetadata | None
    observation_count: int
    reason: str | None
    run_id: str | None
    record_count: int = 0
    release_kind: str | None = None
    # The problems and warnings of this attempt, row by row (raw.release_findings).
    findings: tuple[Finding, ...] = ()

    def row(self, processed_at: dt.datetime) -> dict[str, object]:
        meta = self.metadata
        return {
            "release_id": self.release_id,
            "status": self.status,
            "sidecar_sha256": self.sidecar_sha256,
            "file_name": self.file_name,
            "source_path": self.source_path,
            "stored_path": self.stored_path,
            "file_format": self.file_format,
            "publisher": meta.publisher if meta else None,
            "title": meta.title if meta else None,
            "edition_year": meta.edition_year if meta else None,
            "data_years": json.dumps(meta.data_years) if meta else None,
            "published_on": meta.published_on if meta else None,
            "source_url": meta.source_url if meta else None,
            "license": meta.license if meta else None,
            "is_synthetic": bool(meta.is_synthetic) if meta else False,
            "metadata_json": meta.model_dump_json() if meta else "{}",
            "observation_count": self.observation_count,
            "record_count": self.record_count,
            "release_kind": self.release_kind,
            "reason": self.reason,
            "run_id": self.run_id,
            "processed_at": processed_at,
        }


@dataclass(frozen=True)
class StagedTables:
    """A release's tables in the staging database file: name -> row count."""

    path: Path
    counts: dict[str, int] = field(default_factory=dict)


def _insert(connection, table: str, frame: pd.DataFrame) -> None:
    connection.register("incoming", frame)
    try:
        columns = ", ".join(frame.columns)
        connection.execute(f"insert into {table} ({columns}) select {columns} from incoming")
    finally:
        connection.unregister("incoming")


def is_loaded(settings: Settings, release_id: str) -> bool:
    with connect(settings.build_db) as connection:
        connection.execute(raw_schema_sql())
        found = connection.execute(
            "select count(*) from raw.releases where release_id = ? and status = 'loaded'",
            [release_id]).fetchall()[0]
    return bool(found and found[0])


def _copy_staged(connection, release_id: str, staged: StagedTables) -> int:
    """``insert ... select`` every staged table into its raw table (DuckDB moves the rows
    in bulk, never through Python); the lineage sequence comes from the staging order."""
    connection.execute("attach $path as staged (read_only)", {"path": str(staged.path)})
    try:
        inserted = 0
        for table, count in staged.counts.items():
            if not count:
                continue
            columns = [row[0] for row in connection.execute(
                "select column_name from information_schema.columns where table_catalog = "
                "'staged' and table_name = $t order by ordinal_position", {"t": table}
            ).fetchall() if row[0] != "observation_seq"]
            listed = ", ".join(columns)
            if table == "observations":
                sequence, source = "observation_seq", "observation_seq"
            else:
                sequence, source = "record_seq", "rowid + 1"
            connection.execute(
                f"insert into raw.{table} (release_id, {sequence}, {listed}) "
                f"select $id, {source}, {listed} from staged.{table}", {"id": release_id})
            inserted += count
        return inserted
    finally:
        connection.execute("detach staged")


def _insert_findings(connection, record: ReleaseRecord, processed_at: dt.datetime) -> None:
    if not record.findings:
        return
    connection.register("_findings", as_table(list(record.findings)))
    try:
        connection.execute(
            "insert into raw.release_findings select $id, row_number() over ()::integer, *, "
            "$at from _findings", {"id": record.release_id, "at": processed_at})
    finally:
        connection.unregister("_findings")


def record_release(settings: Settings, record: ReleaseRecord,
                   staged: StagedTables | None = None) -> int:
    """Write the release row and copy its staged tables atomically (one transaction);
    return the rows inserted.

    A release already loaded is a no-op (0), checked inside the same transaction, so two
    attempts at the same content can never both load it.
    """
    processed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with connect(settings.build_db) as connection:
        connection.execute(raw_schema_sql())
        connection.execute("begin transaction")
        try:
            if record.status == "loaded":
                found = connection.execute(
                    "select count(*) from raw.releases where release_id = ? and status = 'loaded'",
                    [record.release_id]).fetchall()[0]
                if found and found[0]:
                    connection.execute("rollback")
                    return 0
            _insert(connection, "raw.releases", pd.DataFrame([record.row(processed_at)]))
            inserted = _copy_staged(connection, record.release_id, staged) if staged else 0
            _insert_findings(connection, record, processed_at)
            crash_point(settings, LOAD_BEFORE_COMMIT)
            connection.execute("commit")
        except Exception:
            connection.execute("rollback")
            raise
    return inserted
