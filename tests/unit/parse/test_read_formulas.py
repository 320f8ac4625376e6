"""Formula cells are found in the workbook's XML (calamine only returns stored results):
uncached and DDE formulas refuse a release with the cell named, cached ones are warnings.

Case files are written by tests/cases/make_formula_cases.py; the edge cases (chunk
boundaries, shared formulas, DDE links, ODS, .xls bytes) are built here in tmp_path.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from citytiers.discover.metadata import read_sidecar, resolve_metadata
from citytiers.errors import ReleaseError, ReleaseProblems
from citytiers.parse.layouts import adapter_for
from citytiers.parse.normalize.dictionary import Dictionary
from citytiers.parse.read.formulas import (
    FORMULA_CELLS_KEPT,
    FormulaCell,
    FormulaScan,
    check_formulas,
    has_formula_element,
    is_dde_formula,
    scan_formulas,
    scan_xls_bytes,
    split_cell_reference,
)
from tests.conftest import CASES

BAD = CASES / "bad"
GOOD = CASES / "good"
UNCACHED_CASE = BAD / "formula_without_cached_value.xlsx"
DDE_CASE = BAD / "formula_dde_command.xlsx"
CACHED_CASE = GOOD / "formula_with_cached_value.xlsx"
GENERATOR = CASES / "make_formula_cases.py"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
UNCACHED_ADVICE = ("the workbook was saved without calculated values (e.g. written by a "
                   "script): open and save it in Excel or LibreOffice, or paste the figures "
                   "as values")
DDE_ADVICE = "a DDE/external-command formula is never evaluated or loaded; remove it"


# --------------------------------------------------------------------------- building


def sheet_xml(rows: str, prefix: str = "") -> str:
    """A worksheet part around ``rows`` (``<row>`` elements), optionally namespace-prefixed
    (``prefix="x"``: ``<x:worksheet xmlns:x=...>``, as some writers do)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}worksheet {xmlns}>'
            f"<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>")


def write_xlsx(path: Path, sheets: dict[str, str], external_links: Sequence[str] = (),
               unlisted: dict[str, str] | None = None) -> Path:
    """A minimal SpreadsheetML package: the given sheet parts (name -> XML), external link
    parts listed in ``externalReferences``, and extra parts the workbook does not list."""
    sheet_entries = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                            for i, name in enumerate(sheets, start=1))
    n = len(sheets)
    references = "".join(f'<externalReference r:id="rId{n + i}"/>'
                         for i in range(1, len(external_links) + 1))
    workbook = (f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{sheet_entries}'
                f"</sheets>"
                + (f"<externalReferences>{references}</externalReferences>" if references
                   else "") + "</workbook>")
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
    rels += "".join(
        f'<Relationship Id="rId{n + i}" Type="{REL_NS}/externalLink" '
        f'Target="/xl/externalLinks/externalLink{i}.xml"/>'
        for i in range(1, len(external_links) + 1))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{PKG_REL_NS}"><Relationship '
                         f'Id="rId1" Type="{REL_NS}/officeDocument" '
                         f'Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels",
                         f'<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>')
        for i, xml in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        for i, xml in enumerate(external_links, start=1):
            archive.writestr(f"xl/externalLinks/externalLink{i}.xml", xml)
        for part, xml in (unlisted or {}).items():
            archive.writestr(part, xml)
    return path


def dde_link(service: str = "cmd", topic: str = " /C calc", item: str = "A0") -> str:
    return (f'<externalLink xmlns="{MAIN_NS}"><ddeLink ddeService="{service}" '
            f'ddeTopic="{topic}"><ddeItems><ddeItem name="{item}" advise="1"/></ddeItems>'
            "</ddeLink></externalLink>")


def cells(sheet: str, *references: str, formula: str) -> list[FormulaCell]:
    return [FormulaCell(sheet, r, formula) for r in references]


def locations(error: ReleaseProblems) -> list[tuple[str | None, int | None, str | None]]:
    return [(p.sheet, p.row, p.column) for p in error.problems]


# --------------------------------------------------------------------------- the cases


@pytest.mark.unit
def test_formulas_without_a_stored_result_refuse_the_release() -> None:
    scan = scan_formulas(UNCACHED_CASE)
    assert scan.uncached == [FormulaCell("表1", "B5", "=B3*2"), FormulaCell("表1", "B8", "=B6+B7"),
                             FormulaCell("表1", "B11", "=B9*2")]
    assert (scan.uncached_count, scan.dde_count, scan.cached_count) == (3, 0, 0)
    assert scan.dde == scan.cached == []
    uncached = "file formula_without_cached_value.xlsx: 3 problem(s):"
    with pytest.raises(ReleaseProblems, match=f"^{re.escape(uncached)}") as raised:
        check_formulas(UNCACHED_CASE)
    assert raised.value.total == 3
    assert locations(raised.value) == [("表1", 5, "B"), ("表1", 8, "B"), ("表1", 11, "B")]
    assert [p.problem for p in raised.value.problems] == [
        f"formula '{f}' has no calculated value: {UNCACHED_ADVICE}"
        for f in ("=B3*2", "=B6+B7", "=B9*2")]
    assert str(raised.value.problems[0]) == (
        "file formula_without_cached_value.xlsx, sheet '表1', row 5, column B: formula "
        f"'=B3*2' has no calculated value: {UNCACHED_ADVICE}")


@pytest.mark.unit
def test_a_dde_formula_is_refused_even_with_a_stored_result() -> None:
    scan = scan_formulas(DDE_CASE)
    assert scan.dde == [FormulaCell("表1", "B6", "=cmd|' /C calc'!A0")]
    assert (scan.uncached_count, scan.dde_count, scan.cached_count) == (0, 1, 0)
    dde = f"formula \"=cmd|' /C calc'!A0\": {DDE_ADVICE}"
    with pytest.raises(ReleaseProblems, match=re.escape(dde)) as raised:
        check_formulas(DDE_CASE)
    assert locations(raised.value) == [("表1", 6, "B")]
    assert str(raised.value.problems[0]) == (
        "file formula_dde_command.xlsx, sheet '表1', row 6, column B: formula "
        f"\"=cmd|' /C calc'!A0\": {DDE_ADVICE}")


@pytest.mark.unit
def test_stored_results_are_loaded_with_a_warning(dictionary: Dictionary) -> None:
    scan = scan_formulas(CACHED_CASE)
    assert scan.cached == [FormulaCell("表1", "B4", "=100000000+35951800"),
                           FormulaCell("表1", "B6", "=90000000+5500000")]
    assert (scan.uncached_count, scan.dde_count, scan.cached_count) == (0, 0, 2)
    assert check_formulas(CACHED_CASE) == [
        "2 formula cell(s) were read as their stored values, not recalculated: "
        "sheet '表1' B4, B6"]
    # ... and the reader really gets those stored results (万元 -> yuan).
    adapter = adapter_for(CACHED_CASE, read_sidecar(CACHED_CASE).get("format"), dictionary)
    meta = resolve_metadata(CACHED_CASE, adapter.sniff_title(CACHED_CASE))
    observations = adapter.parse(CACHED_CASE, meta).observations
    by_cell = {(r.source_column, int(r.source_row)): int(r.value)
               for r in observations.itertuples()}
    assert by_cell[("B", 4)] == 135_951_800 * 10_000
    assert by_cell[("B", 6)] == 95_500_000 * 10_000


@pytest.mark.unit
@pytest.mark.parametrize("path", [CASES / "layouts" / "unit_column.xlsx",
                                  GOOD / "gbk_encoded.csv",
                                  BAD / "not_a_spreadsheet.xlsx"], ids=lambda p: p.name)
def test_a_file_without_formulas_gives_an_empty_scan(path: Path) -> None:
    scan = scan_formulas(path)
    assert scan == FormulaScan()
    assert scan.is_empty
    assert check_formulas(path) == []


@pytest.mark.unit
def test_the_generator_reproduces_the_case_files(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-running make_formula_cases.py writes the committed files byte for byte."""
    spec = importlib.util.spec_from_file_location("make_formula_cases", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)   # dataclasses look it up there
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "bad/formula_dde_command.xlsx", "bad/formula_without_cached_value.xlsx",
        "good/formula_with_cached_value.xlsx"]
    for path in written:
        for produced in (path, path.with_name(path.name + ".release.yml")):
            committed = CASES / produced.relative_to(tmp_path)
            assert produced.read_bytes() == committed.read_bytes(), committed.name


# --------------------------------------------------------------------------- chunking


FORMULA_ROW = ('<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>苏州市</x:t></x:is></x:c>'
               '<x:c r="C3"><x:f>A1+1</x:f></x:c></x:row>')


@pytest.mark.unit
@pytest.mark.parametrize("chunk_size", range(1, 24))
def test_a_formula_tag_split_between_two_reads_is_found(tmp_path: Path,
                                                        chunk_size: int) -> None:
    """Every chunk size from 1 byte up: some split ``<x:f>`` between two reads."""
    path = write_xlsx(tmp_path / "prefixed.xlsx", {"表1": sheet_xml(FORMULA_ROW, "x")})
    scan = scan_formulas(path, chunk_size=chunk_size)
    assert scan.uncached == [FormulaCell("表1", "C3", "=A1+1")]
    assert scan.uncached_count == 1


@pytest.mark.unit
@pytest.mark.parametrize("xml, found", [
    (b"<sheetData><row><c><f>A1</f></c></row>", True),
    (b"<c><x:f t='shared' si='0'/></c>", True),
    (b"<c><f/></c>", True),
    (b"<c><f\n>A1</f></c>", True),
    (b"<font><x:filterColumn/><fo/></font>", False),
    (b"<c><v>1</v></c></f>", False),
    (b"", False),
])
def test_the_formula_tag_search(xml: bytes, found: bool) -> None:
    for chunk_size in (1, 2, 3, 5, 1 << 20):
        assert has_formula_element(io.BytesIO(xml), chunk_size) is found, chunk_size


@pytest.mark.unit
def test_a_sheet_without_a_formula_tag_is_not_parsed(tmp_path: Path) -> None:
    """The fast path: a part without ``<f`` is skipped (so even broken XML passes)."""
    path = write_xlsx(tmp_path / "plain.xlsx", {"表1": "<worksheet><sheetData><row>"})
    assert scan_formulas(path, chunk_size=7) == FormulaScan()


# --------------------------------------------------------------------------- .xls bytes


@pytest.mark.unit
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 4, 5, 7, 11, 16, 1 << 20])
def test_the_xls_byte_scan_finds_dde_markers(tmp_path: Path, chunk_size: int) -> None:
    data = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(13) + b"CMD|' /C calc'!A0"
            + bytes(9) + "ddeAuto".encode("utf-16-le") + b"\x00cmd\x03 /C calc" + bytes(5))
    path = tmp_path / "old.xls"
    path.write_bytes(data)
    assert scan_xls_bytes(io.BytesIO(data), chunk_size) == ["cmd|", "ddeauto", "cmd\x03"]
    scan = scan_formulas(path, chunk_size=chunk_size)
    assert scan.dde == [FormulaCell("?", "?", "cmd|"), FormulaCell("?", "?", "ddeauto"),
                        FormulaCell("?", "?", "cmd\x03")]
    assert (scan.dde_count, scan.uncached_count, scan.cached_count) == (3, 0, 0)


@pytest.mark.unit
def test_an_xls_dde_marker_refuses_the_release_without_a_cell(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + "cmd|' /C calc'!A0".encode("utf-16-le"))
    with pytest.raises(ReleaseProblems,
                       match=re.escape(f"file old.xls: formula 'cmd|': {DDE_ADVICE}")) as raised:
        check_formulas(path)
    assert locations(raised.value) == [(None, None, None)]
    assert raised.value.problems[0].problem == f"formula 'cmd|': {DDE_ADVICE}"
    plain = tmp_path / "plain.xls"
    plain.write_bytes(b"\xd0\xcf\x11\xe0" + "苏州市 = B3*2 | not DDE".encode("utf-16-le"))
    assert scan_formulas(plain) == FormulaScan()


# --------------------------------------------------------------------------- DDE


@pytest.mark.unit
@pytest.mark.parametrize("formula, links, dde", [
    ("=cmd|' /C calc'!A0", (), True),
    ("=msexcel|'\\..\\..\\Windows\\System32\\cmd.exe /c calc'!''", (), True),
    ("=SUM(A1:A3)+cmd|'/c calc'!'A0'", (), True),
    ('=DDE("cmd";"/C calc";"A0")', (), True),
    ("=ddeauto(1)", (), True),
    ('=CONCAT("a|b", A1)', (), False),
    ("='sheet|one'!A1*2", (), False),
    ("=[1]!A0", {1}, True),
    ("='[1]Sheet 1'!A0", {1}, True),
    ("=[2]Sheet1!A1", {1}, False),
    ("=Table1[1]+[1]Sheet1!A1", set(), False),
    ('="[1]"&A1', {1}, False),
    ("=ADDRESS(1,1)", (), False),
])
def test_which_formulas_are_dde(formula: str, links: set[int], dde: bool) -> None:
    assert is_dde_formula(formula, links) is dde


@pytest.mark.unit
def test_a_reference_to_a_dde_link_is_refused(tmp_path: Path) -> None:
    """Excel saves ``=cmd|' /C calc'!A0`` as ``[1]!A0``, link 1 a ``ddeLink``."""
    rows = ('<row r="2"><c r="B2"><f>[1]!A0</f><v>0</v></c>'
            '<c r="C2"><f>[2]Sheet1!A1</f><v>5</v></c></row>')
    book = f'<externalLink xmlns="{MAIN_NS}"><externalBook/></externalLink>'
    path = write_xlsx(tmp_path / "links.xlsx", {"S": sheet_xml(rows)}, [dde_link(), book])
    scan = scan_formulas(path)
    assert scan.dde == [FormulaCell("S", "B2", "=[1]!A0")]
    assert scan.cached == [FormulaCell("S", "C2", "=[2]Sheet1!A1")]


@pytest.mark.unit
def test_a_dde_link_no_formula_uses_is_refused_too(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "link.xlsx", {"S": sheet_xml('<row r="1"/>')},
                      unlisted={"xl/externalLinks/externalLink7.xml": dde_link()})
    scan = scan_formulas(path)
    assert scan.dde == [FormulaCell("?", "?", "cmd|' /C calc'!A0")]
    dde = f"file link.xlsx: formula \"cmd|' /C calc'!A0\": {DDE_ADVICE}"
    with pytest.raises(ReleaseProblems, match=re.escape(dde)) as raised:
        check_formulas(path)
    assert locations(raised.value) == [(None, None, None)]


# --------------------------------------------------------------------------- SpreadsheetML


@pytest.mark.unit
def test_shared_formulas_are_judged_by_their_master(tmp_path: Path) -> None:
    rows = ('<row r="2"><c r="B2"><f t="shared" ref="B2:B4" si="0">A2*2</f><v>2</v></c></row>'
            '<row r="3"><c r="B3"><f t="shared" si="0"/><v>4</v></c></row>'
            '<row r="4"><c r="B4"><f t="shared" si="0"/></c></row>'
            "<row r=\"5\"><c r=\"B5\"><f t=\"shared\" ref=\"B5:B6\" si=\"1\">cmd|'/c calc'!A0"
            '</f><v>1</v></c></row>'
            '<row r="6"><c r="B6"><f t="shared" si="1"/><v>1</v></c></row>')
    scan = scan_formulas(write_xlsx(tmp_path / "shared.xlsx", {"S": sheet_xml(rows)}))
    assert scan.cached == [FormulaCell("S", "B2", "=A2*2"),
                           FormulaCell("S", "B3", "(shared formula)")]
    assert scan.uncached == [FormulaCell("S", "B4", "(shared formula)")]
    assert scan.dde == [FormulaCell("S", "B5", "=cmd|'/c calc'!A0"),
                        FormulaCell("S", "B6", "(shared formula)")]


@pytest.mark.unit
def test_stored_results_of_every_type_count(tmp_path: Path) -> None:
    """A string formula's stored result may be "" (``t="str"``, ``<v></v>``); an empty
    ``<v>`` of a number formula is no result."""
    rows = ('<row r="1"><c r="A1" t="str"><f>IF(1,"","x")</f><v></v></c>'
            '<c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
            '<c r="C1" t="b"><f>TRUE()</f><v>1</v></c>'
            '<c r="D1"><f>1+1</f><v/></c>'
            '<c r="E1" t="str"><f>"a"</f></c></row>')
    scan = scan_formulas(write_xlsx(tmp_path / "types.xlsx", {"S": sheet_xml(rows)}))
    assert [c.cell for c in scan.cached] == ["A1", "B1", "C1"]
    assert [c.cell for c in scan.uncached] == ["D1", "E1"]


@pytest.mark.unit
def test_cells_without_a_reference_are_counted_from_the_row(tmp_path: Path) -> None:
    rows = ('<row r="4"><c><v>1</v></c><c><f>A4</f></c><c r="E4"/><c><f>B4</f></c></row>'
            "<row><c><f>1</f></c></row>")
    scan = scan_formulas(write_xlsx(tmp_path / "norefs.xlsx", {"S": sheet_xml(rows)}))
    assert [c.cell for c in scan.uncached] == ["B4", "F4", "A5"]


@pytest.mark.unit
def test_only_the_first_cells_are_kept_but_all_are_counted(tmp_path: Path) -> None:
    uncached = "".join(f'<row r="{r}"><c r="A{r}"><f>1+{r}</f></c></row>' for r in range(1, 26))
    cached = "".join(f'<row r="{r}"><c r="B{r}"><f>2+{r}</f><v>{r}</v></c></row>'
                     for r in range(1, 26))
    path = write_xlsx(tmp_path / "many.xlsx",
                      {"U": sheet_xml(uncached), "C": sheet_xml(cached)})
    scan = scan_formulas(path)
    assert len(scan.uncached) == len(scan.cached) == FORMULA_CELLS_KEPT == 20
    assert (scan.uncached_count, scan.cached_count) == (25, 25)
    many = re.escape("file many.xlsx: 25 problem(s):")
    with pytest.raises(ReleaseProblems, match=many) as raised:
        check_formulas(path)
    assert raised.value.total == 25
    assert str(raised.value).endswith("... and 5 more")
    only_cached = write_xlsx(tmp_path / "cached.xlsx",
                             {"C": sheet_xml(cached), "D": sheet_xml(cached)})
    listed = ", ".join(f"B{r}" for r in range(1, 21))
    assert check_formulas(only_cached) == [
        "50 formula cell(s) were read as their stored values, not recalculated: "
        f"sheet 'C' {listed} (and 30 more)"]


@pytest.mark.unit
def test_the_warning_names_each_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "two.xlsx", {
        "表1": sheet_xml('<row r="3"><c r="B3"><f>1</f><v>1</v></c>'
                         '<c r="C3"><f>2</f><v>2</v></c></row>'),
        "表2": sheet_xml('<row r="9"><c r="AA9"><f>3</f><v>3</v></c></row>')})
    assert check_formulas(path) == [
        "3 formula cell(s) were read as their stored values, not recalculated: "
        "sheet '表1' B3, C3; sheet '表2' AA9"]


@pytest.mark.unit
def test_a_broken_sheet_with_formulas_cannot_be_checked(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "broken.xlsx", {"S": "<worksheet><c><f>1</f></worksheet>"})
    with pytest.raises(ReleaseError, match=r"broken\.xlsx: cannot check the workbook's "
                                           r"formulas: mismatched tag"):
        scan_formulas(path)


@pytest.mark.unit
@pytest.mark.parametrize("cell, split", [("B7", ("B", 7)), ("AA10", ("AA", 10)),
                                         ("$C$3", ("C", 3)), ("?", (None, None))])
def test_cell_references_split_into_column_and_row(cell: str, split: tuple) -> None:
    assert split_cell_reference(cell) == split


# --------------------------------------------------------------------------- .ods


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
    xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
<office:body><office:spreadsheet>
<table:dde-links><table:dde-link><office:dde-source office:dde-application="cmd"
  office:dde-topic="/C calc" office:dde-item="A0"/></table:dde-link></table:dde-links>
<table:table table:name="表1">
  <table:table-row><table:table-cell office:value-type="string"><text:p>城市</text:p>
  </table:table-cell></table:table-row>
  <table:table-row table:number-rows-repeated="2">
    <table:table-cell table:number-columns-repeated="2"/>
    <table:table-cell table:formula="of:=[.A1]*2" office:value-type="float"
                      office:value="4"><text:p>4</text:p></table:table-cell>
    <table:table-cell table:formula="of:=[.A1]*3" table:number-columns-repeated="2"/>
  </table:table-row>
  <table:table-row>
    <table:table-cell table:formula="of:=&quot;x&quot;"><text:p>x</text:p></table:table-cell>
    <table:table-cell table:formula="of:=DDE(&quot;cmd&quot;;&quot;/C calc&quot;;&quot;A0&quot;)"
                      office:value-type="float" office:value="0"/>
  </table:table-row>
</table:table>
</office:spreadsheet></office:body></office:document-content>"""


@pytest.mark.unit
def test_ods_formula_cells(tmp_path: Path) -> None:
    path = tmp_path / "book.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", ODS_CONTENT)
    scan = scan_formulas(path)
    assert scan.cached == [*cells("表1", "C2", "C3", formula="=[.A1]*2"),
                           FormulaCell("表1", "A4", '="x"')]
    assert scan.uncached == cells("表1", "D2", "E2", "D3", "E3", formula="=[.A1]*3")
    assert scan.dde == [FormulaCell("?", "?", "cmd|'/C calc'!A0"),
                        FormulaCell("表1", "B4", '=DDE("cmd";"/C calc";"A0")')]
    assert (scan.cached_count, scan.uncached_count, scan.dde_count) == (3, 4, 2)
