"""The environment is read in one module, citytiers.settings; the other modules only pass
it on to child processes (dbt, Airflow's services) or set what GX's
own configuration substitutes."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PROJECT_ROOT

# Modules that copy the whole environment into a child process's, or set variables for GX.
PASSES_IT_ON = {"orchestration/airflow_local.py", "transform/dbt_runner.py",
                "validate/gx_project.py"}
READ = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=)")


@pytest.mark.unit
def test_only_settings_reads_the_environment() -> None:
    src = PROJECT_ROOT / "src" / "citytiers"
    readers = sorted(str(path.relative_to(src)) for path in src.rglob("*.py")
                     if READ.search(path.read_text(encoding="utf-8")))
    assert readers == ["settings.py"]
    copiers = sorted(str(path.relative_to(src)) for path in src.rglob("*.py")
                     if "os.environ" in path.read_text(encoding="utf-8"))
    assert set(copiers) - {"settings.py"} <= PASSES_IT_ON
