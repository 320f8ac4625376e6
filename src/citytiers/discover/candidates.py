"""Discover: which files in the source folders are releases not yet processed.

A release is identified by the sha256 of its bytes, so discovery must know the hash of
every source file, every night. Re-reading them all (hundreds of MB with the real reference
data) is what made a night with nothing new slow; :class:`SourceCache` remembers each
file's hash with its size and mtime (``Settings.source_cache``) and reads a file again only
when one of those changed, or when its hash is older than
:data:`citytiers.settings.REHASH_AFTER_DAYS`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from citytiers.database import connect, has_table
from citytiers.discover.metadata import file_sha256, find_sidecar, is_regular_file, read_sidecar
from citytiers.discover.storage import arrived_as
from citytiers.load.release_states import acceptances
from citytiers.parse.layouts import DATA_SUFFIXES, release_kind
from citytiers.settings import REHASH_AFTER_DAYS, Settings

log = logging.getLogger(__name__)

# A file modified this close to the moment it was hashed may still change within the same
# mtime tick (filesystems with 1-2 s timestamps, a copy still being written) and keep its
# size: its hash is used this once but not cached (git calls such index entries "racy").
RACY_WINDOW_NS = 2_000_000_000
CACHE_FIELDS = {"size": int, "mtime_ns": int, "sha256": str, "hashed_at": str}


@dataclass(frozen=True)
class Candidate:
    """A data file that may be a new release. ``release_id`` is its sha256; ``kind`` is
    ``reference`` (code lists, change events: loaded first) or ``data``, as the release's
    adapter declares; ``published_on`` (ISO date) is its sidecar's, when it has a readable
    one: releases are ingested in publication order, so each is gated against the vintages
    published before it, whatever order the files were dropped in."""

    path: str
    release_id: str
    sidecar_sha256: str | None
    kind: str = "data"
    published_on: str | None = None
    # The name the release arrived under, when ``path`` is the warehouse's own copy (an
    # accepted release loaded from quarantine/, stored as ``<id prefix>__<name>``).
    file_name: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


def _valid_entry(entry: Any) -> bool:
    return (isinstance(entry, dict)
            and all(isinstance(entry.get(name), kind) for name, kind in CACHE_FIELDS.items())
            and len(entry["sha256"]) == 64)


class SourceCache:
    """sha256 of source files, re-read only when needed.

    The cache file maps a file's resolved path to ``{size, mtime_ns, sha256, hashed_at}``
    (``hashed_at``: ISO 8601, UTC). A file whose size and mtime_ns equal its entry's is not
    read, unless the entry is older than ``rehash_after_days``; any other file is hashed and
    its entry replaced. A missing, unreadable or corrupt cache file is logged and treated as
    empty (so every file is hashed once more); :meth:`save` replaces it atomically.
    """

    def __init__(self, path: Path, rehash_after_days: float = REHASH_AFTER_DAYS) -> None:
        self.path = path
        self.max_age = dt.timedelta(days=rehash_after_days)
        self._changed = False  # entries differ from the file: save() writes it
        self.entries = self._load()
        self.seen: set[str] = set()
        self.hashed: list[str] = []  # resolved paths read this time, in order

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:  # ValueError: bad JSON or bad UTF-8
            log.warning("source cache %s is unreadable (%s); rebuilding it", self.path, exc)
            self._changed = True
            return {}
        if not isinstance(loaded, dict):
            log.warning("source cache %s is not a mapping; rebuilding it", self.path)
            self._changed = True
            return {}
        entries = {key: entry for key, entry in loaded.items() if _valid_entry(entry)}
        if len(entries) < len(loaded):
            log.warning("source cache %s: ignoring %d malformed entr(ies)", self.path,
                        len(loaded) - len(entries))
            self._changed = True
        return entries

    def _fresh(self, entry: dict[str, Any], now: dt.datetime) -> bool:
        try:
            hashed_at = dt.datetime.fromisoformat(entry["hashed_at"])
        except ValueError:
            return False
        if hashed_at.tzinfo is None:
            return False
        return dt.timedelta(0) <= now - hashed_at < self.max_age  # a future date: re-hash

    def sha256(self, path: Path) -> str:
        """The file's sha256, from the cache when its size and mtime are unchanged."""
        key = str(path.resolve())
        self.seen.add(key)
        before = os.stat(key)
        now = dt.datetime.now(dt.UTC)
        entry = self.entries.get(key)
        if (entry is not None and entry["size"] == before.st_size
                and entry["mtime_ns"] == before.st_mtime_ns and self._fresh(entry, now)):
            return entry["sha256"]
        digest = file_sha256(Path(key))
        self.hashed.append(key)
        after = os.stat(key)
        unchanged = (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        if unchanged and time.time_ns() - after.st_mtime_ns >= RACY_WINDOW_NS:
            self.entries[key] = {"size": after.st_size, "mtime_ns": after.st_mtime_ns,
                                 "sha256": digest,
                                 "hashed_at": now.isoformat(timespec="seconds")}
            self._changed = True
        elif self.entries.pop(key, None) is not None:
            self._changed = True
        return digest

    def _prune(self) -> None:
        """Forget files not looked at this time that are gone or due for a re-hash anyway
        (a landing file moves to the archive once loaded; a folder may stop being read)."""
        now = dt.datetime.now(dt.UTC)
        for key in [k for k in self.entries if k not in self.seen]:
            if not self._fresh(self.entries[key], now) or not os.path.exists(key):
                del self.entries[key]
                self._changed = True

    def save(self) -> None:
        """Write the cache atomically (a temporary file, then ``os.replace``); a failure is
        logged, not raised: the hashes just computed are right either way."""
        self._prune()
        if not self._changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.",
                                                 suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(self.entries, out, indent=1, sort_keys=True)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("could not write the source cache %s: %s", self.path, exc)
            return
        self._changed = False


def data_files(folder: Path) -> list[Path]:
    """Release data files in ``folder`` (not recursive), sorted for a stable order; a
    single file when ``folder`` names one (to pick files out of a folder of mixed data)."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  # Links and special files (a FIFO) are listed too, to be refused on the
                  # record (never read); only folders are not entries of a source folder.
                  if (p.is_symlink() or not p.is_dir()) and p.suffix.lower() in DATA_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def unread_release_id(path: Path) -> str:
    """The id of a file that is not read (a link, a special file): from its path, so the
    refusal is recorded once, not every night."""
    return hashlib.sha256(f"not a regular file: {path.absolute()}".encode()).hexdigest()


def already_processed(settings: Settings) -> tuple[set[str], set[tuple[str, str | None]]]:
    """Release ids loaded, and (release id, sidecar hash) pairs quarantined, so far."""
    if not settings.build_db.exists():
        return set(), set()
    with connect(settings.build_db) as connection:
        if not has_table(connection, "raw", "releases"):
            return set(), set()
        rows = connection.execute(
            "select release_id, sidecar_sha256, status from raw.releases").fetchall()
    loaded = {r[0] for r in rows if r[2] == "loaded"}
    quarantined = {(r[0], r[1]) for r in rows if r[2] == "quarantined"}
    return loaded, quarantined


def declared_facts(path: Path, sha256: str | None = None) -> tuple[str, str | None]:
    """``(kind, published_on)``: ``kind`` is ``reference`` or ``data``, the declaration of
    the adapter that the sidecar's ``format`` names, else of the one the file's content
    fits; ``published_on`` is the sidecar's, as an ISO date, or None. Never raises: a broken
    sidecar or unreadable file counts as undeclared here and is reported when the release
    is ingested. ``sha256``: the file's hash when known (saves re-reading it)."""
    try:
        sidecar = read_sidecar(path, sha256)
    except Exception as exc:  # whatever it is, ingest reports it with the release
        log.info("%s: sidecar not readable at discovery (%s); detecting its format",
                 path.name, exc)
        sidecar = {}
    declared = sidecar.get("format")
    published = sidecar.get("published_on")
    published_on = (published.isoformat() if isinstance(published, dt.date)
                    else published if isinstance(published, str) else None)
    try:
        kind = release_kind(path, declared if isinstance(declared, str) else None)
    except Exception as exc:  # the same: classification is never fatal
        log.info("%s: format not detectable at discovery (%s); treated as data",
                 path.name, exc)
        kind = "data"
    return kind, published_on


def publication_order(candidate: Candidate) -> tuple[str, str]:
    """Earliest publication first; a release without a readable date last (its ingest
    reports why), then by path, for a stable order."""
    return (candidate.published_on or "9999-12-31", candidate.path)


def _sidecar_sha256(cache: SourceCache, path: Path, release_id: str) -> str | None:
    """The hash of ``path``'s sidecar (None: it has none). A sidecar that is a link is
    never read, not even to hash it (its refusal is reported when the release is
    ingested)."""
    sidecar = find_sidecar(path, release_id)
    if sidecar is None:
        return None
    return cache.sha256(sidecar) if is_regular_file(sidecar) else unread_release_id(sidecar)


def _accepted_copies(accepted: dict[str, tuple[Any, str | None]], seen: set[str],
                     cache: SourceCache) -> list[Candidate]:
    """The warehouse's own copy (quarantine/) of each accepted release no source folder
    holds any more: the night after its acceptance loads it from there."""
    copies = []
    for release_id, (_, stored) in sorted(accepted.items()):
        path = Path(stored) if stored else None
        if release_id in seen or path is None or not is_regular_file(path):
            continue
        seen.add(release_id)
        copies.append(Candidate(str(path.resolve()), release_id,
                                _sidecar_sha256(cache, path, release_id),
                                *declared_facts(path, release_id),
                                file_name=arrived_as(path)))
    return copies


def discover(settings: Settings, extra_dirs: list[Path] | None = None, *,
             include_landing: bool = True) -> list[Candidate]:
    """New releases in ``landing/`` (unless ``include_landing`` is False: ``citytiers
    load PATH`` reads exactly its paths) and ``extra_dirs``: content not loaded yet, and not
    quarantined before with the same sidecar (fixing the sidecar retries a release).

    Hashes come from :class:`SourceCache`: an unchanged file is not read again, and for a
    file already loaded not even its sidecar is looked up."""
    loaded, quarantined = already_processed(settings)
    # Releases a steward accepted after the gates refused them (citytiers releases accept).
    accepted = acceptances(settings.build_db)
    cache = SourceCache(settings.source_cache)
    seen: set[str] = set()
    candidates: list[Candidate] = []
    try:
        folders = [settings.landing] if include_landing else []
        for folder in [*folders, *(extra_dirs or [])]:
            for path in data_files(folder):
                if not is_regular_file(path):
                    release_id = unread_release_id(path)
                    if release_id not in seen and (release_id, None) not in quarantined:
                        seen.add(release_id)
                        candidates.append(Candidate(str(path.absolute()), release_id, None))
                    continue
                release_id = cache.sha256(path)
                if release_id in loaded or release_id in seen:
                    continue
                sidecar_sha = _sidecar_sha256(cache, path, release_id)
                if (release_id, sidecar_sha) in quarantined and release_id not in accepted:
                    continue
                seen.add(release_id)
                candidates.append(Candidate(str(path.resolve()), release_id, sidecar_sha,
                                            *declared_facts(path, release_id)))
        if include_landing:
            candidates += _accepted_copies(accepted, seen, cache)
    finally:
        cache.save()
    log.info("discover: %d file(s) and sidecar(s), %d read and hashed, the rest from the "
             "source cache; %d candidate(s)", len(cache.seen), len(cache.hashed),
             len(candidates))
    return sorted(candidates, key=publication_order)
