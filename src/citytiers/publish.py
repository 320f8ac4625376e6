"""Publish: the audited candidate becomes the analysts' database, atomically, with its
Parquet exports.

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

from citytiers.database import connect
from citytiers.faults import PUBLISH_BEFORE_REPLACE, crash_point
from citytiers.settings import Settings

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


def publish_database(settings: Settings, database: Path) -> Path:
    """Copy ``database`` next to the published file, make it read-only, ``os.replace`` it
    in. Readers that have the old file open keep reading the old copy; new connections see
    the new one. Never a half-written file under the published name."""
    target = settings.published_db
    temporary = target.with_name(target.name + ".publishing")
    temporary.unlink(missing_ok=True)
    with connect(database) as connection:
        # Fold the write-ahead log into the file: the copy must hold every committed row.
        connection.execute("checkpoint")
        shutil.copyfile(database, temporary)
    os.chmod(temporary, READ_ONLY_MODE)
    crash_point(settings, PUBLISH_BEFORE_REPLACE)
    os.replace(temporary, target)
    return target


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
