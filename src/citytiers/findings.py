"""What the checks found in one release, row by row: problems and warnings.

- A **problem** refuses the release: it is quarantined and nothing of it is loaded (a unit
  error, an impossible figure, a code that never existed, a name that contradicts its
  code). A steward who has checked it can accept it (``citytiers releases accept``).
- A **warning** loads the release and is kept with it: a retired code resolved to its
  successor, a formula read as its stored value, a census's known inconsistency.

Both are kept in ``raw.release_findings`` (one row per finding, append-only like the rest
of ``raw``), written in the same transaction as the release's attempt, and shown by
``citytiers releases show``, the run summary and the data-quality report.
docs/bad-data.md lists every problem and warning with an example.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

import pyarrow as pa

from citytiers.errors import ReleaseError, ReleaseProblems, TerminalError, ValidationFailed

PROBLEM = "problem"
WARNING = "warning"
# The staging table (and, under raw, the warehouse table) holding a release's findings.
FINDINGS_TABLE = "release_findings"
FINDING_SCHEMA = pa.schema([
    ("severity", pa.string()), ("check_name", pa.string()), ("source_sheet", pa.string()),
    ("source_row", pa.int32()), ("source_column", pa.string()), ("city_code", pa.string()),
    ("city_name_raw", pa.string()), ("data_year", pa.int32()), ("message", pa.string())])


@dataclass(frozen=True)
class Finding:
    """One problem or warning, at one row (of one sheet) where it has one."""

    severity: str
    check_name: str
    source_sheet: str | None
    source_row: int | None
    source_column: str | None
    city_code: str | None
    city_name_raw: str | None
    data_year: int | None
    message: str

    def where(self) -> str:
        parts = [f"sheet {self.source_sheet!r}" if self.source_sheet else "",
                 f"row {self.source_row}" if self.source_row is not None else "",
                 f"column {self.source_column}" if self.source_column else ""]
        return ", ".join(part for part in parts if part)

    def located(self) -> str:
        """``row 18, column C: <message>`` (the message alone for the whole release)."""
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


def as_table(findings: list[Finding]) -> pa.Table:
    rows = [astuple(finding) for finding in findings]
    return pa.table({name: [row[i] for row in rows]
                     for i, name in enumerate(FINDING_SCHEMA.names)}, schema=FINDING_SCHEMA)


def put(con, findings: list[Finding]) -> None:
    """Append ``findings`` to the staging connection's :data:`FINDINGS_TABLE`."""
    ensure_table(con)
    if findings:
        con.register("_findings", as_table(findings))
        try:
            con.execute(f"insert into {FINDINGS_TABLE} select * from _findings")
        finally:
            con.unregister("_findings")


def ensure_table(con) -> None:
    columns = ", ".join(f"{field.name} {_SQL_TYPES[field.type]}" for field in FINDING_SCHEMA)
    con.execute(f"create table if not exists {FINDINGS_TABLE} ({columns})")


_SQL_TYPES = {pa.string(): "varchar", pa.int32(): "integer"}


def problems_of(error: TerminalError, check_name: str = "parse") -> list[Finding]:
    """The problems a terminal error names, one per cell it lists."""
    if isinstance(error, ReleaseProblems):
        return [Finding(PROBLEM, check_name, p.sheet, p.row, p.column, None, None, None,
                        p.problem) for p in error.problems]
    if isinstance(error, ReleaseError):
        return [Finding(PROBLEM, check_name, error.sheet, error.row, error.column, None, None,
                        None, error.problem)]
    if isinstance(error, ValidationFailed):
        return [Finding(PROBLEM, error.suite, None, None, None, None, None, None,
                        error.summary)]
    return [Finding(PROBLEM, check_name, None, None, None, None, None, None, str(error))]


def read_staged(staging_path) -> list[Finding]:
    """The findings the staging database holds after a failed attempt: the warnings
    already staged and every row the gates before load found (``gate_problems``), with the
    city, code and year of the row each names."""
    from citytiers.database import open_duckdb
    from citytiers.gates.queries import PROBLEMS_TABLE

    if staging_path is None or not staging_path.exists():
        return []
    with open_duckdb(staging_path, read_only=True) as con:
        tables = {row[0] for row in con.execute("select table_name from duckdb_tables()")
                  .fetchall()}
        found: list[Finding] = []
        if FINDINGS_TABLE in tables:
            found += [Finding(*row) for row in con.execute(
                f"select * from {FINDINGS_TABLE}").fetchall()]
        if PROBLEMS_TABLE in tables and "observations" in tables:
            found += [Finding(PROBLEM, *row) for row in con.execute(f"""
                select g.gate, g.source_sheet, g.source_row, g.source_column, o.city_code,
                       o.city_name_raw, o.data_year, g.problem
                from {PROBLEMS_TABLE} g left join observations o
                  on o.source_sheet is not distinct from g.source_sheet
                 and o.source_row = g.source_row and o.source_column = g.source_column
                qualify row_number() over (partition by g.rowid) = 1
                order by g.source_sheet nulls first, g.source_row""").fetchall()]
    return found


def release_findings(db, release_id: str) -> list[Finding]:
    """The findings of ``release_id``'s latest attempt in the writer's database ``db``."""
    from citytiers.database import connect, has_table

    with connect(db) as connection:
        if not has_table(connection, "raw", FINDINGS_TABLE):
            return []
        rows = connection.execute(f"""
            select {", ".join(FINDING_SCHEMA.names)} from raw.{FINDINGS_TABLE}
            where release_id = $id and processed_at = (
                select max(processed_at) from raw.releases where release_id = $id)
            order by record_seq""", {"id": release_id}).fetchall()
    return [Finding(*row) for row in rows]
