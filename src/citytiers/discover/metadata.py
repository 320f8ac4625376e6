"""Release metadata: the ``<file>.release.yml`` sidecar, completed from the file itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from citytiers.errors import MetadataMissingError, ReleaseError

SIDECAR_SUFFIX = ".release.yml"
# Sidecars for well-known public files that users keep outside the repository.
KNOWN_RELEASES_DIR = Path(__file__).resolve().parent / "known_releases"
MANIFEST_SUFFIX = ".manifest.yml"
REQUIRED_FIELDS = ("publisher", "title", "edition_year", "data_years", "published_on")
# What a sidecar field holds when it is left empty (``title:``, ``title: ""``, ``[]``).
BLANK = (None, "", [])
# "中国城市统计年鉴2021", "yearbook_2021", "年鉴-2021": the edition printed in a file name.
EDITION_IN_FILE_NAME = re.compile(r"(?:年鉴|年鑑|yearbook)[_\-\s]*((?:19|20)\d{2})", re.IGNORECASE)
# "（2021年）" / "(2021年)" in a title row: the data year of a yearbook table.
DATA_YEAR_IN_TITLE = re.compile(r"[（(]\s*((?:19|20)\d{2})\s*年\s*[)）]")


class ReleaseMetadata(BaseModel):
    """What a release is: who published it, when, and which data years it holds."""

    model_config = ConfigDict(extra="allow")

    publisher: str
    title: str
    edition_year: int
    data_years: list[int] = Field(min_length=1)
    published_on: dt.date
    source_url: str | None = None
    license: str | None = None
    format: str | None = None
    is_synthetic: bool = False
    # yearbook | communique | preliminary | census_revision: decides a same-day tie
    # (citytiers.release_order); left out, the file format's kind.
    release_kind: str | None = None

    @field_validator("data_years")
    @classmethod
    def _plausible_years(cls, years: list[int]) -> list[int]:
        from citytiers.validate.suites import first_plausible_year

        first = first_plausible_year()
        for year in years:
            if not first <= year <= dt.date.today().year:
                raise ValueError(f"data year {year} is outside {first}..{dt.date.today().year}")
        return sorted(set(years))


def sidecar_path(data_file: Path) -> Path:
    """``report.xlsx`` -> ``report.xlsx.release.yml``."""
    return data_file.with_name(data_file.name + SIDECAR_SUFFIX)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# A sidecar is a few hundred bytes; the manifest of the 44 yearly code lists is ~5 KB.
MAX_SIDECAR_BYTES = 64 * 1024


class _SidecarLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses anchors and aliases: a 388-byte sidecar of nested
    aliases ("billion laughs") would otherwise expand to gigabytes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed in a sidecar",
                event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed in a sidecar",
                event.start_mark)
        return super().compose_node(parent, index)


def is_regular_file(path: Path) -> bool:
    """A plain file in its own right: not a symbolic link (which could point anywhere,
    /etc/passwd included), not a device or FIFO. Source folders are untrusted; nothing
    else in them is ever opened."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _load_yaml_mapping(path: Path) -> dict[str, Any]:
    if not is_regular_file(path):
        raise ReleaseError(path, "sidecar is a symbolic link or a special file; it was not "
                                 "read. Put the sidecar itself beside the data file.")
    size = path.stat().st_size
    if size > MAX_SIDECAR_BYTES:
        raise ReleaseError(path, f"sidecar is {size:,} bytes, more than a sidecar can be "
                                 f"({MAX_SIDECAR_BYTES:,}); it was not read")
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_SidecarLoader)
    except yaml.YAMLError as exc:
        raise ReleaseError(path, f"sidecar is not valid YAML: {exc}") from exc
    if not isinstance(loaded, dict):
        raise ReleaseError(path, "sidecar must be a YAML mapping of field: value")
    return loaded


def _manifest_entry(data_file: Path,
                    sha256: str | None = None) -> tuple[Path, dict[str, Any]] | None:
    """A ``known_releases/*.manifest.yml`` listing this exact file (name and sha256) among a
    series (e.g. 44 yearly code lists): its ``template`` with ``{stem}`` filled in.
    ``sha256``: the file's hash when the caller knows it (else it is computed if needed)."""
    digest: str | None = sha256
    for manifest in sorted(KNOWN_RELEASES_DIR.glob("*" + MANIFEST_SUFFIX)):
        spec = _load_yaml_mapping(manifest)
        pinned = (spec.get("files") or {}).get(data_file.name)
        if pinned is None:
            continue
        digest = digest or file_sha256(data_file)
        if pinned == digest:
            template = spec.get("template") or {}
            # The same bytes listed under several names (a code list unchanged from one
            # year-end to the next: areacodes 2007/2008, 2021/2022) are ONE release (its id
            # is its sha256): it holds the data years of all those names and takes its other
            # fields from the last of them, whichever name was found.
            filled = [{key: value.format(stem=Path(name).stem) if isinstance(value, str)
                       else value for key, value in template.items()}
                      for name, sha in spec["files"].items() if sha == digest]
            entry = dict(filled[-1])
            years = [year for one in filled
                     for year in (one["data_years"] if "data_years" in one
                                  else [one["data_year"]] if "data_year" in one else [])]
            if len(filled) > 1 and years:
                entry.pop("data_year", None)
                entry["data_years"] = years
            return manifest, entry
    return None


def find_sidecar(data_file: Path, sha256: str | None = None) -> Path | None:
    """The sidecar beside the file; else one shipped in ``known_releases/`` for a public
    file kept outside the repository (read-only data we may not copy), which applies only
    when its ``sha256:`` is the file's (a new version of that file needs its own sidecar);
    else a manifest there that lists the file with its sha256.

    ``sha256``: the data file's hash when the caller already knows it (discovery does);
    without it the file is hashed when a ``known_releases/`` entry must be checked."""
    beside = sidecar_path(data_file)
    if os.path.lexists(beside):  # a link too (refused when read), never looked through
        return beside
    known = KNOWN_RELEASES_DIR / beside.name
    if known.exists() and _load_yaml_mapping(known).get("sha256") == (
            sha256 or file_sha256(data_file)):
        return known
    entry = _manifest_entry(data_file, sha256)
    return entry[0] if entry else None


def read_sidecar(data_file: Path, sha256: str | None = None) -> dict[str, Any]:
    """The sidecar's mapping, or ``{}`` when there is none. ``sha256``: as for
    :func:`find_sidecar` (the data file's hash, when known)."""
    path = find_sidecar(data_file, sha256)
    if path is None:
        return {}
    if path.name.endswith(MANIFEST_SUFFIX):
        entry = _manifest_entry(data_file, sha256)
        assert entry is not None
        loaded = dict(entry[1])
    else:
        loaded = _load_yaml_mapping(path)
    pinned = loaded.pop("sha256", None)
    if pinned:
        actual = sha256 or file_sha256(data_file)
        if pinned != actual:
            raise ReleaseError(path, f"sidecar pins sha256 {pinned}, but {data_file.name} "
                                     f"has {actual}: it describes another version")
    if "data_year" in loaded and "data_years" not in loaded:
        year = loaded.pop("data_year")
        loaded["data_years"] = [] if year in (None, "") else [year]
    return loaded


def infer_from_file(data_file: Path, title_text: str | None) -> dict[str, Any]:
    """What the file says about itself: a title row, an edition in its name."""
    inferred: dict[str, Any] = {}
    if title_text:
        inferred["title"] = title_text.strip()
        if match := DATA_YEAR_IN_TITLE.search(title_text):
            inferred["data_years"] = [int(match.group(1))]
    if match := EDITION_IN_FILE_NAME.search(data_file.name):
        inferred["edition_year"] = int(match.group(1))
    return inferred


def resolve_metadata(data_file: Path, title_text: str | None = None) -> ReleaseMetadata:
    """Sidecar fields win; the file fills gaps (a blank sidecar field such as ``title:`` is
    a gap too); anything still missing is a terminal error."""
    merged = read_sidecar(data_file)
    for name, value in infer_from_file(data_file, title_text).items():
        if merged.get(name) in BLANK:
            merged[name] = value
    missing = [f for f in REQUIRED_FIELDS if merged.get(f) in BLANK]
    if missing:
        raise MetadataMissingError(data_file, missing)
    try:
        return ReleaseMetadata.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ReleaseError(sidecar_path(data_file),
                           f"invalid release metadata: {problems}") from exc
