"""The summary `make bench` prints first: issue 24's figures, each beside its limit, its
ratio and met / not met, computed from the stages' measured runs."""

from __future__ import annotations

import pytest

from tools.bench.measure import Run
from tools.bench.report import summary_rows, summary_table
from tools.bench.stages import StageResult

pytestmark = pytest.mark.unit


def stage(name: str, scale: int, observations: int | None, *seconds: float,
          rss: float = 100.0) -> StageResult:
    result = StageResult(name, name, scale, observations)
    result.runs = [Run(["x"], s, rss, rss, 0, "", "") for s in seconds]
    return result


def test_each_figure_is_its_ratio_to_its_limit_and_its_verdict() -> None:
    rows = {row["figure"].split(",")[0].split(" (")[0]: row for row in summary_rows([
        stage("tidy_ingest", 10, 1_000_000, 2.0, 4.0, 3.0),     # median 3 s
        stage("duckdb_read_csv", 10, 1_000_000, 0.5, 0.6, 0.7, rss=3000.0),  # a limit: no RSS
        stage("dbt_build", 100, 10_000_000, 90.0),
        stage("dbt_sql_direct", 100, 10_000_000, 30.0),
        stage("full_rebuild", 100, 10_000_000, 170.0, rss=2100.0),
    ])}
    tidy = rows["tidy ingest"]
    assert tidy["ratio"] == pytest.approx(0.6 / 3.0, abs=1e-3)
    assert tidy["met"] is False
    overhead = rows["`dbt build` vs its compiled SQL run directly"]
    assert (overhead["ratio"], overhead["met"]) == (3.0, False)
    assert rows["full rebuild at 100x"]["met"] is True
    peak = rows["peak RSS of any night"]
    assert peak["measured"] == "2,100 MiB (full_rebuild, 100x)"
    assert peak["met"] is False
    # Not run at these scales: said so, neither met nor failed.
    workbook = rows["workbook ingest vs calamine's read"]
    assert (workbook["measured"], workbook["met"]) == ("not measured", None)


def test_the_table_shows_percentages_for_percent_targets_and_times_for_the_rest() -> None:
    table = summary_table(summary_rows([
        stage("tidy_ingest", 10, 1_000_000, 2.0),
        stage("duckdb_read_csv", 10, 1_000_000, 1.0),
        stage("dbt_build", 100, 1, 40.0),
        stage("dbt_sql_direct", 100, 1, 25.0),
    ]))
    assert "| 50.0 % | ≥ 30 % | yes |" in table
    assert "| 1.60× | ≤ 2× | yes |" in table
    assert table.count("| n/a |") == 6  # the six figures these stages do not measure
