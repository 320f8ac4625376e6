"""What every format adapter shares: reading a file into grids of cells, and cell parsing.

An adapter turns one release file into tidy observation rows (``OBSERVATION_COLUMNS``)
with lineage to the cell. Subclasses implement :meth:`BaseAdapter.parse` and, where the
file can say something about itself, :meth:`BaseAdapter.sniff_title`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pandas as pd
from openpyxl.utils import get_column_letter

from citytiers.dictionary import Dictionary
from citytiers.errors import ReleaseError
from citytiers.metadata import ReleaseMetadata

OBSERVATION_COLUMNS = (
    "city_code", "city_name_raw", "scope", "indicator_code", "data_year", "value",
    "base_unit", "value_raw", "unit_raw", "source_sheet", "source_row", "source_column",
    "raw_header", "basis",
)
# What publishers print for "no value": blank, dashes, ellipses, slash.
PLACEHOLDERS = frozenset({"", "—", "——", "–", "-", "－", "…", "……", "...", "/", "／"})
# A printed figure: sign, digits, decimals, exponent. float() alone would also take
# "nan", "inf" and "1_000", which no publisher means as a number.
PRINTED_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
# Spreadsheet encodings seen in Chinese statistical releases, tried in this order.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})


@dataclass
class Grid:
    """One sheet (or a whole CSV) as text cells; ``rows[0]`` is spreadsheet row 1."""

    sheet: str | None
    rows: list[list[str]]

    def cell(self, row_index: int, col_index: int) -> str:
        row = self.rows[row_index]
        return row[col_index] if col_index < len(row) else ""


@dataclass
class ParseResult:
    """Observations plus what the adapter noticed but did not load (e.g. skipped sheets).

    Reference releases (code lists, change events) have no observations; their rows go to
    ``tables``: raw table name (without schema) -> rows, each table with its own GX suite
    ``raw_<table>``."""

    observations: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def column_letter(col_index: int) -> str:
    """0 -> 'A', 26 -> 'AA' (the spreadsheet's own column names, for lineage)."""
    return get_column_letter(col_index + 1)


def cell_text(value: object) -> str:
    """A cell as the publisher printed it: floats that are whole numbers lose ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_number(text: str) -> float | None:
    """``'1,234.5'`` -> 1234.5; placeholders -> None; anything else raises ValueError."""
    folded = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if text.strip() in PLACEHOLDERS or folded in PLACEHOLDERS:
        return None
    if not PRINTED_NUMBER.match(folded):
        raise ValueError(f"not a number: {text!r}")
    return float(folded)


def to_base_unit(number: float, factor: float) -> float:
    """``number`` x ``factor`` in decimal arithmetic: 282.22 万人 is 2822200 persons, not
    the 2822200.0000000005 binary floating point would give."""
    return float(Decimal(repr(number)) * Decimal(repr(factor)))


def read_csv_text(path: Path) -> str:
    """The CSV's text, in the first encoding that decodes it."""
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReleaseError(path, f"cannot decode the file as any of {', '.join(CSV_ENCODINGS)}")


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of a workbook, or the CSV as one grid."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
            return [
                Grid(sheet=name, rows=[[cell_text(v) for v in row] for row in
                                       workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)])
                for name in workbook.sheet_names
            ]
        except (CalamineError, ValueError, OSError) as exc:
            raise ReleaseError(path, f"cannot read the workbook: {exc}") from exc
    text = read_csv_text(path)
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    return [Grid(sheet=None, rows=rows)]


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

    def parse(self, path: Path, metadata: ReleaseMetadata) -> ParseResult:
        """Turn ``path`` into observations; raise :class:`ReleaseError` naming the cell."""
        raise NotImplementedError


def no_observations() -> pd.DataFrame:
    """The empty observation frame of a reference release."""
    return observations_frame([])


def observations_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Records -> a DataFrame with exactly ``OBSERVATION_COLUMNS`` in order."""
    frame = pd.DataFrame.from_records(records, columns=list(OBSERVATION_COLUMNS))
    return frame.astype({"data_year": "int64", "value": "float64", "source_row": "int64"})
