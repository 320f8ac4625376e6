"""The raw layer's Parquet writer: the dbt target on Spark reads raw.* from these files.

The writer's DuckDB database stays the raw layer's system of record (the gates, the
dedupe, the release states and their transactions are DuckDB's). For the Spark target the
raw tables are written out as Parquet, one folder per table (``<root>/<table>/``), which
``macros/register_raw_tables.sql`` turns into Spark tables at the start of each dbt run.
``raw.release_states`` is a view in DuckDB; its rows are written as they stand.

Bulk: one ``COPY ... TO`` per table, written by DuckDB (no row passes through Python).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from citytiers.database import connect

# Row groups of this many rows: Spark reads a file's row groups in parallel.
ROW_GROUP_SIZE = 1_000_000


def _raw_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in connection.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' "
        "order by table_name").fetchall()]


def raw_tables(database: Path) -> list[str]:
    """The tables and views of the raw schema, by name."""
    with connect(database) as connection:
        return _raw_tables(connection)


def write_raw_layer(database: Path, root: Path) -> dict[str, int]:
    """Write every raw table of ``database`` to ``root/<table>/data.parquet``, replacing
    what ``root`` held; returns rows written per table. Written beside ``root`` and renamed
    into place, so a reader never sees half of a raw layer."""
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    written: dict[str, int] = {}
    with connect(database) as connection:
        for table in _raw_tables(connection):
            (partial / table).mkdir()
            target = (partial / table / "data.parquet").as_posix().replace("'", "''")
            # COPY ... TO returns the number of rows it wrote.
            written[table] = connection.execute(
                f"copy (select * from raw.{table}) to '{target}' "
                f"(format parquet, compression zstd, row_group_size {ROW_GROUP_SIZE})"
            ).fetchone()[0]
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)
    return written
