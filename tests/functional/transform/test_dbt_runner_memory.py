"""dbt's DuckDB connection is bounded by the same setting as the package's own
(profiles.yml ``settings``, from citytiers.transform.dbt_runner): a real dbt, asked for its
setting."""

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
