"""The nightly build leaves out the tests that read only seeds once a build of the same
dbt project passed them, and runs them all again after any change to the project."""

from __future__ import annotations

import pytest

from citytiers.database import ensure_raw_schema
from citytiers.settings import Settings
from citytiers.transform.dbt_runner import build, last_run_results, proven_seed_tests

# Slow: two dbt builds (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow


def ran_tests(settings: Settings) -> dict[str, str]:
    return {r["unique_id"].split(".")[2]: r["status"]
            for r in last_run_results(settings)["results"]
            if r["unique_id"].startswith("test.")}


@pytest.mark.functional
def test_seed_tests_run_when_the_project_changed_and_not_again(
        copied_project: Settings) -> None:
    settings = copied_project  # a copy, so that the test can change a seed's file
    ensure_raw_schema(settings.build_db)

    assert proven_seed_tests(settings) == []  # nothing built yet: every test runs
    build(settings)
    first = ran_tests(settings)
    assert first["unique_indicators_indicator_code"] == "pass"
    assert first["not_null_stg_raw__observations"] == "pass"

    proven = proven_seed_tests(settings)
    assert "unique_indicators_indicator_code" in proven
    assert "not_null_stg_raw__observations" not in proven  # reads a model
    build(settings)
    second = ran_tests(settings)
    assert set(second) == set(first) - set(proven)
    assert set(second.values()) == {"pass"}

    # Any change to the project (here a seed file) makes every seed test run again: none
    # is proven, and the build is the first one's (every test).
    seed = settings.dbt_project / "seeds" / "indicators.csv"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert proven_seed_tests(settings) == []
