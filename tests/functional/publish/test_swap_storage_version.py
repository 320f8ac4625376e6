"""The published database is written in the configured storage version
(``CITYTIERS_PUBLISH_STORAGE_VERSION``), whatever format the writer's and the candidate's
files are in: the newest DuckDB's format must not leak into the file analysts open with a
DuckDB 1.x client (the CLI session itself: tests/e2e/test_nightly_dag.py)."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import duckdb
import pytest

from citytiers.publish.swap import PublishStorageVersionRefused, publish_database, storage_version
from citytiers.settings import (
    PROJECT_ROOT,
    PUBLISH_STORAGE_VERSION,
    InvalidPublishStorageVersion,
    Settings,
    load_settings,
)

VARIABLE = "CITYTIERS_PUBLISH_STORAGE_VERSION"
# Every type the published tables use (information_schema.columns of a published night).
CANDIDATE_SQL = """
    create schema raw; create schema marts; create schema reference;
    create table raw.releases as
        select 'r' || i as release_id, timestamp '2024-12-30 01:02:03' as processed_at,
               i::bigint as row_count from range(3) t(i);
    create table marts.fct_city_indicator as
        select '3205' || lpad(i::varchar, 2, '0') as city_code, (2018 + i % 6)::integer
               as data_year, i * 1.5e8::double as value, i % 2 = 0 as is_synthetic,
               date '2024-06-30' as valid_from, '苏州市' as city_name
        from range(2000) t(i);
    create table reference.tier_rules as select 'press' as scheme, 1 as rule_order;
    create view marts.v_latest as
        select city_code, max(data_year) as data_year from marts.fct_city_indicator
        group by city_code;
"""


def newest_format(tmp_path: Path) -> str:
    """The label of a file the running DuckDB makes with no option (its newest format)."""
    probe = tmp_path / "newest.duckdb"
    duckdb.connect(str(probe)).close()
    return storage_version(probe)


@pytest.fixture
def candidate(tmp_path: Path) -> Settings:
    """A warehouse whose candidate database is on the running DuckDB's newest format."""
    settings = Settings(home=PROJECT_ROOT, warehouse=tmp_path / "warehouse")
    settings.ensure_dirs()
    with duckdb.connect(str(settings.candidate_db)) as connection:
        connection.execute(CANDIDATE_SQL)
    return settings


def content(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as connection:
        relations = [row[0] for row in connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "order by 1").fetchall()]
        columns = connection.execute(
            "select table_schema, table_name, column_name, data_type "
            "from information_schema.columns order by all").fetchall()
        return {"columns": columns} | {
            name: connection.execute(f"select * from {name} order by all").fetchall()
            for name in relations}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.functional
def test_the_writers_format_does_not_leak_into_the_published_file(
        candidate: Settings, tmp_path: Path) -> None:
    """The candidate is on DuckDB's newest format; the published file is on the default
    storage version, holds the same tables, views and rows, and is read-only."""
    newest = newest_format(tmp_path)
    assert storage_version(candidate.candidate_db) == newest
    assert newest != f"{PUBLISH_STORAGE_VERSION}+"  # else this test proves nothing

    published = publish_database(candidate, candidate.candidate_db)

    assert published == candidate.published_db
    assert storage_version(published) == f"{PUBLISH_STORAGE_VERSION}+"
    assert storage_version(candidate.candidate_db) == newest  # the writer's side unchanged
    assert content(published) == content(candidate.candidate_db)
    assert stat.S_IMODE(published.stat().st_mode) == 0o444
    assert sorted(p.name for p in published.parent.glob("citytiers.duckdb*")) == [
        "citytiers.duckdb"]  # no temporary file, no write-ahead log left beside it

    # The next night replaces it the same way (the read-only file is replaced, not written).
    with duckdb.connect(str(candidate.candidate_db)) as connection:
        connection.execute("insert into raw.releases values ('r3', now()::timestamp, 3)")
    publish_database(candidate, candidate.candidate_db)
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from raw.releases").fetchone() == (4,)
    assert storage_version(published) == f"{PUBLISH_STORAGE_VERSION}+"


@pytest.mark.functional
def test_another_configured_storage_version_is_honoured(
        candidate: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYTIERS_HOME", str(PROJECT_ROOT))
    monkeypatch.setenv("CITYTIERS_WAREHOUSE", str(candidate.warehouse))
    monkeypatch.setenv(VARIABLE, "v1.5.0")
    settings = load_settings()
    assert settings.publish_storage_version == "v1.5.0"
    publish_database(settings, settings.candidate_db)
    assert storage_version(settings.published_db) == "v1.5.0+"


@pytest.mark.unit
@pytest.mark.parametrize("value", ["1.2", "v1.2", "newest", "v1.2.0; drop table x"])
def test_a_malformed_storage_version_names_the_setting(
        value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VARIABLE, value)
    with pytest.raises(InvalidPublishStorageVersion,
                       match=rf"^CITYTIERS_PUBLISH_STORAGE_VERSION='{value}': the published "
                             r"database's storage version is a DuckDB version, e\.g\. 'v1"):
        load_settings()


@pytest.mark.unit
def test_the_storage_version_defaults_to_one_every_duckdb_1_reads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    assert load_settings().publish_storage_version == PUBLISH_STORAGE_VERSION == "v1.0.0"
    monkeypatch.setenv(VARIABLE, " latest ")
    assert load_settings().publish_storage_version == "latest"


@pytest.mark.functional
@pytest.mark.parametrize(("version", "extra_sql", "duckdb_says"), [
    ("v9.9.9", "", "'v9.9.9' is not a known DuckDB version"),
    # A type the configured version cannot store: the copy fails, nothing is replaced.
    (PUBLISH_STORAGE_VERSION, "create table marts.odd as select 1::variant as v",
     "VARIANT columns are not supported in storage versions prior to v1.5.0"),
])
def test_a_version_duckdb_cannot_write_fails_and_keeps_the_published_file(
        candidate: Settings, version: str, extra_sql: str, duckdb_says: str) -> None:
    publish_database(candidate, candidate.candidate_db)
    before = sha256(candidate.published_db)
    if extra_sql:
        with duckdb.connect(str(candidate.candidate_db)) as connection:
            connection.execute(extra_sql)
    settings = Settings(home=PROJECT_ROOT, warehouse=candidate.warehouse,
                        publish_storage_version=version)
    with pytest.raises(PublishStorageVersionRefused,
                       match=rf"^CITYTIERS_PUBLISH_STORAGE_VERSION='{version}': DuckDB cannot "
                             rf"write the published database in this storage version "
                             rf"\(.*{duckdb_says}.*the published file was left as it was"):
        publish_database(settings, candidate.candidate_db)
    assert sha256(candidate.published_db) == before
    assert storage_version(candidate.published_db) == f"{PUBLISH_STORAGE_VERSION}+"
    assert sorted(p.name for p in candidate.warehouse.glob("citytiers.duckdb*")) == [
        "citytiers.duckdb"]
