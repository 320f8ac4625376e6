"""dbt's unit tests (the models' SQL on fixed inputs), run here rather than every night."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from citytiers.database import ensure_raw_schema
from citytiers.settings import PROJECT_ROOT, Settings
from citytiers.transform.dbt_runner import UNIT_TESTS, run_dbt

# Slow: runs every dbt unit test (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow


def declared_unit_tests() -> set[str]:
    names: set[str] = set()
    for path in (PROJECT_ROOT / "dbt_project" / "models").rglob("*.yml"):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names |= {test["name"] for test in spec.get("unit_tests") or []}
    return names


@pytest.mark.functional
def test_every_dbt_unit_test_passes(tmp_path: Path) -> None:
    settings = Settings(home=PROJECT_ROOT, warehouse=tmp_path)
    settings.ensure_dirs()
    ensure_raw_schema(settings.build_db)
    results = run_dbt(settings, UNIT_TESTS)  # raises DbtFailed naming a failing one
    ran = {r["unique_id"].split(".")[-1]: r["status"] for r in results["results"]
           if r["unique_id"].startswith("unit_test.")}
    assert len(declared_unit_tests()) >= 24
    assert ran == dict.fromkeys(declared_unit_tests(), "pass")
