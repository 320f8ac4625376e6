"""Staging: one release's parsed tables in a DuckDB database, between parse and load.

A release is parsed straight into DuckDB tables (``observations`` and, for reference
releases, e.g. ``admin_code_snapshots``), never into a Python object per cell. In the
pipeline the staging database is a *file* (``warehouse/build/staging.duckdb``): a release
larger than memory spills to disk under DuckDB's memory limit, Great Expectations' SQL
engine validates the tables where they are, and the loader copies them into ``raw`` with
one ``insert ... select`` per table. Tests and ``citytiers parse`` use an in-memory one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from citytiers.database import open_duckdb


class Staging:
    """A DuckDB connection holding one release's tables (``path`` None: in memory)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            for stale in (path, path.with_name(path.name + ".wal")):
                stale.unlink(missing_ok=True)  # a crashed night's leftovers
        # Bounded memory, spilling beside the file (database.duckdb_config).
        self.con = open_duckdb(path)
        self.tables: list[str] = []
        # The release's measurement basis per indicator (the sidecar's ``basis:``, else the
        # indicator's default), for figures whose cell names none: set by parse_release
        # and applied as observations are built (no second pass over them).
        self.basis_defaults: dict[str, str] = {}

    # -- writing ------------------------------------------------------------------------

    def put(self, name: str, source: Any) -> int:
        """Create (or replace) table ``name`` from a DuckDB relation, an Arrow table or a
        DataFrame; return its row count."""
        if isinstance(source, duckdb.DuckDBPyRelation):
            source.create(f"_{name}_new")
        else:
            self.con.register("_incoming", source)
            try:
                self.con.execute(f"create table _{name}_new as select * from _incoming")
            finally:
                self.con.unregister("_incoming")
        self.con.execute(f"drop table if exists {name}")
        self.con.execute(f"alter table _{name}_new rename to {name}")
        if name not in self.tables:
            self.tables.append(name)
        return self.count(name)

    # -- reading ------------------------------------------------------------------------

    def count(self, name: str) -> int:
        return int(self.con.execute(f"select count(*) from {name}").fetchall()[0][0])

    def frame(self, name: str) -> pd.DataFrame:
        """The whole table as a DataFrame: for tests and small releases only; the pipeline
        never materializes a release in Python."""
        return self.con.execute(f"select * from {name}").df()

    def close(self) -> None:
        """Close the connection (GX's engine and the loader open the file themselves)."""
        self.con.close()

    def remove(self) -> None:
        """Close and delete the staging file (after the release was loaded or refused)."""
        self.close()
        if self.path is not None:
            for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
                leftover.unlink(missing_ok=True)
