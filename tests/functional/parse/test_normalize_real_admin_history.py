"""dim_city as a slowly changing dimension and boundary breaks, built by dbt from the real
code records and change events (loaded through the normal ingestion path)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

# Slow: reads the whole real code history (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow

FILES = ("areacodes/result.csv", "crosswalk/events_2000_2026.csv")


@pytest.fixture(scope="module")
def build_db(shared_data: Path, load_releases) -> Path:
    sources = [shared_data / name for name in FILES]
    return load_releases("history", *sources, build_marts=True).build_db


def history(db: Path, code: str) -> list[tuple]:
    with duckdb.connect(str(db)) as connection:
        return connection.execute(
            "select city_name, valid_from_year, valid_to_year, successor_codes "
            "from marts.dim_city where city_code = ? order by valid_from_year", [code]).fetchall()


@pytest.mark.functional
def test_laiwu_ends_2018_with_jinan_as_successor(build_db: Path) -> None:
    [(name, start, end, successors)] = history(build_db, "371200")
    assert (name, start, end) == ("莱芜市", 1992, 2018)
    assert "370100" in successors  # not printed in result.csv: from the 2018 event


@pytest.mark.functional
def test_chaohu_bijie_and_xiangyang(build_db: Path) -> None:
    [(name, _, end, _)] = history(build_db, "341400")
    assert (name, end) == ("巢湖市", 2011)
    [(name, _, end, successors)] = history(build_db, "522400")
    assert (name, end) == ("毕节地区", 2011) and "520500" in successors
    assert [(n, s) for n, s, _, _ in history(build_db, "520500")] == [("毕节市", 2011)]
    assert [(n, s, e) for n, s, e, _ in history(build_db, "420600")] == [
        ("襄樊市", 1981, 2010), ("襄阳市", 2010, None)]


@pytest.mark.functional
def test_jinan_2019_break_comes_from_the_laiwu_event(build_db: Path) -> None:
    with duckdb.connect(str(build_db)) as connection:
        breaks = connection.execute(
            "select city_code, absorbed_code, first_affected_data_year, event_id "
            "from intermediate.int_boundary_changes_derived where absorbed_code = '371200'"
        ).fetchall()
    assert ("370100", "371200", 2019, "PL-2018-001") in breaks
