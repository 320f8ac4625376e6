"""Reading a release file into grids: one Arrow table of text cells per sheet.

A grid is what a person sees in the spreadsheet: every cell as printed text, row 1 first.
Workbooks (XLSX/XLSM/XLS/ODS) are read once with python-calamine; CSVs with the ``csv``
module (C), because DuckDB's CSV sniffer cannot read the ragged yearbook layout (title
rows of one cell above a table of twenty, quoted line breaks in headers: "It was not
possible to automatically detect the CSV parsing dialect"). Long, regular CSVs (tidy
releases) never come here: DuckDB's ``read_csv`` reads them directly
(:mod:`citytiers.parse.layouts.tidy_csv`).

Every column is converted to text in bulk (Arrow casts); only a column that mixes numbers
and text (a placeholder ``—`` among figures) takes the per-value path.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from citytiers.errors import ReleaseError

# Spreadsheet encodings seen in Chinese statistical releases, tried in this order.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
SNIFF_LINES = 20
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
# Integers above 2**53 are not exact in a double: print those as the float they are.
EXACT_INTEGER_LIMIT = 2.0**53
# Rows turned into Arrow at a time: a sheet is never held as Python objects in full.
ROWS_PER_CHUNK = 50_000
DECODE_CHUNK_BYTES = 16 << 20
# Where Arrow's float -> text cast prints what Python's str() prints (measured).
ARROW_TEXT_RANGE = (1e-4, 1e10)


def cell_text(value: object) -> str:
    """A cell as the publisher printed it: floats that are whole numbers lose ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def printed_text(value: object) -> str:
    """Like :func:`cell_text`, but a text keeps its leading spaces (the indentation of a
    name in a census yearbook is its level)."""
    return value.rstrip() if isinstance(value, str) else cell_text(value)


def _strip(array: pa.Array, *, keep_indent: bool) -> pa.Array:
    trim = pc.utf8_rtrim_whitespace if keep_indent else pc.utf8_trim_whitespace
    return trim(array)


def column_text(values: list[object], *, keep_indent: bool = False) -> pa.Array:
    """One column of cell values -> text, the way :func:`cell_text` prints each value."""
    try:
        array = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return _mixed_column_text(values, keep_indent=keep_indent)
    kind = array.type
    if pa.types.is_null(kind):
        return pa.array([""] * len(values), pa.string())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _strip(array.cast(pa.string()).fill_null(""), keep_indent=keep_indent)
    if pa.types.is_integer(kind):
        return array.cast(pa.string()).fill_null("")
    if pa.types.is_floating(kind):
        finite = pc.is_finite(array)
        whole = pc.and_(pc.and_(finite, pc.equal(pc.floor(array), array)),
                        pc.less(pc.abs(array), EXACT_INTEGER_LIMIT))
        whole = whole.fill_null(False)
        as_integer = pc.if_else(whole, array, 0.0).cast(pa.int64()).cast(pa.string())
        # Other figures: Arrow prints the shortest text that reads back as the same double,
        # as str() does, between 1e-4 and 1e10; outside that range str() takes over (rare).
        magnitude = pc.abs(array)
        arrow_prints = pc.and_(pc.greater_equal(magnitude, ARROW_TEXT_RANGE[0]),
                               pc.less(magnitude, ARROW_TEXT_RANGE[1])).fill_null(True)
        text = pc.if_else(whole, as_integer, array.cast(pa.string()))
        odd = pc.and_(pc.invert(whole), pc.invert(arrow_prints))
        if pc.any(odd).as_py():
            text = pc.replace_with_mask(text, odd, pa.array(
                [str(v) for v in pc.filter(array, odd).to_pylist()], pa.string()))
        return text.fill_null("")
    convert = printed_text if keep_indent else cell_text
    return pa.array([convert(v) for v in values], pa.string())


def _mixed_column_text(values: list[object], *, keep_indent: bool) -> pa.Array:
    """A column of text and numbers (header labels above figures, a ``—`` among them):
    the numbers take the bulk float path, the rest one value at a time."""
    import numpy as np

    cells = np.array(values, dtype=object)
    numbers = np.fromiter((type(v) is float for v in values), dtype=bool, count=len(values))
    out = np.empty(len(values), dtype=object)
    if numbers.any():
        out[numbers] = column_text(cells[numbers].astype(np.float64).tolist()).to_pylist()
    convert = printed_text if keep_indent else cell_text
    out[~numbers] = [convert(v) for v in cells[~numbers].tolist()]
    return pa.array(out.tolist(), pa.string())


@dataclass
class Grid:
    """One sheet (or a whole CSV) as text cells. ``table`` has one string column per
    spreadsheet column (``c0``, ``c1``, ...); its row ``i`` is spreadsheet row ``i + 1``."""

    sheet: str | None
    table: pa.Table
    _rows: list[list[str]] | None = field(default=None, repr=False)

    @classmethod
    def from_rows(cls, sheet: str | None, rows: Iterable[list[object]], *,
                  keep_indent: bool = False) -> Grid:
        """Rows of cell values -> text columns, :data:`ROWS_PER_CHUNK` rows at a time, so
        that no more than one chunk of a sheet exists as Python objects."""
        chunks: list[list[pa.Array]] = []
        iterator = iter(rows)
        while chunk := list(islice(iterator, ROWS_PER_CHUNK)):
            width = max(len(row) for row in chunk)
            padded = (row if len(row) == width else [*row, *[""] * (width - len(row))]
                      for row in chunk)
            chunks.append([column_text(list(col), keep_indent=keep_indent)
                           for col in zip(*padded, strict=True)])
            del chunk, padded
        width = max((len(arrays) for arrays in chunks), default=0)
        columns = []
        for index in range(width):
            parts = [arrays[index] if index < len(arrays)
                     else pa.array([""] * len(arrays[0]), pa.string()) for arrays in chunks]
            columns.append(pa.chunked_array(parts, pa.string()))
        return cls(sheet, pa.table(columns, names=[f"c{i}" for i in range(width)]))

    @property
    def height(self) -> int:
        return self.table.num_rows

    @property
    def width(self) -> int:
        return self.table.num_columns

    def column(self, index: int) -> list[str]:
        """One column's cells, top to bottom (a key column: names, codes)."""
        return self.table.column(index).to_pylist()

    @cached_property
    def rows(self) -> list[list[str]]:
        """Every row as a list of texts. For the row-wise logic of small tables (headers,
        a census yearbook's nesting); figures are read from ``table`` in bulk."""
        return [list(row) for row in zip(*(self.column(i) for i in range(self.width)),
                                         strict=True)] if self.width else [
            [] for _ in range(self.height)]

    def cell(self, row_index: int, col_index: int) -> str:
        row = self.rows[row_index]
        return row[col_index] if col_index < len(row) else ""

    def head(self, count: int) -> list[list[str]]:
        """The first ``count`` rows (header detection), without reading the rest."""
        part = self.table.slice(0, count)
        return [list(row) for row in zip(*(part.column(i).to_pylist()
                                           for i in range(self.width)), strict=True)]


def bom_encoding(path: Path) -> str | None:
    """The encoding a byte-order mark names (Excel's "Unicode text" is UTF-16 with one)."""
    with path.open("rb") as handle:
        start = handle.read(4)
    return next((encoding for bom, encoding in BOMS if start.startswith(bom)), None)


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon, from the first lines of a CSV: a tab anywhere there means
    tab-separated (Excel's "Unicode text"; commas then occur inside figures); else a
    semicolon where there is no comma; else comma."""
    lines = text.splitlines()[:SNIFF_LINES]
    if any("\t" in line for line in lines):
        return "\t"
    if any(";" in line for line in lines) and not any("," in line for line in lines):
        return ";"
    return ","


def decode_check(path: Path) -> str:
    """The encoding of the file: the one its byte-order mark names, else the first of
    :data:`CSV_ENCODINGS` that decodes the whole file, checked in chunks (a large release
    is never held in memory twice)."""
    marked = bom_encoding(path)
    for encoding in ([marked] if marked else CSV_ENCODINGS):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(DECODE_CHUNK_BYTES):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    tried = [marked] if marked else list(CSV_ENCODINGS)
    raise ReleaseError(path, f"cannot decode the file as any of {', '.join(tried)}")


def read_csv_text(path: Path) -> str:
    """The CSV's text, in the first encoding that decodes it."""
    return path.read_bytes().decode(decode_check(path))


def read_csv_rows(path: Path) -> list[list[str]]:
    """Every row of a small CSV (a reference table: code records, change events) as text
    cells; a file without a filled cell (nothing, a BOM, blank lines) is refused here, once
    for every layout that reads one, rather than as a header that matches no layout."""
    rows = list(csv.reader(io.StringIO(read_csv_text(path))))
    if not any(cell.strip() for row in rows for cell in row):
        raise ReleaseError(path, "the file is empty")
    return rows


def read_head_text(path: Path, max_bytes: int = 1 << 16) -> str:
    """The start of a text file (format detection), decoded leniently."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes)
    marked = bom_encoding(path)
    if marked:
        return data.decode(marked, errors="ignore")
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start > len(data) - 4:  # a character cut at the end of the sample
                return data[:exc.start].decode(encoding)
    return data.decode("utf-8", errors="replace")


def _sheet_rows(sheet: Any) -> Iterator[list[object]]:
    """A sheet's rows from A1, lazily. calamine's ``iter_rows`` yields rows from row 1 but
    columns only from the first used one (``sheet.start``): pad them back, so that column
    letters are the spreadsheet's."""
    if sheet.start is None:
        return iter(())
    offset = sheet.start[1]
    rows = sheet.iter_rows()
    return rows if not offset else ([*[""] * offset, *row] for row in rows)


def _workbook_grids(path: Path, *, keep_indent: bool) -> list[Grid]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        grids = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            grids.append(Grid.from_rows(name, _sheet_rows(sheet), keep_indent=keep_indent))
        return grids
    except (CalamineError, ValueError, OSError) as exc:
        raise ReleaseError(path, f"cannot read the workbook: {exc}") from exc


def read_grids(path: Path, *, keep_indent: bool = False) -> list[Grid]:
    """Every sheet of a workbook, or the CSV as one grid. ``keep_indent`` keeps a text's
    leading spaces (census yearbooks indent names by level); otherwise cells are stripped."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _workbook_grids(path, keep_indent=keep_indent)
    encoding = decode_check(path)
    delimiter = sniff_delimiter(read_head_text(path))
    # newline="": the csv module reads CR, LF and CRLF line endings alike.
    with path.open(encoding=encoding, newline="") as handle:
        return [Grid.from_rows(None, csv.reader(handle, delimiter=delimiter),
                               keep_indent=keep_indent)]
