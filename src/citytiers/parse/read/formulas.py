"""Formula cells of a workbook: read as stored values, never evaluated.

python-calamine (the workbook reader, see :mod:`citytiers.parse.read.grids`) returns a
formula cell's *cached* result, the value the spreadsheet program stored when it last
calculated the workbook, and an empty cell when the file holds none; it cannot evaluate a
formula and has no API to see one. So a workbook written by a script (openpyxl writes
formulas without results) loses those figures silently: they read as blanks, i.e. as
"no value". And a DDE formula (``cmd|' /C calc'!A0``) is an instruction to run a program
when the workbook is opened in Excel; its stored result is whatever the author put there.

This module looks at the formulas themselves, in the file's XML, without evaluating
anything:

- **.xlsx / .xlsm** (a zip of SpreadsheetML parts): every worksheet listed in the workbook
  part, streamed; a part without a ``<f>`` element at all is skipped after a byte search,
  without parsing. ``xl/externalLinks/*.xml`` are read for ``ddeLink`` elements (Excel
  saves ``cmd|' /C calc'!A0`` as a reference ``[1]!...`` to such a link).
- **.ods** (``content.xml``): cells with a ``table:formula`` attribute.
- **.xls** (BIFF, not a zip): no cell-level parse. A BIFF FORMULA record always stores the
  formula's last result next to it, so every formula of an .xls file is read as that stored
  result (there is no "uncached" case to find) and none can be listed as "cached" either.
  The raw bytes are searched (in chunks) for DDE markers (:data:`XLS_DDE_MARKERS`) in both
  string encodings BIFF uses, latin-1 and UTF-16LE.
- anything else (CSV, text): nothing is a formula; the scan is empty.

:func:`check_formulas` turns a scan into the pipeline's verdict: DDE formulas and formulas
without a stored result refuse the release (:class:`~citytiers.errors.ReleaseProblems`,
every cell named), stored results of ordinary formulas are loaded with a warning.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal
from urllib.parse import unquote

from citytiers.errors import ReleaseError, ReleaseProblems

# Cells kept per list of a scan; the counts stay exact (a sheet of 100,000 formulas is
# reported as a number and its first cells, not held in memory).
FORMULA_CELLS_KEPT = 20
# Bytes read at a time by the streaming byte searches.
CHUNK_SIZE = 1 << 20
# Sheet or cell that a byte scan (or a workbook-level DDE link) cannot name.
UNKNOWN = "?"
# DDE servers that run programs, as ``server|topic`` (formula syntax) or ``server\x03topic``
# (0x03 separates server and topic in BIFF's encoded link paths, as far as is known here),
# and the DDEAUTO keyword; matched case-insensitively in the bytes of an .xls file. A
# heuristic, not a BIFF parse: it can miss a DDE server not listed here.
XLS_DDE_SERVERS = ("cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh", "mshta")
XLS_DDE_MARKERS = (*(s + sep for s in XLS_DDE_SERVERS for sep in ("|", "\x03")), "ddeauto")

UNCACHED_ADVICE = ("the workbook was saved without calculated values (e.g. written by a "
                   "script): open and save it in Excel or LibreOffice, or paste the figures "
                   "as values")
DDE_ADVICE = "a DDE/external-command formula is never evaluated or loaded; remove it"

OOXML_SUFFIXES = frozenset({".xlsx", ".xlsm"})
ODS_SUFFIXES = frozenset({".ods"})
XLS_SUFFIXES = frozenset({".xls"})
DEFAULT_WORKBOOK_PART = "xl/workbook.xml"

# An opening ``<f>`` element, any namespace prefix (``<f>``, ``<f/>``, ``<x:f t="shared">``);
# not ``</f>``, ``<font>`` or ``<x:filterColumn>``.
_FORMULA_TAG = re.compile(rb"<(?:[^\s<>/:!?=\"']+:)?f[\s/>]")
# What may follow ``<`` in a tag name that is still being read (a chunk ended inside it).
_TAG_NAME_PART = re.compile(rb"[^\s<>/!?=\"']*")
# A tag name longer than this at a chunk's end is not waited for: the part is parsed.
_LONGEST_TAG_NAME = 256
_CELL_REFERENCE = re.compile(r"([A-Za-z]{1,3})(\d+)")
# ``[1]`` at the start of a reference: external workbook (or DDE link) number 1. Not a
# structured reference's ``Table1[1]`` nor ``[[#This Row]...]``.
_EXTERNAL_REFERENCE = re.compile(r"(?<![\w\]\[])\[(\d+)\]")
_DDE_CALL = re.compile(r"(?<![\w.])(?:_xlfn\.)?DDE(?:AUTO)?\s*\(", re.IGNORECASE)
_ODS_FORMULA_PREFIX = re.compile(r"^[A-Za-z][\w-]*:(?==)")

_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODS_TABLE = f"{{{_ODF_TABLE}}}table"
_ODS_ROW = f"{{{_ODF_TABLE}}}table-row"
_ODS_CELLS = frozenset({f"{{{_ODF_TABLE}}}table-cell", f"{{{_ODF_TABLE}}}covered-table-cell"})
_ODS_DDE_SOURCE = f"{{{_ODF_OFFICE}}}dde-source"
_ODS_NAME = f"{{{_ODF_TABLE}}}name"
_ODS_FORMULA = f"{{{_ODF_TABLE}}}formula"
_ODS_ROWS_REPEATED = f"{{{_ODF_TABLE}}}number-rows-repeated"
_ODS_COLUMNS_REPEATED = f"{{{_ODF_TABLE}}}number-columns-repeated"
_ODS_VALUES = tuple(f"{{{_ODF_OFFICE}}}{a}" for a in (
    "value", "string-value", "date-value", "time-value", "boolean-value"))

Kind = Literal["uncached", "dde", "cached"]


@dataclass(frozen=True)
class FormulaCell:
    """One formula cell: its sheet, its reference (``B7``) and its formula as shown in the
    spreadsheet program (``=B3*2``; ``(shared formula)`` for a cell that only points at a
    shared formula). ``?`` where the file does not say (the byte scan of an .xls file)."""

    sheet: str
    cell: str
    formula: str

    @property
    def column(self) -> str | None:
        """The column letters of :attr:`cell` (``B``), or None when unknown."""
        return split_cell_reference(self.cell)[0]

    @property
    def row(self) -> int | None:
        """The 1-based row number of :attr:`cell` (``7``), or None when unknown."""
        return split_cell_reference(self.cell)[1]


@dataclass
class FormulaScan:
    """The formula cells of one workbook, in three disjoint groups (in file order):

    - ``dde``: DDE / external-command formulas (refused, whatever their stored value);
    - ``uncached``: formulas without a stored result (they would read as blank cells);
    - ``cached``: formulas read as their stored result (loaded, with a warning).

    Each list keeps the first :data:`FORMULA_CELLS_KEPT` cells; ``*_count`` count them all.
    """

    uncached: list[FormulaCell] = field(default_factory=list)
    dde: list[FormulaCell] = field(default_factory=list)
    cached: list[FormulaCell] = field(default_factory=list)
    uncached_count: int = 0
    dde_count: int = 0
    cached_count: int = 0

    @property
    def is_empty(self) -> bool:
        """True when the workbook has no formula (of any kind) at all."""
        return not (self.uncached_count or self.dde_count or self.cached_count)

    def add(self, kind: Kind, cells: Iterable[FormulaCell], count: int = 1) -> None:
        """Count ``count`` cells of ``kind``, keeping the first ones of ``cells`` (a lazy
        iterable, so that a formula repeated over a million cells costs no list)."""
        kept = getattr(self, kind)
        kept.extend(itertools.islice(cells, max(0, FORMULA_CELLS_KEPT - len(kept))))
        setattr(self, f"{kind}_count", getattr(self, f"{kind}_count") + count)


# --------------------------------------------------------------------------- public API


def scan_formulas(path: Path, *, chunk_size: int = CHUNK_SIZE) -> FormulaScan:
    """Every formula cell of the workbook at ``path``, classified (see :class:`FormulaScan`).

    The format is chosen by suffix, as the workbook reader chooses it. A file that is not
    what its suffix says (a text file named .xlsx) gives an empty scan: the reader refuses
    it with its own message. A readable zip whose parts cannot be parsed raises
    :class:`ReleaseError`, since its formulas could not be checked. ``chunk_size``: bytes
    read at a time by the byte searches (small values exist for the tests).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    scan = FormulaScan()
    if suffix in XLS_SUFFIXES and not zipfile.is_zipfile(path):
        _scan_xls(path, scan, chunk_size)
        return scan
    if suffix not in OOXML_SUFFIXES | ODS_SUFFIXES | XLS_SUFFIXES or not zipfile.is_zipfile(path):
        return scan
    try:
        with zipfile.ZipFile(path) as archive:
            package = _Package(archive)
            if package.has("content.xml") and not package.has(DEFAULT_WORKBOOK_PART):
                _scan_ods(package, scan)
            else:
                _scan_ooxml(package, scan, chunk_size)
    except (zipfile.BadZipFile, ET.ParseError, OSError, EOFError, ValueError,
            RuntimeError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError (a subclass): compression.
        raise ReleaseError(path, f"cannot check the workbook's formulas: {exc}") from exc
    return scan


def check_formulas(path: Path) -> list[str]:
    """Refuse a workbook whose formulas cannot be loaded truthfully; warn about the rest.

    Raises :class:`ReleaseProblems` naming every DDE formula and every formula without a
    stored result (sheet, row, column, formula, what to do): the first would be loaded as
    whatever value its author stored, the second as a blank. Otherwise returns warnings
    (one string, or none) listing the formula cells that were read as their stored values,
    because nothing here recalculates them.
    """
    scan = scan_formulas(path)
    problems = [_problem(path, cell, f"formula {cell.formula!r}: {DDE_ADVICE}")
                for cell in scan.dde]
    problems += [_problem(path, cell, f"formula {cell.formula!r} has no calculated value: "
                          f"{UNCACHED_ADVICE}") for cell in scan.uncached]
    if problems:
        raise ReleaseProblems(path, problems, total=scan.dde_count + scan.uncached_count)
    return [cached_warning(scan)] if scan.cached_count else []


def cached_warning(scan: FormulaScan) -> str:
    """One line naming the formula cells read as stored values, grouped by sheet."""
    by_sheet: dict[str, list[str]] = {}
    for cell in scan.cached:
        by_sheet.setdefault(cell.sheet, []).append(cell.cell)
    where = "; ".join(f"sheet {sheet!r} {', '.join(cells)}" for sheet, cells in by_sheet.items())
    hidden = scan.cached_count - len(scan.cached)
    more = f" (and {hidden} more)" if hidden > 0 else ""
    return (f"{scan.cached_count} formula cell(s) were read as their stored values, "
            f"not recalculated: {where}{more}")


def split_cell_reference(cell: str) -> tuple[str | None, int | None]:
    """``"B7"`` -> ``("B", 7)``; anything else (``?``) -> ``(None, None)``."""
    match = _CELL_REFERENCE.fullmatch(cell.replace("$", ""))
    if not match:
        return None, None
    return match.group(1).upper(), int(match.group(2))


def column_letters(number: int) -> str:
    """1 -> ``A``, 27 -> ``AA``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """``A`` -> 1, ``AA`` -> 27."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def is_dde_formula(formula: str, dde_links: Collection[int] = ()) -> bool:
    """Whether a formula is DDE-style: ``app|topic!item`` (a ``|`` outside string literals
    and quoted sheet names; ``|`` is no operator anywhere else), a call of ``DDE``/
    ``DDEAUTO``, or a reference ``[n]`` to external link ``n`` when that link is a DDE link
    (``dde_links``: their numbers)."""
    if "|" not in formula and "dde" not in formula.lower() \
            and not (dde_links and "[" in formula):
        return False                      # the common case, without the character loop
    without_strings, bare = _outside_literals(formula)
    if "|" in bare or _DDE_CALL.search(bare):
        return True
    return bool(dde_links) and not _external_references(without_strings).isdisjoint(dde_links)


def has_formula_element(stream: IO[bytes], chunk_size: int = CHUNK_SIZE) -> bool:
    """Whether a SpreadsheetML part contains an opening ``<f>`` element (any namespace
    prefix), read ``chunk_size`` bytes at a time. The unfinished tag name at a chunk's end
    is carried into the next chunk, so a ``<x:f`` split between two reads is still found.
    A false positive only costs a parse; a false negative would skip formulas, so an
    unusually long tag name at a boundary counts as "maybe"."""
    carry = b""
    while chunk := stream.read(chunk_size):
        buffer = carry + chunk
        if _FORMULA_TAG.search(buffer):
            return True
        start = buffer.rfind(b"<")
        carry = b""
        if start >= 0 and _TAG_NAME_PART.fullmatch(buffer, start + 1):
            carry = buffer[start:]
            if len(carry) > _LONGEST_TAG_NAME:
                return True
    return False


def scan_xls_bytes(stream: IO[bytes], chunk_size: int = CHUNK_SIZE) -> list[str]:
    """The DDE markers (:data:`XLS_DDE_MARKERS`) found in a byte stream, one entry per
    occurrence in file order, matched case-insensitively as latin-1 and as UTF-16LE text.
    Consecutive chunks overlap by the longest marker less one byte, and a match lying
    wholly in the overlap was already counted, so none is missed or counted twice."""
    encoded = {m.encode(e): m for m in XLS_DDE_MARKERS for e in ("latin-1", "utf-16-le")}
    pattern = re.compile(b"|".join(re.escape(k) for k in sorted(encoded, key=len,
                                                                   reverse=True)))
    overlap = max(map(len, encoded)) - 1
    found: list[str] = []
    tail = b""
    while chunk := stream.read(chunk_size):
        buffer = tail + chunk.lower()   # bytes.lower() folds ASCII only: both encodings
        found += [encoded[m.group()] for m in pattern.finditer(buffer) if m.end() > len(tail)]
        tail = buffer[-overlap:] if overlap else b""
    return found


# --------------------------------------------------------------------------- helpers


def _problem(path: Path, cell: FormulaCell, problem: str) -> ReleaseError:
    column, row = split_cell_reference(cell.cell)
    sheet = None if cell.sheet == UNKNOWN else cell.sheet
    return ReleaseError(path, problem, sheet=sheet, row=row, column=column)


def _outside_literals(formula: str) -> tuple[str, str]:
    """The formula with double-quoted strings blanked, and with quoted sheet names blanked
    as well (a doubled quote inside closes and reopens, which blanks the same)."""
    without_strings, bare = [], []
    quote: str | None = None
    for char in formula:
        if quote is None and char in "\"'":
            quote = char
        elif char == quote:
            quote = None
        inside = quote is not None or char in "\"'"
        without_strings.append(" " if inside and (quote or char) == '"' else char)
        bare.append(" " if inside else char)
    return "".join(without_strings), "".join(bare)


def _external_references(formula: str) -> set[int]:
    return {int(n) for n in _EXTERNAL_REFERENCE.findall(formula)}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationship_id(element: ET.Element) -> str | None:
    """``r:id`` in either the transitional or the strict relationships namespace."""
    return next((v for k, v in element.attrib.items() if k.endswith("}id")), None)


class _Package:
    """A zip package whose part names are matched case-insensitively (as OPC says)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {n.lower(): n for n in archive.namelist()}

    def has(self, part: str) -> bool:
        return part.lower() in self.names

    def open(self, part: str) -> IO[bytes]:
        return self.archive.open(self.names[part.lower()])

    def parts_under(self, folder: str) -> list[str]:
        prefix = folder.lower().rstrip("/") + "/"
        return sorted(name for low, name in self.names.items()
                      if low.startswith(prefix) and low.endswith(".xml")
                      and "/" not in low[len(prefix):])

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (the internal part it points to, its type), for ``part``
        (``""``: the package's own relationships)."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        targets: dict[str, tuple[str, str]] = {}
        if not self.has(rels):
            return targets
        with self.open(rels) as stream:
            for _, element in ET.iterparse(stream):
                if _local(element.tag) == "Relationship" \
                        and element.get("TargetMode", "Internal") != "External":
                    target = element.get("Target", "")
                    resolved = target[1:] if target.startswith("/") \
                        else posixpath.normpath(posixpath.join(folder, target))
                    if not self.has(resolved) and self.has(unquote(resolved)):
                        resolved = unquote(resolved)
                    targets[element.get("Id", "")] = (resolved, element.get("Type", ""))
                element.clear()
        return targets


# --------------------------------------------------------------------------- .xlsx/.xlsm


def _workbook_part(package: _Package) -> str:
    """The main part named by the package relationships; ``xl/workbook.xml`` by default."""
    for target, kind in package.relationships("").values():
        if kind.endswith("/officeDocument") and package.has(target):
            return target
    return DEFAULT_WORKBOOK_PART


def _scan_ooxml(package: _Package, scan: FormulaScan, chunk_size: int) -> None:
    workbook = _workbook_part(package)
    if not package.has(workbook):
        return
    rels = {i: target for i, (target, _) in package.relationships(workbook).items()}
    sheets: list[tuple[str, str]] = []
    link_ids: list[str] = []
    with package.open(workbook) as stream:
        for _, element in ET.iterparse(stream):
            name = _local(element.tag)
            if name == "sheet":
                sheets.append((element.get("name", UNKNOWN), _relationship_id(element) or ""))
            elif name == "externalReference":
                link_ids.append(_relationship_id(element) or "")
            element.clear()
    dde_links = _dde_links(package, [rels.get(i, "") for i in link_ids])
    referenced: set[int] = set()
    for sheet, rel_id in sheets:
        part = rels.get(rel_id)
        if part is None or not package.has(part):
            continue
        with package.open(part) as stream:
            if not has_formula_element(stream, chunk_size):
                continue
        with package.open(part) as stream:
            referenced |= _scan_worksheet(stream, sheet, dde_links, scan)
    for number, description in sorted(dde_links.items()):
        if number not in referenced:      # a DDE link no formula was found to use
            scan.add("dde", [FormulaCell(UNKNOWN, UNKNOWN, description)])


def _dde_links(package: _Package, ordered_parts: list[str]) -> dict[int, str]:
    """External link number (``[n]`` in formulas) -> ``server|'topic'!item`` for the links
    that are DDE links. Numbered by the workbook's ``externalReferences`` order; a link part
    the workbook does not list is numbered by its file name (``externalLink3.xml``)."""
    numbers = {part.lower(): n for n, part in enumerate(ordered_parts, start=1) if part}
    links: dict[int, str] = {}
    unlisted = len(ordered_parts)
    for part in package.parts_under("xl/externalLinks"):
        description = _dde_link(package, part)
        if description is None:
            continue
        number = numbers.get(part.lower())
        if number is None:
            digits = re.search(r"(\d+)\.xml$", part)
            number = int(digits.group(1)) if digits else 0
            if not digits or number in links or number in numbers.values():
                unlisted += 1
                number = 1_000_000 + unlisted
        links[number] = description
    return links


def _dde_link(package: _Package, part: str) -> str | None:
    """``server|'topic'!item`` when the external link part holds a ``ddeLink``."""
    service = topic = None
    items: list[str] = []
    with package.open(part) as stream:
        for _, element in ET.iterparse(stream):
            name = _local(element.tag)
            if name == "ddeLink":
                service, topic = element.get("ddeService", ""), element.get("ddeTopic", "")
            elif name == "ddeItem":
                items.append(element.get("name", ""))
            element.clear()
    if service is None:
        return None
    return f"{service}|'{topic}'" + (f"!{items[0]}" if items else "")


def _scan_worksheet(stream: IO[bytes], sheet: str, dde_links: dict[int, str],
                    scan: FormulaScan) -> set[int]:
    """Classify the formula cells of one worksheet part; returns the external link numbers
    its formulas refer to. Streams: each cell is cleared once read, each row removed from
    ``sheetData`` once done, so memory holds one row, not the sheet. A cell without its
    ``r`` attribute (allowed, rare) is the one after the previous cell of its row."""
    referenced: set[int] = set()
    shared: dict[str, str] = {}           # shared formula index -> its master's text
    names: dict[str, str] = {}            # tag -> local name (a handful of distinct tags)
    sheet_data: ET.Element | None = None
    row_number = 0
    previous: str | None = None           # the previous cell's reference in this row
    for event, element in ET.iterparse(stream, events=("start", "end")):
        tag = element.tag
        name = names.get(tag) or names.setdefault(tag, _local(tag))
        if event == "start":
            if name == "row":
                number = element.get("r", "")
                row_number = int(number) if number.isdigit() else row_number + 1
                previous = None
            elif name == "sheetData":
                sheet_data = element
            continue
        if name == "c":
            reference = element.get("r") or _next_cell(previous, row_number)
            previous = reference
            cell = _xlsx_formula_cell(element, sheet, reference, shared)
            if cell is not None:
                formula, text, cached = cell
                if dde_links and "[" in text:
                    refs = _external_references(_outside_literals(text)[0])
                    referenced |= refs & dde_links.keys()
                kind: Kind = "dde" if is_dde_formula(text, dde_links.keys()) \
                    else "cached" if cached else "uncached"
                scan.add(kind, (formula,))
            element.clear()
        elif name == "row" and sheet_data is not None:
            sheet_data.remove(element)
    return referenced


def _next_cell(previous: str | None, row_number: int) -> str:
    """The reference of a cell written without one: right of ``previous``, or A."""
    letters = split_cell_reference(previous)[0] if previous else None
    return f"{column_letters(column_number(letters) + 1 if letters else 1)}{row_number}"


def _xlsx_formula_cell(element: ET.Element, sheet: str, reference: str,
                       shared: dict[str, str]) -> tuple[FormulaCell, str, bool] | None:
    """(the cell, the formula text that applies to it, whether a result is stored) for a
    ``<c>`` with an ``<f>`` child, else None. A shared formula's dependent cell has no text
    of its own: it is shown as ``(shared formula)`` but judged by its master's text. An
    empty ``<v>`` is a stored result only for a string formula (``t="str"``: "")."""
    formula = value = None
    for child in element:
        name = _local(child.tag)
        if name == "f":
            formula = child
        elif name == "v":
            value = child
    if formula is None:
        return None
    text = (formula.text or "").strip()
    kind = formula.get("t", "normal")
    index = formula.get("si")
    if text and kind == "shared" and index is not None:
        shared[index] = text
    if text:
        shown = "=" + text
    elif kind == "shared":
        shown, text = "(shared formula)", shared.get(index or "", "")
    else:
        shown = "(data table)" if kind == "dataTable" else "(empty formula)"
    cached = value is not None and (bool(value.text) or element.get("t") == "str")
    return FormulaCell(sheet, reference, shown), text, cached


# --------------------------------------------------------------------------- .ods


def _scan_ods(package: _Package, scan: FormulaScan) -> None:
    """Formula cells of ``content.xml``, with repeated rows and columns expanded lazily
    (a formula repeated over many cells counts each, keeps the first few)."""
    parents: list[ET.Element] = []
    sheet, row, column, rows_repeated = UNKNOWN, 0, 0, 1
    with package.open("content.xml") as stream:
        for event, element in ET.iterparse(stream, events=("start", "end")):
            if event == "start":
                parents.append(element)
                if element.tag == _ODS_TABLE:
                    sheet, row = element.get(_ODS_NAME, UNKNOWN), 0
                elif element.tag == _ODS_ROW:
                    rows_repeated, column = _repeat(element, _ODS_ROWS_REPEATED), 0
                continue
            parents.pop()
            if element.tag in _ODS_CELLS:
                columns_repeated = _repeat(element, _ODS_COLUMNS_REPEATED)
                text = element.get(_ODS_FORMULA)
                if text:
                    shown = _ODS_FORMULA_PREFIX.sub("", text.strip())
                    cached = any(element.get(a) is not None for a in _ODS_VALUES) \
                        or any(t for c in element for t in c.itertext())
                    kind: Kind = "dde" if is_dde_formula(shown) \
                        else "cached" if cached else "uncached"
                    scan.add(kind, _repeated_cells(sheet, shown, row, rows_repeated,
                                                   column, columns_repeated),
                             rows_repeated * columns_repeated)
                column += columns_repeated
                element.clear()
            elif element.tag == _ODS_ROW:
                row += rows_repeated
                if parents:
                    parents[-1].remove(element)
            elif element.tag == _ODS_DDE_SOURCE:   # a DDE link (table:dde-link) or table
                application = element.get(f"{{{_ODF_OFFICE}}}dde-application", "")
                topic = element.get(f"{{{_ODF_OFFICE}}}dde-topic", "")
                item = element.get(f"{{{_ODF_OFFICE}}}dde-item", "")
                scan.add("dde", [FormulaCell(UNKNOWN, UNKNOWN,
                                             f"{application}|'{topic}'!{item}")])


def _repeat(element: ET.Element, attribute: str) -> int:
    value = element.get(attribute, "1")
    return max(1, int(value)) if value.isdigit() else 1


def _repeated_cells(sheet: str, formula: str, row: int, rows: int, column: int,
                    columns: int) -> Iterator[FormulaCell]:
    for r in range(row + 1, row + rows + 1):
        for c in range(column + 1, column + columns + 1):
            yield FormulaCell(sheet, f"{column_letters(c)}{r}", formula)


# --------------------------------------------------------------------------- .xls


def _scan_xls(path: Path, scan: FormulaScan, chunk_size: int) -> None:
    try:
        with path.open("rb") as stream:
            markers = scan_xls_bytes(stream, chunk_size)
    except OSError as exc:
        raise ReleaseError(path, f"cannot check the workbook's formulas: {exc}") from exc
    scan.add("dde", (FormulaCell(UNKNOWN, UNKNOWN, m) for m in markers), len(markers))
