"""Vintages in publication time: the warehouse as it stood on three past dates, rebuilt by
`citytiers rebuild --as-of` from releases loaded in reverse publication order, and the
same marts whichever order the releases were loaded in.

The samples publish 苏州's 2023 GDP four times: Jiangsu's preliminary accounting
(2024-01-26, 17201.14 亿元), the communiqué (2024-03-19, 17195.69), the yearbook
(2024-12-15, 17205.9396: 万元 in the table) and the economic-census revision (2024-12-30,
17666.10). SYNTHETIC figures (src/citytiers/samples)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from citytiers.discover.candidates import discover
from citytiers.load.ingest import ingest
from citytiers.load.release_states import change_state
from citytiers.settings import PROJECT_ROOT, Settings

# Slow: rebuilds the marts with dbt for several dates (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow

SUZHOU_GDP_2023 = """
    select round(value / 1e8, 4) from marts.fct_city_indicator
    where city_code = '320500' and data_year = 2023 and indicator_code = 'gdp'
      and scope = 'whole_city'"""
# Lineage that differs between two warehouses holding the same releases: where each kept
# its copy, and when and by which run it loaded them.
PER_WAREHOUSE_COLUMNS = {"processed_at", "run_id", "stored_path"}


def citytiers(warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI, as a user runs it against this warehouse."""
    return subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "citytiers"), *args],
                          env={**os.environ, "CITYTIERS_WAREHOUSE": str(warehouse)},
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def forward(load_releases, samples_dir: Path) -> Settings:
    """The samples loaded in publication order (as a night does) and built."""
    return load_releases("forward", samples_dir, build_marts=True)


@pytest.fixture(scope="module")
def reverse_as_of(tmp_path_factory: pytest.TempPathFactory,
                  samples_dir: Path) -> tuple[Settings, dict[str, Path]]:
    """The samples loaded newest first, one at a time; the revision then withdrawn today;
    then the warehouse rebuilt as of three dates."""
    settings = Settings(home=PROJECT_ROOT, warehouse=tmp_path_factory.mktemp("reverse"))
    settings.ensure_dirs()
    candidates = sorted(discover(settings, [samples_dir]),
                        key=lambda candidate: candidate.published_on or "", reverse=True)
    assert [Path(c.path).name for c in candidates][:2] == [
        "sample_revision_2023_gdp.csv", "sample_yearbook_2024_trad.xlsx"]
    outcomes = [ingest(settings, candidate) for candidate in candidates]
    assert [o.status for o in outcomes] == ["loaded"] * 13, [(o.file_name, o.reason)
                                                           for o in outcomes]
    revision = next(o.release_id for o in outcomes
                    if o.file_name == "sample_revision_2023_gdp.csv")
    change_state(settings, revision, "withdraw", "test: withdrawn after the dates rebuilt")
    states = {}
    for as_of in ("2024-02-29", "2024-12-20", "2025-01-31"):
        out = settings.warehouse / "as_of" / f"{as_of}.duckdb"
        done = citytiers(settings.warehouse, "rebuild", "--as-of", as_of, "--out", str(out))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert f"rebuilt the warehouse as of {as_of}: {out}" in done.stdout
        states[as_of] = out
    return settings, states


def one(database: Path, sql: str) -> object:
    with duckdb.connect(str(database), read_only=True) as connection:
        [(value,)] = connection.execute(sql).fetchall()
    return value


@pytest.mark.functional
@pytest.mark.parametrize(("as_of", "gdp_yi", "releases", "file_name", "club_2023"), [
    # Only Jiangsu had published 2023 figures: its five members are the club so far.
    ("2024-02-29", 17201.14, 10, "sample_preliminary_2023_jiangsu.csv", 5),
    ("2024-12-20", 17205.9396, 12, "sample_yearbook_2024_trad.xlsx", 26),
    # Withdrawn today, so still in force on that date.
    ("2025-01-31", 17666.10, 13, "sample_revision_2023_gdp.csv", 26),
])
def test_figures_as_of_a_date_are_those_published_by_then(reverse_as_of, as_of: str,
                                                          gdp_yi: float, releases: int,
                                                          file_name: str,
                                                          club_2023: int) -> None:
    _, states = reverse_as_of
    database = states[as_of]
    assert one(database, SUZHOU_GDP_2023) == gdp_yi
    assert one(database, "select count(*) from marts.dim_release") == releases
    latest = one(database, "select max(published_on) from marts.dim_release")
    assert latest <= dt.date.fromisoformat(as_of)
    assert one(database, """
        select file_name from marts.fct_city_indicator_vintage
        where city_code = '320500' and data_year = 2023 and indicator_code = 'gdp'
          and scope = 'whole_city' and valid_to is null""") == file_name
    assert one(database, "select max(member_count) from marts.mart_trillion_club_year "
                         "where data_year = 2023") == club_2023


@pytest.mark.functional
def test_vintages_carry_their_publication_time_validity(reverse_as_of) -> None:
    _, states = reverse_as_of
    with duckdb.connect(str(states["2025-01-31"]), read_only=True) as connection:
        rows = connection.execute("""
            select release_kind, valid_from, valid_to, vintage_rank
            from marts.fct_city_indicator_vintage
            where city_code = '320500' and data_year = 2023 and indicator_code = 'gdp'
              and scope = 'whole_city' order by valid_from""").fetchall()
    assert rows == [
        ("preliminary", dt.date(2024, 1, 26), dt.date(2024, 3, 19), 4),
        ("communique", dt.date(2024, 3, 19), dt.date(2024, 12, 15), 3),
        ("yearbook", dt.date(2024, 12, 15), dt.date(2024, 12, 30), 2),
        ("census_revision", dt.date(2024, 12, 30), None, 1),
    ]


@pytest.mark.functional
def test_a_rebuild_writes_only_its_own_file(reverse_as_of) -> None:
    settings, _ = reverse_as_of
    assert not settings.published_db.exists()  # nothing was published
    with duckdb.connect(str(settings.build_db), read_only=True) as connection:
        schemas = {name for (name,) in connection.execute(
            "select schema_name from information_schema.schemata").fetchall()}
    assert "marts" not in schemas  # the writer's database was copied, never built
    refused = citytiers(settings.warehouse, "rebuild", "--as-of", "2024-06-30",
                        "--out", str(settings.build_db))
    assert refused.returncode == 1
    assert "is one of the warehouse's own databases" in refused.stderr


def mart_tables(database: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute("""
            select table_name, column_name from information_schema.columns
            where table_schema = 'marts' order by table_name, ordinal_position""").fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if column not in PER_WAREHOUSE_COLUMNS:
            tables.setdefault(table, []).append(column)
    return tables


@pytest.mark.functional
def test_loading_in_reverse_publication_order_gives_the_same_marts(forward: Settings,
                                                                   reverse_as_of) -> None:
    """Every release of the samples was published by 2025-01-31 and none was withdrawn
    by then: that state, loaded newest first, equals the night's forward load."""
    _, states = reverse_as_of
    tables = mart_tables(forward.build_db)
    assert mart_tables(states["2025-01-31"]) == tables
    assert len(tables) >= 14
    differing = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{forward.build_db}' as fwd (read_only)")
        connection.execute(f"attach '{states['2025-01-31']}' as rev (read_only)")
        for table, columns in tables.items():
            listed = ", ".join(f'"{column}"' for column in columns)
            counts = connection.execute(f"""
                select (select count(*) from fwd.marts.{table}),
                       (select count(*) from (select {listed} from fwd.marts.{table}
                                              except all
                                              select {listed} from rev.marts.{table})),
                       (select count(*) from (select {listed} from rev.marts.{table}
                                              except all
                                              select {listed} from fwd.marts.{table}))
            """).fetchone()
            assert counts[0] > 0, table
            if counts[1] or counts[2]:
                differing[table] = counts
    assert differing == {}
