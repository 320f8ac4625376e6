"""Publish: the audited candidate becomes the analysts' database, atomically, with its
Parquet exports.

The published file is written anew by DuckDB in an older storage format
(``CITYTIERS_PUBLISH_STORAGE_VERSION``, :data:`citytiers.settings.PUBLISH_STORAGE_VERSION`)
that DuckDB 1.x clients open; the writer's and the candidate's files stay on the newest.

The commit point is one ``os.replace`` of the database file. Before it (exports written
aside, the copy half made) a crash leaves what analysts see exactly as it was; after it,
the exports are renamed into place and the build is marked published, so a crash in
between is repaired by the next night (the unmarked build is published again).
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import duckdb

from citytiers.database import connect, open_duckdb
from citytiers.faults import PUBLISH_BEFORE_REPLACE, crash_point
from citytiers.settings import (
    PUBLISH_STORAGE_VERSION,
    PUBLISH_STORAGE_VERSION_VARIABLE,
    Settings,
)

PUBLISHED_SCHEMAS = ("marts", "reference")
# Analysts read the published file; nobody writes it (for a user other than the
# pipeline's, the file mode refuses it; every client should open it read-only anyway).
READ_ONLY_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


def published_tables(database: Path) -> list[tuple[str, str]]:
    """(schema, table) of everything analysts get as Parquet: marts and reference seeds."""
    with connect(database) as connection:
        rows = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {PUBLISHED_SCHEMAS} order by 1, 2").fetchall()
    return [(r[0], r[1]) for r in rows]


def _export_aside(settings: Settings, database: Path) -> dict[Path, Path]:
    """Write one Parquet file per published table into ``exports/.next/``; return
    {written: final name}."""
    aside = settings.exports / ".next"
    shutil.rmtree(aside, ignore_errors=True)
    aside.mkdir(parents=True)
    written: dict[Path, Path] = {}
    tables = published_tables(database)
    with connect(database) as connection:
        for schema, table in tables:
            name = f"{schema}.{table}.parquet"
            connection.execute(
                f"copy (select * from {schema}.{table}) to '{aside / name}' (format parquet)")
            written[aside / name] = settings.exports / name
    return written


class PublishStorageVersionRefused(RuntimeError):
    """DuckDB cannot write the published file in the configured storage version (a version
    it does not know, or one too old for a type the published tables use)."""


def storage_version(database: Path) -> str:
    """The oldest DuckDB that reads ``database``, as DuckDB itself labels the file (e.g.
    ``v1.0.0+``; ``duckdb_databases().tags``), read without writing to it."""
    with open_duckdb() as connection:
        connection.execute(f"attach {_literal(database)} as probed (read_only)")
        [(tags,)] = connection.execute(
            "select tags from duckdb_databases() where database_name = 'probed'").fetchall()
    return tags["storage_version"]


def _literal(text: Path | str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def publish_database(settings: Settings, database: Path) -> Path:
    """Write ``database`` next to the published file in the storage version analysts'
    clients read (``settings.publish_storage_version``, whatever format ``database`` is
    in), make it read-only, ``os.replace`` it in. Readers that have the old file open keep
    reading the old copy; new connections see the new one. Never a half-written file under
    the published name."""
    target = settings.published_db
    temporary = target.with_name(target.name + ".publishing")
    leftovers = (temporary, temporary.with_name(temporary.name + ".wal"))
    for stale in leftovers:
        stale.unlink(missing_ok=True)
    version = settings.publish_storage_version
    try:
        _write_in_storage_version(database, temporary, version)
    except (duckdb.InvalidInputException, duckdb.NotImplementedException,
            duckdb.SerializationException) as exc:
        for partial in leftovers:
            partial.unlink(missing_ok=True)
        raise PublishStorageVersionRefused(
            f"{PUBLISH_STORAGE_VERSION_VARIABLE}={version!r}: DuckDB cannot write the "
            f"published database in this storage version ({exc}). Use a version DuckDB "
            f"knows that keeps every type of the marts, e.g. {PUBLISH_STORAGE_VERSION!r} "
            "(the default), 'v1.2.0' or 'latest'; the published file was left as it was."
        ) from exc
    os.chmod(temporary, READ_ONLY_MODE)
    crash_point(settings, PUBLISH_BEFORE_REPLACE)
    os.replace(temporary, target)
    return target


def _write_in_storage_version(database: Path, destination: Path, version: str) -> None:
    """A new file ``destination`` in storage ``version`` holding ``database``'s schemas,
    tables, views and every committed row (its write-ahead log included): ``COPY FROM
    DATABASE`` into a file attached with that ``STORAGE_VERSION``, checkpointed, detached."""
    with connect(database) as connection:
        [(source,)] = connection.execute("select current_database()").fetchall()
        connection.execute(f"attach {_literal(destination)} as publishing "
                           f"(storage_version {_literal(version)})")
        try:
            connection.execute(f'copy from database "{source}" to publishing')
            connection.execute("checkpoint publishing")
        finally:
            connection.execute("detach publishing")


def publish_candidate(settings: Settings) -> list[Path]:
    """Exports aside, then the database (the commit point), then the exports into place;
    returns the export files."""
    database = settings.candidate_db
    written = _export_aside(settings, database)
    publish_database(settings, database)
    for aside, final in written.items():
        os.replace(aside, final)
    shutil.rmtree(settings.exports / ".next", ignore_errors=True)
    return list(written.values())
