"""Parse: one release file -> its metadata and tidy observations, whatever the format."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from citytiers.adapters import adapter_for
from citytiers.dictionary import Dictionary
from citytiers.errors import ReleaseError
from citytiers.metadata import ReleaseMetadata, read_sidecar, resolve_metadata

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedRelease:
    file_format: str
    metadata: ReleaseMetadata
    observations: pd.DataFrame
    notes: list[str]
    tables: dict[str, pd.DataFrame]


def assign_basis(frame: pd.DataFrame, meta: ReleaseMetadata,
                 dictionary: Dictionary) -> pd.DataFrame:
    """Name the measurement basis of every figure (城区 by census vs by yearbook differ
    wildly): what the adapter read, else the sidecar's ``basis: {indicator: basis}``,
    else the indicator's ``default_basis`` from seeds/indicators.csv."""
    declared = getattr(meta, "basis", None) or {}
    if not isinstance(declared, dict):
        raise ReleaseError(meta.title, "sidecar field basis must map indicator codes to bases, "
                                       "e.g. basis: {population_urban_area: census_chengqu}")
    defaults = {code: declared.get(code, ind.default_basis)
                for code, ind in dictionary.indicators.items()}
    frame = frame.copy()
    frame["basis"] = frame["basis"].where(frame["basis"].notna(),
                                          frame["indicator_code"].map(defaults))
    return frame


def parse_release(path: Path, dictionary: Dictionary) -> ParsedRelease:
    """Pick the adapter, resolve metadata, parse; raise ReleaseError naming the cell."""
    adapter = adapter_for(path, read_sidecar(path).get("format"), dictionary)
    meta = resolve_metadata(path, adapter.sniff_title(path))
    result = adapter.parse(path, meta)
    for note in result.notes:
        log.warning("%s: %s", path.name, note)
    observations = assign_basis(result.observations, meta, dictionary)
    return ParsedRelease(adapter.format_name, meta, observations, result.notes, result.tables)
