"""Discover: which files in the source folders are releases not yet processed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from citytiers.adapters import DATA_SUFFIXES
from citytiers.database import connect
from citytiers.errors import CitytiersError
from citytiers.metadata import file_sha256, find_sidecar, read_sidecar
from citytiers.settings import Settings


@dataclass(frozen=True)
class Candidate:
    """A data file that may be a new release. ``release_id`` is its sha256."""

    path: str
    release_id: str
    sidecar_sha256: str | None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)




def data_files(folder: Path) -> list[Path]:
    """Release data files in ``folder`` (not recursive), sorted for a stable order; a
    single file when ``folder`` names one (to pick files out of a folder of mixed data)."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def already_processed(settings: Settings) -> tuple[set[str], set[tuple[str, str | None]]]:
    """Release ids loaded, and (release id, sidecar hash) pairs quarantined, so far."""
    if not settings.build_db.exists():
        return set(), set()
    with connect(settings.build_db) as connection:
        exists = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'releases'").fetchall()[0]
        if not exists or not exists[0]:
            return set(), set()
        rows = connection.execute(
            "select release_id, sidecar_sha256, status from raw.releases").fetchall()
    loaded = {r[0] for r in rows if r[2] == "loaded"}
    quarantined = {(r[0], r[1]) for r in rows if r[2] == "quarantined"}
    return loaded, quarantined


def discover(settings: Settings, extra_dirs: list[Path] | None = None) -> list[Candidate]:
    """New releases in ``landing/`` and ``extra_dirs``: content not loaded yet, and not
    quarantined before with the same sidecar (fixing the sidecar retries a release)."""
    loaded, quarantined = already_processed(settings)
    seen: set[str] = set()
    candidates: list[Candidate] = []
    for folder in [settings.landing, *(extra_dirs or [])]:
        for path in data_files(folder):
            release_id = file_sha256(path)
            sidecar = find_sidecar(path)
            sidecar_sha = file_sha256(sidecar) if sidecar else None
            if release_id in loaded or (release_id, sidecar_sha) in quarantined:
                continue
            if release_id in seen:
                continue
            seen.add(release_id)
            candidates.append(Candidate(str(path.resolve()), release_id, sidecar_sha))
    return candidates


# Formats whose releases describe the administrative divisions themselves.
REFERENCE_FORMATS = frozenset({"code_list_snapshot", "code_list_records", "change_events"})


def is_reference(path: Path) -> bool:
    """A code list or change-event table (by its sidecar's format): loaded before data
    releases, whose printed names are resolved against it."""
    try:
        return read_sidecar(path).get("format") in REFERENCE_FORMATS
    except CitytiersError:
        return False  # a broken sidecar is reported when the release is ingested
