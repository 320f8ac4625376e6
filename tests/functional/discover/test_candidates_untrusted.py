"""Source folders are untrusted: a symbolic link in landing/ is refused, never followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from citytiers.database import connect
from citytiers.discover.candidates import discover
from citytiers.load.ingest import ingest
from citytiers.settings import Settings


@pytest.mark.functional
def test_a_symlink_in_landing_is_recorded_and_never_read(settings: Settings,
                                                          tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("city_code,city_name,data_year,indicator,scope,value,unit\n"
                      "320500,苏州市,2021,gdp,全市,1,亿元\n", encoding="utf-8")
    os.symlink(secret, settings.landing / "x.csv")
    os.symlink(tmp_path / "missing.csv", settings.landing / "dangling.csv")

    candidates = discover(settings)
    assert sorted(Path(c.path).name for c in candidates) == ["dangling.csv", "x.csv"]
    assert all(Path(c.path).parent == settings.landing for c in candidates)  # not resolved
    outcomes = [ingest(settings, candidate) for candidate in candidates]

    assert {o.status for o in outcomes} == {"quarantined"}
    assert all("not a regular file" in (o.reason or "") for o in outcomes)
    # Nothing of the target was copied anywhere in the warehouse, only the reasons.
    kept = sorted(p.name for p in settings.quarantine.iterdir())
    assert kept == sorted(f"{o.release_id[:12]}__{o.file_name}.reason.txt" for o in outcomes)
    assert not any(secret.read_bytes() in p.read_bytes()
                   for p in settings.warehouse.rglob("*") if p.is_file() and not p.is_symlink())
    with connect(settings.build_db) as connection:
        rows = connection.execute("select status, observation_count from raw.releases "
                                  "order by file_name").fetchall()
    assert rows == [("quarantined", 0), ("quarantined", 0)]
    assert discover(settings) == []  # refused once, not every night
