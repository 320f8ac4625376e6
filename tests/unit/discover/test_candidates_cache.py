"""Discovery's stat cache of source files, and how a release's kind is decided.

No mocks: "not re-read" is shown by changing a file's bytes while restoring its size and
mtime (``os.utime``): as long as the cached sha256 is trusted, discovery still reports the
old bytes' hash; once the entry is older than the re-hash interval, the new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from pathlib import Path

import pytest

from citytiers.discover.candidates import Candidate, SourceCache, discover
from citytiers.discover.metadata import sidecar_path
from citytiers.parse.layouts import ADAPTERS
from citytiers.settings import REHASH_AFTER_DAYS, Settings, _rehash_after_days

TIDY = "city_code,city_name,data_year,indicator,scope,value,unit\n"
# Test files get this mtime, long past: outside the "racy" window (a file modified in the
# last seconds is hashed but not cached).
PAST_NS = 1_766_534_400 * 1_000_000_000  # 2025-12-24T00:00:00Z


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(path: Path, data: bytes, mtime_ns: int = PAST_NS) -> Path:
    path.write_bytes(data)
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def replace_keeping_stat(path: Path, data: bytes) -> None:
    """New bytes of the same length, with size and mtime_ns as before."""
    before = path.stat()
    assert len(data) == before.st_size
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def release(folder: Path, name: str, data: bytes, sidecar: str | None = None) -> Path:
    path = write(folder / name, data)
    if sidecar is not None:
        write(sidecar_path(path), sidecar.encode())
    return path


def only(candidates: list[Candidate]) -> Candidate:
    assert len(candidates) == 1, candidates
    return candidates[0]


def age_cache(settings: Settings, days: float) -> None:
    """Make every cache entry ``days`` older, as if that much time had passed."""
    entries = json.loads(settings.source_cache.read_text(encoding="utf-8"))
    for entry in entries.values():
        hashed_at = dt.datetime.fromisoformat(entry["hashed_at"])
        entry["hashed_at"] = (hashed_at - dt.timedelta(days=days)).isoformat()
    settings.source_cache.write_text(json.dumps(entries), encoding="utf-8")


A = (TIDY + "320500,苏州市,2023,gdp,whole_city,1,亿元\n").encode()
B = (TIDY + "320500,苏州市,2023,gdp,whole_city,2,亿元\n").encode()  # as long as A


@pytest.mark.unit
def test_an_unchanged_file_is_not_read_again_until_the_interval_expires(
        settings: Settings) -> None:
    path = release(settings.landing, "t.csv", A, "format: tidy_csv\n")
    assert only(discover(settings)).release_id == sha(A)
    entry = json.loads(settings.source_cache.read_text(encoding="utf-8"))[str(path.resolve())]
    assert (entry["size"], entry["mtime_ns"], entry["sha256"]) == (len(A), PAST_NS, sha(A))

    replace_keeping_stat(path, B)
    assert only(discover(settings)).release_id == sha(A)  # the bytes were not read again

    age_cache(settings, REHASH_AFTER_DAYS - 1)
    assert only(discover(settings)).release_id == sha(A)  # not yet due

    age_cache(settings, 2)  # now a day past the interval
    assert only(discover(settings)).release_id == sha(B)
    entry = json.loads(settings.source_cache.read_text(encoding="utf-8"))[str(path.resolve())]
    assert entry["sha256"] == sha(B)
    assert dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(entry["hashed_at"]) \
        < dt.timedelta(minutes=5)


@pytest.mark.unit
def test_the_sidecar_hash_is_cached_the_same_way(settings: Settings) -> None:
    first, second = "format: tidy_csv\n#1\n", "format: tidy_csv\n#2\n"
    path = release(settings.landing, "t.csv", A, first)
    assert only(discover(settings)).sidecar_sha256 == sha(first.encode())
    replace_keeping_stat(sidecar_path(path), second.encode())
    assert only(discover(settings)).sidecar_sha256 == sha(first.encode())
    write(sidecar_path(path), (second + "#fixed\n").encode())  # a real edit: new size
    assert only(discover(settings)).sidecar_sha256 == sha((second + "#fixed\n").encode())


@pytest.mark.unit
def test_a_changed_size_or_mtime_is_hashed_again(settings: Settings) -> None:
    path = release(settings.landing, "t.csv", A, "format: tidy_csv\n")
    assert only(discover(settings)).release_id == sha(A)

    longer = A + "320500,苏州市,2022,gdp,whole_city,3,亿元\n".encode()
    write(path, longer)  # the same old mtime, another size
    assert only(discover(settings)).release_id == sha(longer)

    write(path, B, mtime_ns=PAST_NS + 1)  # B has A's size; only mtime_ns tells
    assert only(discover(settings)).release_id == sha(B)
    write(path, A, mtime_ns=PAST_NS + 2)
    assert only(discover(settings)).release_id == sha(A)


@pytest.mark.unit
def test_a_file_modified_just_now_is_not_trusted_to_the_cache(settings: Settings) -> None:
    path = release(settings.landing, "t.csv", A, "format: tidy_csv\n")
    now_ns = time.time_ns()
    os.utime(path, ns=(now_ns, now_ns))
    assert only(discover(settings)).release_id == sha(A)
    entries = json.loads(settings.source_cache.read_text(encoding="utf-8"))
    assert str(path.resolve()) not in entries  # its sidecar (old) is cached
    assert str(sidecar_path(path).resolve()) in entries
    replace_keeping_stat(path, B)
    assert only(discover(settings)).release_id == sha(B)


@pytest.mark.unit
@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"/x": {"size": "big"}}',
                                     "\udcff"])
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(
        settings: Settings, content: str, caplog: pytest.LogCaptureFixture) -> None:
    path = release(settings.landing, "t.csv", A, "format: tidy_csv\n")
    settings.source_cache.parent.mkdir(parents=True, exist_ok=True)
    settings.source_cache.write_bytes(content.encode("utf-8", "surrogateescape"))
    with caplog.at_level(logging.WARNING, logger="citytiers.discover.candidates"):
        assert only(discover(settings)).release_id == sha(A)
    assert "source cache" in caplog.text
    entries = json.loads(settings.source_cache.read_text(encoding="utf-8"))
    assert entries[str(path.resolve())]["sha256"] == sha(A)
    assert set(entries) == {str(path.resolve()), str(sidecar_path(path).resolve())}
    assert [p.name for p in settings.source_cache.parent.iterdir()
            if p.name.endswith(".tmp")] == []  # the temporary file was renamed, not left


@pytest.mark.unit
def test_an_unusable_cache_path_never_fails_discovery(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    release(settings.landing, "t.csv", A, "format: tidy_csv\n")
    settings.source_cache.mkdir(parents=True)  # a folder where the file should be
    with caplog.at_level(logging.WARNING, logger="citytiers.discover.candidates"):
        assert only(discover(settings)).release_id == sha(A)
        assert only(discover(settings)).release_id == sha(A)
    assert "could not write the source cache" in caplog.text


@pytest.mark.unit
def test_entries_of_files_gone_are_dropped(settings: Settings) -> None:
    kept = release(settings.landing, "kept.csv", A, "format: tidy_csv\n")
    gone = release(settings.landing, "gone.csv", B, "format: tidy_csv\n")
    assert len(discover(settings)) == 2
    gone.unlink()
    sidecar_path(gone).unlink()
    assert only(discover(settings)).release_id == sha(A)
    entries = json.loads(settings.source_cache.read_text(encoding="utf-8"))
    assert set(entries) == {str(kept.resolve()), str(sidecar_path(kept).resolve())}


@pytest.mark.unit
def test_a_zero_interval_hashes_every_time(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", A)
    warm = SourceCache(tmp_path / "cache.json")
    assert warm.sha256(path) == sha(A)
    warm.save()
    replace_keeping_stat(path, B)
    assert SourceCache(tmp_path / "cache.json").sha256(path) == sha(A)
    cold = SourceCache(tmp_path / "cache.json", rehash_after_days=0)
    assert cold.sha256(path) == sha(B)
    assert cold.hashed == [str(path.resolve())]


@pytest.mark.unit
@pytest.mark.parametrize(("value", "days"), [(None, 7.0), ("", 7.0), ("0.5", 0.5),
                                             ("30", 30.0), ("0", 0.0), ("soon", 7.0),
                                             ("-1", 7.0), ("nan", 7.0)])
def test_the_rehash_interval_comes_from_the_environment(
        monkeypatch: pytest.MonkeyPatch, value: str | None, days: float) -> None:
    if value is None:
        monkeypatch.delenv("CITYTIERS_REHASH_AFTER_DAYS", raising=False)
    else:
        monkeypatch.setenv("CITYTIERS_REHASH_AFTER_DAYS", value)
    assert _rehash_after_days() == days


@pytest.mark.unit
@pytest.mark.parametrize("format_name", sorted(ADAPTERS))
def test_a_release_is_classified_by_its_adapters_kind(settings: Settings,
                                                      format_name: str) -> None:
    release(settings.landing, "r.csv", A, f"format: {format_name}\n")
    assert only(discover(settings)).kind == ADAPTERS[format_name].kind


@pytest.mark.unit
def test_reference_and_data_releases(settings: Settings) -> None:
    kinds = {name: adapter.kind for name, adapter in ADAPTERS.items()}
    assert set(kinds.values()) == {"data", "reference"}
    release(settings.landing, "events.csv", A, "format: change_events\n")
    release(settings.landing, "tidy.csv", B, "format: tidy_csv\n")
    release(settings.landing, "2020.txt", "110000\t北京市\n".encode())
    found = {Path(c.path).name: c.kind for c in discover(settings)}
    # The .txt has no sidecar: detected as a code list snapshot, a reference release.
    assert found == {"events.csv": "reference", "tidy.csv": "data", "2020.txt": "reference"}
    assert kinds["change_events"] == "reference" and kinds["tidy_csv"] == "data"


@pytest.mark.unit
def test_a_broken_sidecar_does_not_stop_discovery(settings: Settings) -> None:
    path = release(settings.landing, "t.csv", A, "format: [tidy_csv\n")  # not YAML
    pinned = release(settings.landing, "p.csv", B,
                     f"format: change_events\nsha256: {sha(b'other bytes')}\n")
    found = {Path(c.path).name: c for c in discover(settings)}
    assert set(found) == {"t.csv", "p.csv"}
    # Undeclared: the content decides (A has the tidy header: data). Ingest reports both.
    assert found["t.csv"].kind == "data"
    assert found["t.csv"].sidecar_sha256 == sha(sidecar_path(path).read_bytes())
    assert found["p.csv"].kind == "data"  # a sidecar pinning other bytes declares nothing
    assert found["p.csv"].sidecar_sha256 == sha(sidecar_path(pinned).read_bytes())
