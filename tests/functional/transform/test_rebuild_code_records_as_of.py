"""The code records in publication time: two releases of the code-record table (tidy
areacodes result.csv layout, cut down to 湖北省 and 420600) published on different dates,
the older one from before 襄樊市 was renamed 襄阳市 (2010). `citytiers rebuild --as-of` a
date between the two uses the first release's records, not today's; a date after the
second uses the second. The rows are the real ones of areacodes result.csv, the older
release is SYNTHETIC (the table as it would have read at the end of 2009)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from citytiers.discover.candidates import discover
from citytiers.load.ingest import ingest
from citytiers.settings import PROJECT_ROOT, Settings

# Slow: rebuilds the marts with dbt for past dates (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow

HEADER = "代码,一级行政区,二级行政区,名称,级别,状态,启用时间,变更/弃用时间,新代码\n"
RELEASES = {
    "codes_end_2009.csv": ("2009-12-31", 2009, (
        "420000,湖北省,,湖北省,省级,在用,1981,,\n"
        "420600,湖北省,襄樊市,襄樊市,地级,在用,1981,,\n")),
    "codes_end_2024.csv": ("2024-12-31", 2024, (
        "420000,湖北省,,湖北省,省级,在用,1981,,\n"
        "420600,湖北省,襄阳市,襄阳市,地级,在用,2010,,\n"
        "420600,湖北省,襄樊市,襄樊市,地级,变更,1981,2010,\n")),
}
CITY_420600 = """
    select city_name, valid_from_year, valid_to_year from marts.dim_city
    where city_code = '420600' order by valid_from_year"""


def write_releases(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, (published_on, last_year, rows) in RELEASES.items():
        (folder / name).write_text(HEADER + rows, encoding="utf-8")
        (folder / f"{name}.release.yml").write_text(
            "publisher: test\n"
            f"title: SYNTHETIC code records to the end of {last_year}\n"
            f"edition_year: {last_year}\n"
            f"data_years: [{', '.join(str(y) for y in range(1981, last_year + 1))}]\n"
            f"published_on: {published_on}\n"
            "license: CC0-1.0\n"
            "is_synthetic: true\n"
            "format: code_list_records\n", encoding="utf-8")


def citytiers(warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI, as a user runs it against this warehouse."""
    return subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "citytiers"), *args],
                          env={**os.environ, "CITYTIERS_WAREHOUSE": str(warehouse)},
                          capture_output=True, text=True, timeout=300)


def rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.functional
def test_rebuild_as_of_uses_the_code_records_published_by_then(settings: Settings,
                                                                tmp_path: Path) -> None:
    folder = tmp_path / "codes"
    write_releases(folder)
    outcomes = [ingest(settings, candidate) for candidate in discover(settings, [folder])]
    assert sorted((o.file_name, o.status) for o in outcomes) == [
        ("codes_end_2009.csv", "loaded"), ("codes_end_2024.csv", "loaded")], [
        (o.file_name, o.reason) for o in outcomes]
    expected = {
        # Between the two: the 2009 table, 襄樊市 still in use; not today's 襄阳市.
        "2015-06-30": [("襄樊市", 1981, None)],
        "2025-06-30": [("襄樊市", 1981, 2010), ("襄阳市", 2010, None)],
    }
    for as_of, city_rows in expected.items():
        out = settings.warehouse / "as_of" / f"{as_of}.duckdb"
        done = citytiers(settings.warehouse, "rebuild", "--as-of", as_of, "--out", str(out))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert rows(out, CITY_420600) == city_rows, as_of
