"""dbt's DuckDB connection is bounded by the same setting as the package's own
(profiles.yml ``config_options``, from citytiers.transform.dbt_runner): a real dbt, asked for
its setting, and a real dbt whose node spills to disk before the next node runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from citytiers.settings import PROJECT_ROOT, Settings
from citytiers.transform import dbt_runner

pytestmark = pytest.mark.functional


def test_dbts_connection_has_the_configured_memory_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture) -> None:
    settings = Settings(home=PROJECT_ROOT, warehouse=tmp_path / "warehouse")
    settings.ensure_dirs()
    monkeypatch.setattr(dbt_runner, "MEMORY_LIMIT", "700MB")  # the setting, read once
    database = tmp_path / "build.duckdb"
    dbt_runner.run_dbt(settings, [
        "show", "--inline", "select current_setting('memory_limit') as memory_limit, "
        "current_setting('temp_directory') as temp_directory", "--output", "json"],
        database, target=tmp_path / "target")
    printed = capfd.readouterr().out
    [shown] = re.findall(r'\{\s*"show":.*?\]\s*\}', printed, flags=re.S)
    assert json.loads(shown)["show"] == [{"memory_limit": "667.5 MiB",  # 700MB
                                          "temp_directory": f"{database}.tmp"}]


def test_a_node_after_one_that_spilled_still_connects(
        copied_project: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # dbt-duckdb applies a profile's `settings` with SET on every new cursor, and DuckDB
    # refuses to SET temp_directory once something spilled there: with the bound in
    # `settings`, the node after a spilling one failed (a 100x build). A copy of the real
    # project (its profiles.yml) with two extra models: one that sorts more than the
    # memory limit holds, then one that only needs a connection.
    settings = copied_project
    models = settings.dbt_project / "models" / "spill_check"
    models.mkdir()
    (models / "spill_sorted.sql").write_text(
        "{{ config(materialized='table') }}\n"
        "select range as i, md5(range::varchar) as s from range(1500000) order by s\n")
    (models / "after_spill.sql").write_text(
        "{{ config(materialized='table') }}\n"
        "select count(*) as n from {{ ref('spill_sorted') }}\n")
    monkeypatch.setattr(dbt_runner, "MEMORY_LIMIT", "64MB")
    database = tmp_path / "build.duckdb"
    results = dbt_runner.run_dbt(settings, ["run", "--select", "spill_sorted", "after_spill"],
                                 database, target=tmp_path / "target")
    assert {r["unique_id"]: r["status"] for r in results["results"]
            if r["unique_id"].startswith("model.")} == {
        "model.citytiers.spill_sorted": "success", "model.citytiers.after_spill": "success"}
