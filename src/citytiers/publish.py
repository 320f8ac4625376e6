"""Publish: replace the analysts' database atomically and write Parquet exports."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from citytiers.database import connect
from citytiers.settings import Settings

PUBLISHED_SCHEMAS = ("marts", "reference")


def published_tables(settings: Settings) -> list[tuple[str, str]]:
    """(schema, table) of everything analysts get: marts and reference seeds."""
    with connect(settings.build_db) as connection:
        rows = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {PUBLISHED_SCHEMAS} order by 1, 2").fetchall()
    return [(r[0], r[1]) for r in rows]


def publish_database(settings: Settings) -> Path:
    """Copy the writer's file next to the published one, then ``os.replace`` it in.

    Readers that already have the old file open keep reading the old copy; new
    connections see the new one. Never a half-written file under the published name.
    """
    target = settings.published_db
    temporary = target.with_name(target.name + ".publishing")
    with connect(settings.build_db) as connection:
        # Fold the write-ahead log into the file: the copy must hold every committed row.
        connection.execute("checkpoint")
        shutil.copy2(settings.build_db, temporary)
    os.replace(temporary, target)
    return target


def export_parquet(settings: Settings) -> list[Path]:
    """One Parquet file per published table, for DuckDB 1.x, pandas, Spark or R readers."""
    written: list[Path] = []
    settings.exports.mkdir(parents=True, exist_ok=True)
    tables = published_tables(settings)
    with connect(settings.build_db) as connection:
        for schema, table in tables:
            target = settings.exports / f"{schema}.{table}.parquet"
            temporary = target.with_name(target.name + ".partial")
            connection.execute(
                f"copy (select * from {schema}.{table}) to '{temporary}' (format parquet)")
            os.replace(temporary, target)
            written.append(target)
    return written
