"""A night over the whole bad-input corpus, after a good night on the samples.

Every named case of ``tests/cases/{bad,good}`` (and the links and special files the test
makes, which git cannot hold as such) is dropped into ``landing/`` at once, after a good
night on the bundled synthetic samples, and ingested the way the nightly DAG does
(discover, then ingest each candidate). Each case must end as ``tests/cases/outcomes.yml``
says, with the reason it gives (file, row and column named); and everything loaded by the
good night must be exactly as it was (a checksum of every raw table's rows of those
releases).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from citytiers.database import connect
from citytiers.discover.candidates import discover
from citytiers.discover.metadata import SIDECAR_SUFFIX, sidecar_path
from citytiers.load.ingest import IngestOutcome, ingest
from citytiers.settings import Settings
from tests.conftest import CASES

# Slow: runs whole nights, dbt included (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow

OUTCOMES = yaml.safe_load((CASES / "outcomes.yml").read_text(encoding="utf-8"))
# Every raw table with a release_id: a checksum of its rows of the given releases.
RAW_TABLES = ("releases", "observations", "admin_code_snapshots", "admin_code_records",
              "admin_change_events", "census_prefecture_totals")
TIDY_HEADER = "city_code,city_name,data_year,indicator,scope,value,unit\n"


def checksum(settings: Settings, release_ids: list[str]) -> dict[str, tuple[int, str]]:
    """Per raw table: the row count and an md5 over every column of every row of those
    releases, in a fixed order."""
    ids = ", ".join(f"'{release_id}'" for release_id in release_ids)
    sums = {}
    with connect(settings.build_db) as connection:
        for table in RAW_TABLES:
            sums[table] = connection.execute(f"""
                select count(*), md5(coalesce(string_agg(t::varchar, chr(10)
                                                         order by t::varchar), ''))
                from raw.{table} t where release_id in ({ids})""").fetchone()
    return sums


def _good_sidecar(name: str) -> str:
    return (f"# Test case made by {Path(__file__).name}. Invented figures, not official "
            "statistics.\npublisher: test\n"
            f"title: \"TEST CASE - {name}\"\nedition_year: 2023\ndata_year: 2022\n"
            "published_on: 2023-06-30\nformat: tidy_csv\nis_synthetic: true\n")


def make_generated_cases(landing: Path, outside: Path) -> None:
    """The cases of outcomes.yml with ``made_by``: links, a FIFO, hostile sidecars."""
    outside.mkdir()
    secret = outside / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    os.symlink(secret, landing / "symlink_to_etc_passwd.csv")
    os.symlink(outside / "missing.csv", landing / "dangling_symlink.csv")
    os.mkfifo(landing / "fifo_special_file.csv")
    # Good data files (unique figures, so unique release ids) with hostile sidecars.
    linked = landing / "sidecar_is_a_symlink.csv"
    linked.write_text(TIDY_HEADER + "320100,南京市,2022,gdp,全市,13595.11,亿元\n",
                      encoding="utf-8")
    os.symlink(secret, sidecar_path(linked))
    large = landing / "sidecar_too_large.csv"
    large.write_text(TIDY_HEADER + "320100,南京市,2022,gdp,全市,13595.12,亿元\n",
                     encoding="utf-8")
    sidecar_path(large).write_text(_good_sidecar("a sidecar of 70 KB")
                                   + "# padding\n" * 7000, encoding="utf-8")


def drop_corpus(landing: Path) -> list[str]:
    """Copy every committed case (with its sidecar) into landing/; return the names."""
    names = []
    for case in OUTCOMES:
        if "/" not in case:
            continue
        source = CASES / case
        shutil.copy2(source, landing / source.name)
        if sidecar_path(source).exists():
            shutil.copy2(sidecar_path(source), sidecar_path(landing / source.name))
        names.append(source.name)
    return names


def night(settings: Settings) -> dict[str, IngestOutcome]:
    outcomes = {}
    for candidate in discover(settings):
        outcome = ingest(settings, candidate, run_id="corpus night")
        outcomes[outcome.file_name] = outcome
    return outcomes


@pytest.mark.functional
def test_every_case_file_has_an_asserted_outcome() -> None:
    committed = {f"{folder}/{p.name}" for folder in ("bad", "good")
                 for p in (CASES / folder).iterdir()
                 if p.is_file() and not p.name.endswith(SIDECAR_SUFFIX)}
    listed = {case for case in OUTCOMES if "/" in case}
    assert committed == listed
    assert len(OUTCOMES) >= 40
    for case, expected in OUTCOMES.items():
        assert expected["outcome"] in ("loaded", "quarantined"), case
        if expected["outcome"] == "quarantined":
            assert expected.get("reason"), f"{case}: a quarantine asserts its reason"


def not_as_expected(outcomes: dict[str, IngestOutcome]) -> dict[str, tuple]:
    """Per case of outcomes.yml that did not end as it says: (status, the expected reason
    texts not found, what was said: the quarantine reason, or the warnings)."""
    wrong = {}
    for case, expected in OUTCOMES.items():
        outcome = outcomes[Path(case).name]
        said = outcome.reason if outcome.status == "quarantined" else "; ".join(
            outcome.warnings)
        missing = [text for text in expected.get("reason", []) if text not in (said or "")]
        if outcome.status != expected["outcome"] or missing:
            wrong[case] = (outcome.status, missing, said)
    return wrong


@pytest.mark.functional
def test_a_night_of_bad_files_after_a_good_night(settings: Settings, samples_dir: Path,
                                                 tmp_path: Path) -> None:
    for sample in sorted(samples_dir.glob("*.*")):
        if not sample.name.endswith((SIDECAR_SUFFIX, ".py")):
            shutil.copy2(sample, settings.landing / sample.name)
            shutil.copy2(sidecar_path(sample), sidecar_path(settings.landing / sample.name))
    good_night = night(settings)
    assert {o.status for o in good_night.values()} == {"loaded"}
    before_ids = sorted(o.release_id for o in good_night.values())
    before = checksum(settings, before_ids)
    assert before["observations"][0] > 5000

    drop_corpus(settings.landing)
    make_generated_cases(settings.landing, tmp_path / "outside")
    outcomes = night(settings)

    assert set(outcomes) == {Path(case).name for case in OUTCOMES}
    assert not_as_expected(outcomes) == {}
    for outcome in outcomes.values():
        if outcome.status == "quarantined":
            reason = outcome.reason or ""
            assert reason.startswith("validation") or "file " in reason, outcome.file_name

    # Everything loaded before is exactly as it was; only the good cases were added.
    assert checksum(settings, before_ids) == before
    loaded = sorted(o.release_id for o in outcomes.values() if o.status == "loaded")
    assert len(loaded) == sum(e["outcome"] == "loaded" for e in OUTCOMES.values())
    with connect(settings.build_db) as connection:
        assert connection.execute(
            "select count(*) from raw.releases where status = 'loaded'").fetchone()[0] \
            == len(before_ids) + len(loaded)
    # Nothing the links pointed at was read or kept anywhere in the warehouse.
    secret = (tmp_path / "outside" / "passwd").read_bytes()
    assert not any(secret in p.read_bytes() for p in settings.warehouse.rglob("*")
                   if p.is_file() and not p.is_symlink() and p.stat().st_size < 1 << 26)


@pytest.mark.functional
def test_bad_files_on_an_empty_warehouse_are_judged_in_publication_order(
        settings: Settings, samples_dir: Path, tmp_path: Path) -> None:
    """The first night of a new warehouse gets the samples and the whole bad corpus at
    once. Releases are ingested in publication order, each gated against the vintages
    published before it: every sample loads (none is judged against a bad case published
    later), and every case ends as outcomes.yml says."""
    samples = [s for s in sorted(samples_dir.glob("*.*"))
               if not s.name.endswith((SIDECAR_SUFFIX, ".py"))]
    for sample in samples:
        shutil.copy2(sample, settings.landing / sample.name)
        shutil.copy2(sidecar_path(sample), sidecar_path(settings.landing / sample.name))
    drop_corpus(settings.landing)
    make_generated_cases(settings.landing, tmp_path / "outside")

    candidates = discover(settings)
    dates = [c.published_on for c in candidates if c.published_on]
    assert dates == sorted(dates) and len(dates) > len(samples)
    outcomes = night(settings)

    assert {s.name: outcomes[s.name].status for s in samples} \
        == {s.name: "loaded" for s in samples}
    assert not_as_expected(outcomes) == {}
