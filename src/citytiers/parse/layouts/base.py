"""What every format adapter shares: the hooks, the result type, cell-level helpers.

An adapter turns one release file into staged tables (:mod:`citytiers.parse.buffer`): data
releases into ``observations`` (columns ``OBSERVATION_COLUMNS``, lineage to the cell),
built by :func:`citytiers.parse.layouts.cells.build_observations` from the adapter's long
*cells*; reference releases into their own tables (code lists, change events). Subclasses
implement :meth:`BaseAdapter.stage` and, where the file can say something about itself,
:meth:`BaseAdapter.sniff_title`; grids come from :mod:`citytiers.parse.read.grids`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pandas as pd
from openpyxl.utils import get_column_letter

from citytiers.discover.metadata import ReleaseMetadata
from citytiers.parse.buffer import Staging
from citytiers.parse.layouts.cells import (
    OBSERVATION_COLUMNS,
    PLACEHOLDERS,
    PRINTED_NUMBER,
    empty_observations,
)
from citytiers.parse.normalize.dictionary import Dictionary
from citytiers.parse.read.grids import (
    CSV_ENCODINGS,
    XLSX_SUFFIXES,
    Grid,
    cell_text,
    read_csv_rows,
    read_csv_text,
    read_grids,
)

__all__ = ["CSV_ENCODINGS", "OBSERVATION_COLUMNS", "PLACEHOLDERS", "XLSX_SUFFIXES",
           "BaseAdapter", "Grid", "ParseResult", "Staged", "cell_text", "column_letter",
           "parse_number", "read_csv_rows", "read_csv_text", "read_grids", "to_base_unit"]

_NUMBER = __import__("re").compile(f"^{PRINTED_NUMBER}$")


@dataclass
class Staged:
    """What :meth:`BaseAdapter.stage` returns: notes on what was noticed but not loaded
    (skipped sheets, unlisted columns), and the rows of reference tables (raw table name
    without schema -> rows; small tables built in Python, each with its own GX suite
    ``raw_<table>``). Observations are already in the staging database."""

    notes: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass
class ParseResult:
    """A parsed release: its tables in ``staging`` plus the adapter's notes."""

    staging: Staging
    notes: list[str] = field(default_factory=list)
    table_names: list[str] = field(default_factory=list)  # reference tables staged

    @property
    def observation_count(self) -> int:
        return self.staging.count("observations")

    @property
    def observations(self) -> pd.DataFrame:
        """The staged observations as a DataFrame (without ``observation_seq``): for tests
        and small releases; the pipeline validates and loads them where they are."""
        return self.staging.frame("observations")[list(OBSERVATION_COLUMNS)]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: self.staging.frame(name) for name in self.table_names}


def column_letter(col_index: int) -> str:
    """0 -> 'A', 26 -> 'AA' (the spreadsheet's own column names, for lineage)."""
    return get_column_letter(col_index + 1)


def parse_number(text: str) -> float | None:
    """``'1,234.5'`` -> 1234.5; placeholders -> None; anything else raises ValueError.
    One cell at a time, for the few per-row figures an adapter needs itself (a census
    yearbook's totals); figures to load go through the bulk path in ``cells``."""
    folded = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if text.strip() in PLACEHOLDERS or folded in PLACEHOLDERS:
        return None
    if not _NUMBER.match(folded):
        raise ValueError(f"not a number: {text!r}")
    return float(folded)


def to_base_unit(number: float, factor: float) -> float:
    """``number`` x ``factor`` in decimal arithmetic: 282.22 万人 is 2822200 persons, not
    the 2822200.0000000005 binary floating point would give."""
    return float(Decimal(repr(number)) * Decimal(repr(factor)))


class BaseAdapter:
    """A format adapter. ``format_name`` is what a sidecar's ``format:`` names."""

    format_name: ClassVar[str]
    # "data" releases hold figures (raw.observations); "reference" releases describe the
    # administrative divisions (code lists, change events) and load before data releases,
    # whose printed names are resolved against them.
    kind: ClassVar[str] = "data"

    def __init__(self, dictionary: Dictionary) -> None:
        self.dictionary = dictionary

    def sniff_title(self, path: Path) -> str | None:
        """The file's own title (a title row), used to infer missing metadata."""
        return None

    def parse(self, path: Path, metadata: ReleaseMetadata,
              staging: Staging | None = None) -> ParseResult:
        """Stage ``path``'s tables in ``staging`` (a new in-memory one when None); raise
        :class:`~citytiers.errors.ReleaseError` naming the cell."""
        staging = staging if staging is not None else Staging()
        staged = self.stage(path, metadata, staging)
        for name, frame in staged.tables.items():
            staging.put(name, frame)
        if "observations" not in staging.tables:
            empty_observations(staging)
        return ParseResult(staging, staged.notes, list(staged.tables))

    def stage(self, path: Path, metadata: ReleaseMetadata, staging: Staging) -> Staged:
        """The format's own work: write ``observations`` into ``staging`` (data releases)
        or return reference tables; raise ReleaseError naming the cell."""
        raise NotImplementedError
