"""When the report task regenerates dbt docs: only when they are older than the latest
``dbt build`` (its marker ``last_build.json``) or incomplete."""

from __future__ import annotations

import json

import pytest

from citytiers.report.dbt_docs import (
    DOCS_FILES,
    DOCS_STAMP,
    compiled_by_duckdb,
    docs_current,
    ensure_docs,
)
from citytiers.settings import Settings


def built(settings: Settings, built_at: str) -> str:
    """What ``dbt_runner.build`` leaves behind: the marker of that build."""
    marker = json.dumps({"fingerprint": "f" * 64, "built_at": built_at})
    (settings.build_db.parent / "last_build.json").write_text(marker, encoding="utf-8")
    return marker


def documented(settings: Settings, marker: str) -> None:
    """What ``dbt_docs.generate_docs`` leaves behind: the docs and their stamp."""
    docs = settings.reports / "dbt_docs"
    docs.mkdir(parents=True, exist_ok=True)
    for name in DOCS_FILES:
        (docs / name).write_text("{}", encoding="utf-8")
    (docs / DOCS_STAMP).write_text(marker, encoding="utf-8")


@pytest.mark.unit
def test_docs_of_the_latest_build_are_current(settings: Settings) -> None:
    assert docs_current(settings) is False  # nothing built, nothing documented
    marker = built(settings, "2026-12-01T18:00:00.000001+00:00")
    assert docs_current(settings) is False  # built, never documented
    documented(settings, marker)
    assert docs_current(settings) is True
    assert ensure_docs(settings) is False  # a quiet night: dbt is not even started


@pytest.mark.unit
def test_a_new_build_makes_the_docs_stale(settings: Settings) -> None:
    documented(settings, built(settings, "2026-12-01T18:00:00.000001+00:00"))
    built(settings, "2026-12-02T18:00:00.000001+00:00")  # same project, new releases
    assert docs_current(settings) is False


@pytest.mark.unit
@pytest.mark.parametrize("missing", [*DOCS_FILES, DOCS_STAMP])
def test_incomplete_docs_are_stale(settings: Settings, missing: str) -> None:
    documented(settings, built(settings, "2026-12-01T18:00:00.000001+00:00"))
    (settings.reports / "dbt_docs" / missing).unlink()
    assert docs_current(settings) is False


@pytest.mark.unit
def test_an_unreadable_stamp_is_stale(settings: Settings) -> None:
    documented(settings, built(settings, "2026-12-01T18:00:00.000001+00:00"))
    (settings.reports / "dbt_docs" / DOCS_STAMP).write_text("{broken", encoding="utf-8")
    assert docs_current(settings) is False


@pytest.mark.unit
def test_a_build_that_was_never_published_is_built_again(settings: Settings) -> None:
    from citytiers.transform.build_state import mark_published, needs_build, project_fingerprint

    settings.published_db.write_bytes(b"")  # an older night's published copy
    marker = {"fingerprint": project_fingerprint(settings), "raw_state": [0, 0],
              "built_at": "2026-12-01T18:00:00.000001+00:00"}
    (settings.build_db.parent / "last_build.json").write_text(json.dumps(marker),
                                                              encoding="utf-8")
    # Built, then its mart validation failed: nothing was published, so the next quiet
    # night builds (and validates) again instead of leaving the marts unpublished.
    assert needs_build(settings) is True
    mark_published(settings)
    assert needs_build(settings) is False
    # A release recorded since (here a quarantine attempt) must be built and published.
    from citytiers.database import connect, ensure_raw_schema

    ensure_raw_schema(settings.build_db)
    with connect(settings.build_db) as connection:
        connection.execute(
            "insert into raw.releases (release_id, status, file_name, source_path, "
            "is_synthetic, metadata_json, observation_count, processed_at) values "
            "('x', 'quarantined', 'x.csv', 'x.csv', false, '{}', 0, now())")
    assert needs_build(settings) is True


@pytest.mark.unit
def test_a_spark_manifest_is_compiled_again_for_duckdb() -> None:
    assert not compiled_by_duckdb({"metadata": {"adapter_type": "spark"}, "nodes": {"m": {}}})
    assert not compiled_by_duckdb({"metadata": {"adapter_type": "duckdb"}, "nodes": {}})
    assert not compiled_by_duckdb(None)
    assert compiled_by_duckdb({"metadata": {"adapter_type": "duckdb"}, "nodes": {"m": {}}})
