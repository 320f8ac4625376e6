"""Connections to the writer's DuckDB file, and the raw layer's DDL."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

import duckdb

from citytiers.errors import WarehouseLocked
from citytiers.settings import duckdb_memory_limit

# DuckDB's own default is 80 % of RAM per database instance, and a night opens several
# (staging, GX's engine, the writer, dbt): each is bounded by the one setting
# CITYTIERS_DUCKDB_MEMORY_LIMIT (settings.duckdb_memory_limit, read once per process);
# beyond it DuckDB spills to its temporary directory. Threads: the machine's cores.
MEMORY_LIMIT = duckdb_memory_limit()
THREADS = 2


def duckdb_config(path: Path | str | None = None) -> dict[str, str | int]:
    """The configuration every DuckDB connection of the project opens with: the memory
    limit, the threads, and a temporary directory to spill to (beside a database file, as
    ``<file>.tmp``, DuckDB's own choice; for an in-memory database the system's)."""
    if path in (None, "", ":memory:"):
        temp = Path(tempfile.gettempdir()) / "citytiers-duckdb"
    else:
        temp = Path(str(path) + ".tmp")
    return {"memory_limit": MEMORY_LIMIT, "threads": THREADS, "temp_directory": str(temp)}


def open_duckdb(path: Path | str | None = None, *,
                read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` with :func:`duckdb_config`: the one way this package opens a
    DuckDB database (``tests/unit/test_database.py`` holds it to that)."""
    return duckdb.connect(str(path) if path else ":memory:", read_only=read_only,
                          config=duckdb_config(path))


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
        connection = open_duckdb(path, read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLocked(
                f"{path} is locked by another process ({exc}). Only the nightly pipeline "
                "writes this file; analysts should open the published copy instead.") from exc
        raise
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
