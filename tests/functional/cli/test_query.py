"""`citytiers query`: read-only SQL on the published database, three output formats."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from citytiers.cli.main import main


@pytest.fixture
def warehouse(tmp_path: Path) -> dict[str, str]:
    with duckdb.connect(str(tmp_path / "citytiers.duckdb")) as connection:
        connection.execute("create schema marts; create table marts.t as "
                           "select * from (values ('320500', '苏州市', 24653.4), "
                           "('320200', '无锡市', 15456.2)) v(city_code, city_name, gdp)")
    return {"CITYTIERS_WAREHOUSE": str(tmp_path)}


@pytest.mark.functional
def test_a_query_prints_rows_as_json_csv_and_a_table(warehouse) -> None:
    runner = CliRunner()
    sql = "select city_name, gdp from marts.t order by gdp desc"
    as_json = runner.invoke(main, ["query", sql, "--format", "json"], env=warehouse)
    assert as_json.exit_code == 0, as_json.output
    assert [json.loads(line) for line in as_json.output.splitlines()] == [
        {"city_name": "苏州市", "gdp": 24653.4}, {"city_name": "无锡市", "gdp": 15456.2}]
    as_csv = runner.invoke(main, ["query", sql, "--format", "csv"], env=warehouse)
    assert as_csv.output == "city_name,gdp\n苏州市,24653.4\n无锡市,15456.2\n"
    table = runner.invoke(main, ["query", sql], env=warehouse)
    assert "苏州市" in table.output and "24653.4" in table.output


@pytest.mark.functional
def test_a_write_fails_clearly_and_changes_nothing(warehouse) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["query", "delete from marts.t"], env=warehouse)
    assert done.exit_code == 1
    assert "the published database is read-only" in done.output
    count = runner.invoke(main, ["query", "select count(*) as n from marts.t", "--format",
                                 "json"], env=warehouse)
    assert json.loads(count.output) == {"n": 2}
    nothing = runner.invoke(main, ["query", "select 1"],
                            env={"CITYTIERS_WAREHOUSE": str(Path(warehouse[
                                "CITYTIERS_WAREHOUSE"]) / "none")})
    assert nothing.exit_code == 1 and "nothing is published yet" in nothing.output
