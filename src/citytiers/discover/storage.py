"""Archive and quarantine: where an original file is kept after it was processed.

Layout: ``archive/<publisher>/<edition_year>/<sha256><ext>`` (content-addressed, so the
same release archived twice is one file) and ``quarantine/<sha256[:12]>__<file name>``
with ``<that>.reason.txt`` beside it. Files found in ``landing/`` are moved; files from
an extra source folder (read-only data, the bundled samples) are copied and left alone.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from citytiers.discover.metadata import (
    ReleaseMetadata,
    find_sidecar,
    is_regular_file,
    read_sidecar,
    sidecar_path,
)
from citytiers.settings import Settings

UNSAFE_PATH_CHARS = re.compile(r"[^\w.\-]+")


def _safe(part: str) -> str:
    return UNSAFE_PATH_CHARS.sub("_", part).strip("_") or "unknown"


def _place(source: Path, target: Path, *, move: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".partial")
    shutil.copy2(source, temporary)
    temporary.replace(target)  # atomic: a crash never leaves half a file under its name
    if move:
        source.unlink()


def _keep(settings: Settings, source: Path, target: Path) -> Path:
    """Put ``source`` (and its sidecar) at ``target``; remove them from landing/."""
    from_landing = source.parent.resolve() == settings.landing.resolve()
    sidecar = find_sidecar(source)
    if sidecar is not None and not is_regular_file(sidecar):
        # A linked sidecar is never read or copied; the link is taken out of landing/.
        if from_landing:
            sidecar.unlink()
    elif sidecar is not None and sidecar.parent == source.parent:
        _place(sidecar, sidecar_path(target), move=from_landing)
    elif sidecar is not None:
        # Metadata shipped in known_releases/ (a sidecar or a manifest entry): keep what
        # applied to this file beside its archived copy.
        target.parent.mkdir(parents=True, exist_ok=True)
        sidecar_path(target).write_text(
            yaml.safe_dump(read_sidecar(source), allow_unicode=True, sort_keys=False),
            encoding="utf-8")
    _place(source, target, move=from_landing)
    return target


def archive(settings: Settings, source: Path, release_id: str, meta: ReleaseMetadata) -> Path:
    target = (settings.archive / _safe(meta.publisher) / str(meta.edition_year)
              / f"{release_id}{source.suffix.lower()}")
    return _keep(settings, source, target)


# quarantine/<first 12 characters of the release id>__<the name it arrived under>
QUARANTINE_SEPARATOR = "__"


def arrived_as(kept: Path) -> str:
    """The name a release kept in quarantine/ arrived under (:func:`quarantine`)."""
    return kept.name.split(QUARANTINE_SEPARATOR, 1)[-1]


def quarantine(settings: Settings, source: Path, release_id: str, reason: str, *,
               keep_file: bool = True) -> Path:
    """Keep ``source`` in quarantine/ with its reason; ``keep_file`` False records only
    the reason (a file too large to copy stays where it was found)."""
    target = settings.quarantine / f"{release_id[:12]}{QUARANTINE_SEPARATOR}{source.name}"
    kept = _keep(settings, source, target) if keep_file and source.exists() else target
    kept.with_name(kept.name + ".reason.txt").write_text(
        f"Release {source.name} (sha256 {release_id}) was quarantined; nothing of it was "
        f"loaded.\n\nReason:\n{reason}\n\nFix the file or its .release.yml sidecar and drop "
        "both into warehouse/landing/ again.\n", encoding="utf-8")
    return kept
