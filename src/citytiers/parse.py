"""Parse: one release file -> its metadata and staged tables, whatever the format."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from citytiers.adapters import adapter_for
from citytiers.adapters.cells import register_table
from citytiers.dictionary import Dictionary
from citytiers.errors import ReleaseError
from citytiers.metadata import ReleaseMetadata, read_sidecar, resolve_metadata
from citytiers.staging import Staging

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedRelease:
    """A release parsed into ``staging``: ``observations`` and the reference tables named
    in ``table_names``."""

    file_format: str
    kind: str  # 'data' | 'reference', as the adapter declares
    metadata: ReleaseMetadata
    staging: Staging
    notes: list[str]
    table_names: list[str]

    @property
    def observation_count(self) -> int:
        return self.staging.count("observations")

    @property
    def observations(self) -> pd.DataFrame:
        """For tests and small releases (see :class:`~citytiers.adapters.base.ParseResult`)."""
        return self.staging.frame("observations").drop(columns=["observation_seq"])

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: self.staging.frame(name) for name in self.table_names}


def assign_basis(staging: Staging, meta: ReleaseMetadata, dictionary: Dictionary) -> None:
    """Name the measurement basis of every figure (城区 by census vs by yearbook differ
    wildly): what the adapter read, else the sidecar's ``basis: {indicator: basis}``,
    else the indicator's ``default_basis`` from seeds/indicators.csv."""
    declared = getattr(meta, "basis", None) or {}
    if not isinstance(declared, dict):
        raise ReleaseError(meta.title, "sidecar field basis must map indicator codes to bases, "
                                       "e.g. basis: {population_urban_area: census_chengqu}")
    codes = sorted(dictionary.indicators)
    register_table(staging.con, "basis_defaults",
                   {"indicator_code": codes,
                    "basis": [declared.get(c, dictionary.indicators[c].default_basis)
                              for c in codes]},
                   {"indicator_code": pa.string(), "basis": pa.string()})
    staging.con.execute("""update observations set basis = d.basis from basis_defaults d
        where observations.basis is null and d.indicator_code = observations.indicator_code""")


def parse_release(path: Path, dictionary: Dictionary,
                  staging: Staging | None = None) -> ParsedRelease:
    """Pick the adapter, resolve metadata, stage the tables (in ``staging``, else a new
    in-memory one); raise ReleaseError naming the cell."""
    adapter = adapter_for(path, read_sidecar(path).get("format"), dictionary)
    meta = resolve_metadata(path, adapter.sniff_title(path))
    result = adapter.parse(path, meta, staging)
    for note in result.notes:
        log.warning("%s: %s", path.name, note)
    assign_basis(result.staging, meta, dictionary)
    return ParsedRelease(adapter.format_name, adapter.kind, meta, result.staging,
                         result.notes, result.table_names)
