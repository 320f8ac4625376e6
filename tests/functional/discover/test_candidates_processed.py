"""Discovery against a real writer's database: what is loaded, or quarantined with the same
sidecar, is not a candidate again (through the source cache too); a fixed sidecar is."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from citytiers.database import connect, ensure_raw_schema
from citytiers.discover.candidates import discover
from citytiers.discover.metadata import sidecar_path
from citytiers.orchestration.steps import discover_releases
from citytiers.settings import Settings

PAST_NS = 1_766_534_400 * 1_000_000_000  # 2025-12-24T00:00:00Z: cacheable mtimes


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    os.utime(path, ns=(PAST_NS, PAST_NS))
    return path


def record(settings: Settings, path: Path, status: str, sidecar_sha: str | None) -> None:
    with connect(settings.build_db) as connection:
        connection.execute(
            "insert into raw.releases (release_id, status, sidecar_sha256, file_name, "
            "source_path, is_synthetic, metadata_json, observation_count, processed_at) "
            "values (?, ?, ?, ?, ?, false, '{}', 0, now())",
            [hashlib.sha256(path.read_bytes()).hexdigest(), status, sidecar_sha, path.name,
             str(path)])


@pytest.mark.functional
def test_loaded_and_quarantined_releases_are_not_candidates(settings: Settings) -> None:
    ensure_raw_schema(settings.build_db)
    header = "city_code,city_name,data_year,indicator,scope,value,unit\n"
    loaded = write(settings.landing / "loaded.csv", (header + "1\n").encode())
    write(sidecar_path(loaded), b"format: tidy_csv\n")
    bad = write(settings.landing / "bad.csv", (header + "2\n").encode())
    write(sidecar_path(bad), b"format: tidy_csv\n")
    events = write(settings.landing / "events.csv", b"any,header\n")
    write(sidecar_path(events), b"format: change_events\n")
    assert {Path(c.path).name for c in discover(settings)} == {"loaded.csv", "bad.csv",
                                                              "events.csv"}

    record(settings, loaded, "loaded", None)
    [bad_candidate] = [c for c in discover(settings) if Path(c.path).name == "bad.csv"]
    record(settings, bad, "quarantined", bad_candidate.sidecar_sha256)
    assert [Path(c.path).name for c in discover(settings)] == ["events.csv"]
    assert discover_releases([], "reference", settings)[0]["kind"] == "reference"
    assert discover_releases([], "data", settings) == []

    write(sidecar_path(bad), b"format: tidy_csv\n# fixed\n")  # a new attempt
    [retry] = discover_releases([], "data", settings)
    assert Path(retry["path"]).name == "bad.csv"
    assert retry["sidecar_sha256"] == hashlib.sha256(b"format: tidy_csv\n# fixed\n").hexdigest()
