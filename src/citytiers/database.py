"""Connections to the writer's DuckDB file, and the raw layer's DDL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

import duckdb

from citytiers.errors import WarehouseLocked

# DuckDB's own default is 80 % of RAM per database instance, and a night opens several
# (staging, GX's engine, the writer): bound each, so that the largest release stays well
# under 2 GiB of RSS; beyond the limit DuckDB spills to disk. Threads: the machine's cores.
MEMORY_LIMIT = "1GB"
THREADS = 2


def raw_schema_sql() -> str:
    return files("citytiers").joinpath("raw_schema.sql").read_text(encoding="utf-8")


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open ``path``; a lock held by another process is transient (Airflow retries).

    The writer's file is always opened read-write, even to read: dbt-duckdb keeps its own
    connection open in this process after ``dbt build``, and DuckDB refuses a second
    connection to one file with a different configuration.
    """
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLocked(
                f"{path} is locked by another process ({exc}). Only the nightly pipeline "
                "writes this file; analysts should open the published copy instead.") from exc
        raise
    connection.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
    try:
        yield connection
    finally:
        connection.close()


def has_table(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether ``schema.table`` (a table or a view) exists: a database made before it was
    declared, or before anything was loaded, may lack it."""
    return bool(connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = $schema and table_name = $table",
        {"schema": schema, "table": table}).fetchone()[0])


def ensure_raw_schema(path: Path) -> None:
    """Create ``raw.releases`` and ``raw.observations`` if they do not exist yet."""
    with connect(path) as connection:
        connection.execute(raw_schema_sql())
