"""Parse: one release file -> its metadata and staged tables, whatever the format."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from citytiers import findings
from citytiers.discover.metadata import ReleaseMetadata, read_sidecar, resolve_metadata
from citytiers.errors import ReleaseError
from citytiers.findings import Finding
from citytiers.parse.buffer import Staging
from citytiers.parse.layouts import adapter_for
from citytiers.parse.normalize.code_resolution import resolve_retired_codes
from citytiers.parse.normalize.dictionary import Dictionary
from citytiers.parse.read.formulas import check_formulas

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
    # Loaded, but a steward should know: formula cells read as their stored values.
    warnings: list[str] = field(default_factory=list)
    # Row-level warnings (citytiers.findings), also staged as ``release_findings``.
    findings: list[Finding] = field(default_factory=list)

    @property
    def observation_count(self) -> int:
        return self.staging.count("observations")

    @property
    def observations(self) -> pd.DataFrame:
        """For tests and small releases (see :class:`~citytiers.parse.layouts.base.ParseResult`)."""
        return self.staging.frame("observations").drop(columns=["observation_seq"])

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: self.staging.frame(name) for name in self.table_names}


def basis_defaults(meta: ReleaseMetadata, dictionary: Dictionary) -> dict[str, str]:
    """The measurement basis of every figure whose cell names none (城区 by census vs by
    yearbook differ wildly): the sidecar's ``basis: {indicator: basis}``, else the
    indicator's ``default_basis`` from seeds/indicators.csv."""
    declared = getattr(meta, "basis", None) or {}
    if not isinstance(declared, dict):
        raise ReleaseError(meta.title, "sidecar field basis must map indicator codes to bases, "
                                       "e.g. basis: {population_urban_area: census_chengqu}")
    return {code: declared.get(code, indicator.default_basis)
            for code, indicator in dictionary.indicators.items()}


def parse_release(path: Path, dictionary: Dictionary,
                  staging: Staging | None = None) -> ParsedRelease:
    """Pick the adapter, resolve metadata, stage the tables (in ``staging``, else a new
    in-memory one); raise ReleaseError naming the cell."""
    adapter = adapter_for(path, read_sidecar(path).get("format"), dictionary)
    # Formulas are never evaluated: one without a stored value, or a DDE/command formula,
    # refuses the release before anything of it is read (citytiers.parse.read.formulas).
    warnings = check_formulas(path)
    meta = resolve_metadata(path, adapter.sniff_title(path))
    staging = staging if staging is not None else Staging()
    staging.basis_defaults = basis_defaults(meta, dictionary)
    result = adapter.parse(path, meta, staging)
    for note in result.notes:
        log.warning("%s: %s", path.name, note)
    # Before any gate: a retired code printed for a later year is re-coded to its one
    # successor of the same place, with a warning per row
    # (citytiers.parse.normalize.code_resolution).
    found: list[Finding] = []
    if "observations" in staging.tables:
        found = resolve_retired_codes(staging.con, dictionary)
    findings.put(staging.con, found)
    return ParsedRelease(adapter.format_name, adapter.kind, meta, result.staging,
                         result.notes, result.table_names, warnings, found)
