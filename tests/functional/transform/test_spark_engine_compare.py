"""The comparison the Spark night is judged by (tests.support.engine_compare) on small DuckDB
files: it passes equal builds (other integer widths, float noise within tolerance, any
row order) and names each kind of difference."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.support.engine_compare import compare_marts

pytestmark = pytest.mark.functional

BUILD = """
create schema marts;
create table marts.mart_x (city_code varchar, data_year {year_type}, gdp_yuan double,
                           city_name varchar);
insert into marts.mart_x values ('320500', 2023, 1766610000000.0, '苏州市'),
                                ('320400', 2023, 1011636000000.0, '常州市'),
                                ('110000', 2023, null, null);
"""


def _build(path: Path, *changes: str, year_type: str = "bigint") -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute(BUILD.format(year_type=year_type))
        for change in changes:
            connection.execute(change)
    return path


def test_equal_builds_have_no_difference(tmp_path: Path) -> None:
    expected = _build(tmp_path / "a.duckdb")
    # Spark's 32-bit ints, another row order, a sum in another order.
    actual = _build(tmp_path / "b.duckdb",
                    "update marts.mart_x set gdp_yuan = gdp_yuan * (1 + 1e-13)",
                    "create table marts.t as select * from marts.mart_x order by city_code desc",
                    "drop table marts.mart_x", "alter table marts.t rename to mart_x",
                    year_type="integer")
    assert compare_marts(expected, actual) == []


@pytest.mark.parametrize(("change", "problem"), [
    ("update marts.mart_x set gdp_yuan = gdp_yuan * (1 + 1e-6) where city_code = '320500'",
     "column gdp_yuan"),
    ("update marts.mart_x set city_name = null where city_code = '320500'",
     "column city_name"),
    ("update marts.mart_x set gdp_yuan = 0 where city_code = '110000'", "column gdp_yuan"),
    ("delete from marts.mart_x where city_code = '320400'", "3 rows != 2 rows"),
    ("alter table marts.mart_x alter data_year type varchar", "columns"),
    ("create table marts.mart_y (a integer)", "only in the second build"),
])
def test_each_difference_is_named(tmp_path: Path, change: str, problem: str) -> None:
    expected = _build(tmp_path / "a.duckdb")
    actual = _build(tmp_path / "b.duckdb", change)
    differences = [str(difference) for difference in compare_marts(expected, actual)]
    assert len(differences) == 1 and problem in differences[0], differences
