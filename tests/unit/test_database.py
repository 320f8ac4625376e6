"""Every DuckDB connection the package opens is bounded by the one memory setting
(CITYTIERS_DUCKDB_MEMORY_LIMIT) and spills to a temporary directory: they all go through
citytiers.database.open_duckdb (dbt's through profiles.yml:
tests/functional/transform/test_dbt_runner_memory.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from citytiers import database
from citytiers.settings import DUCKDB_MEMORY_LIMIT_VARIABLE, duckdb_memory_limit

pytestmark = pytest.mark.unit

PACKAGE = Path(database.__file__).parent
# The one module that opens DuckDB itself. (The benchmark, outside the wheel in tools/bench,
# measures DuckDB's own read_csv as the limit ingest is compared with: its baseline
# connection is DuckDB's, on purpose.)
OUTSIDE = {PACKAGE / "database.py"}


def direct_connects(path: Path) -> list[int]:
    """Lines of ``path`` that call ``duckdb.connect`` (or ``connect`` imported from duckdb)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.asname or alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "duckdb"
                for alias in node.names if alias.name == "connect"}
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Attribute) and node.func.attr == "connect"
         and isinstance(node.func.value, ast.Name) and node.func.value.id == "duckdb")
        or (isinstance(node.func, ast.Name) and node.func.id in imported))]


def test_no_module_opens_duckdb_but_through_open_duckdb() -> None:
    found = {str(path.relative_to(PACKAGE)): lines for path in sorted(PACKAGE.rglob("*.py"))
             if path not in OUTSIDE and (lines := direct_connects(path))}
    assert found == {}


def test_the_checker_finds_a_direct_connect(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import duckdb\nfrom duckdb import connect as c\n"
                      "duckdb.connect()\nc(':memory:')\n", encoding="utf-8")
    assert direct_connects(module) == [3, 4]


def test_a_connection_has_the_limit_threads_and_a_temp_directory(tmp_path: Path) -> None:
    file = tmp_path / "w.duckdb"
    with database.open_duckdb(file) as connection:
        limit, temp, threads = connection.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory'), "
            "current_setting('threads')").fetchone()
    with database.open_duckdb() as memory:
        memory_temp = memory.execute("select current_setting('temp_directory')").fetchone()[0]
    assert limit == "953.6 MiB"  # 1GB, DuckDB's way of printing it
    assert (temp, threads) == (f"{file}.tmp", database.THREADS)
    assert memory_temp.endswith("citytiers-duckdb")


def test_the_setting_is_a_size_and_a_bad_one_names_itself(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DUCKDB_MEMORY_LIMIT_VARIABLE, "512MB")
    assert duckdb_memory_limit() == "512MB"
    monkeypatch.setenv(DUCKDB_MEMORY_LIMIT_VARIABLE, "lots")
    with pytest.raises(ValueError, match="CITYTIERS_DUCKDB_MEMORY_LIMIT='lots' is not a "
                                         "memory size"):
        duckdb_memory_limit()
