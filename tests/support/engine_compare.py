"""Two builds of the marts, compared: the same marts, columns, rows and values.

The proof that the dbt project means the same on every engine: CI builds the samples on
DuckDB and on Spark (whose marts :mod:`citytiers.transform.spark` loads into DuckDB) and
requires no difference. Rows are matched after sorting both sides the same way (the
exact columns first, then the floating-point ones); exact columns must be equal (null
equals null), floating-point ones equal within a relative tolerance, because the engines
may sum in another order. Integer widths may differ (Spark's row_number is a 32-bit INT,
DuckDB's a BIGINT); the kind of every column may not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from citytiers.database import open_duckdb

# Relative tolerance on floating-point values, and the absolute one for values near 0
# (a difference of equal sums is 0 on one engine, 1e-16 on the other).
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-9
# Differing rows shown per mart.
SHOWN_ROWS = 3

_KINDS = {
    "TINYINT": "integer", "SMALLINT": "integer", "INTEGER": "integer", "BIGINT": "integer",
    "HUGEINT": "integer", "UTINYINT": "integer", "USMALLINT": "integer",
    "UINTEGER": "integer", "UBIGINT": "integer", "FLOAT": "float", "DOUBLE": "float",
    "VARCHAR": "string", "BOOLEAN": "boolean", "DATE": "date",
}


@dataclass(frozen=True)
class MartDifference:
    """One way two builds of a mart differ."""

    mart: str
    problem: str

    def __str__(self) -> str:
        return f"{self.mart}: {self.problem}"


def column_kind(duckdb_type: str) -> str:
    """The kind of a DuckDB column type: integer, float (DECIMAL too), string, ..."""
    if duckdb_type.startswith("DECIMAL"):
        return "float"
    if duckdb_type.startswith("TIMESTAMP"):
        return "timestamp"
    return _KINDS.get(duckdb_type, duckdb_type)


def _columns(connection: duckdb.DuckDBPyConnection, database: str,
             mart: str) -> list[tuple[str, str]]:
    return [(name, column_kind(kind)) for name, kind in connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'marts' and table_name = ? "
        "order by ordinal_position", [database, mart]).fetchall()]


def _marts(connection: duckdb.DuckDBPyConnection, database: str) -> set[str]:
    return {name for (name,) in connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = 'marts'", [database]).fetchall()}


def _rows(connection: duckdb.DuckDBPyConnection, database: str, mart: str,
          columns: list[tuple[str, str]]) -> pd.DataFrame:
    exact = [f'"{name}"' for name, kind in columns if kind != "float"]
    floats = [f'"{name}"' for name, kind in columns if kind == "float"]
    selected = ", ".join([*exact, *(f"cast({name} as double) as {name}" for name in floats)])
    order = ", ".join(f"{name} nulls last" for name in [*exact, *floats])
    return connection.execute(f"select {selected} from {database}.marts.{mart} "
                              f"order by {order}").df()


def _unequal(expected: pd.Series, actual: pd.Series, kind: str) -> np.ndarray:
    both_null = (expected.isna() & actual.isna()).to_numpy()
    if kind == "float":
        close = np.isclose(expected.to_numpy(dtype=float), actual.to_numpy(dtype=float),
                           rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE, equal_nan=True)
        return ~close
    same = (expected.astype(object) == actual.astype(object)).fillna(False).to_numpy(bool)
    return ~(same | both_null)


def compare_mart(connection: duckdb.DuckDBPyConnection, mart: str) -> list[MartDifference]:
    """The differences between ``expected.marts.<mart>`` and ``actual.marts.<mart>``."""
    expected_columns = _columns(connection, "expected", mart)
    actual_columns = _columns(connection, "actual", mart)
    if expected_columns != actual_columns:
        return [MartDifference(mart, f"columns {expected_columns} != {actual_columns}")]
    expected = _rows(connection, "expected", mart, expected_columns)
    actual = _rows(connection, "actual", mart, actual_columns)
    if len(expected) != len(actual):
        return [MartDifference(mart, f"{len(expected)} rows != {len(actual)} rows")]
    differences = []
    kinds = dict(expected_columns)
    for column in expected.columns:
        unequal = _unequal(expected[column], actual[column], kinds[column])
        for row in np.flatnonzero(unequal)[:SHOWN_ROWS]:
            differences.append(MartDifference(
                mart, f"row {row} column {column}: {expected[column].iloc[row]!r} != "
                      f"{actual[column].iloc[row]!r} (of {int(unequal.sum())} rows)"))
    return differences


def compare_marts(expected: Path, actual: Path) -> list[MartDifference]:
    """Every difference between the ``marts`` schemas of two DuckDB files (empty: the
    same marts, columns, rows and values)."""
    connection = open_duckdb()
    try:
        connection.execute("attach ? as expected (read_only)", [str(expected)])
        connection.execute("attach ? as actual (read_only)", [str(actual)])
        expected_marts, actual_marts = (_marts(connection, "expected"),
                                        _marts(connection, "actual"))
        differences = [MartDifference(mart, "only in the first build")
                       for mart in sorted(expected_marts - actual_marts)]
        differences += [MartDifference(mart, "only in the second build")
                        for mart in sorted(actual_marts - expected_marts)]
        for mart in sorted(expected_marts & actual_marts):
            differences += compare_mart(connection, mart)
        return differences
    finally:
        connection.close()
