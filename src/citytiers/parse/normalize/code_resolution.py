"""Printed codes and former names resolved through the code history, before any gate.

A yearbook that prints a code the code lists had already retired, with a name that code
carried (``652100 吐鲁番地区`` in a table of 2018 data), means the same place under its new
code when the history names exactly one successor of the same place in force in the data
year (:meth:`citytiers.parse.normalize.code_history.CodeHistory.successor`). Such rows are
re-coded in the
staged ``observations`` (``city_code`` the successor, ``city_code_printed`` the code as
printed, kept in ``raw``), and the release carries a **warning** per printed row. A retired
code without such a successor is left as printed: the code gate then refuses it, quoting
:data:`NOTES_TABLE`'s sentence (split, merger, no successor).

A row that prints only a former name (吐鲁番地区, resolved by the parser through
:meth:`citytiers.parse.normalize.dictionary.Dictionary.city_code_for`) gets the same warning.

The decisions are taken once per distinct (printed name, code, data year), a few hundred
per release; the rows are re-coded by one ``update`` joined on them.
"""

from __future__ import annotations

import pyarrow as pa

from citytiers.findings import WARNING, Finding
from citytiers.parse.normalize.code_history import CodeHistory
from citytiers.parse.normalize.dictionary import Dictionary, normalize_label
from citytiers.parse.normalize.names import short_forms

CHECK_NAME = "Printed codes and former names resolved through the code history"
# Why a retired code printed for a data year has no successor, for the code gate's reason.
NOTES_TABLE = "code_history_notes"
NOTES_COLUMNS = "city_code varchar, data_year integer, why varchar"


class _Folded:
    """Folded names per code, each folded once per release (OpenCC is the cost)."""

    def __init__(self, history: CodeHistory) -> None:
        self.history = history
        self.by_code: dict[str, frozenset[str]] = {}
        self.labels: dict[str, str] = {}

    def label(self, name: str | None) -> str:
        if name not in self.labels:
            self.labels[name] = normalize_label(name or "")
        return self.labels[name]

    def names(self, *codes: str) -> frozenset[str]:
        found: set[str] = set()
        for code in codes:
            if code not in self.by_code:
                names = {self.label(name) for name in self.history.names_of(code)}
                self.by_code[code] = frozenset(
                    names | {short for name in names for short in short_forms(name)})
            found |= self.by_code[code]
        return frozenset(found)


def resolve_retired_codes(con, dictionary: Dictionary) -> list[Finding]:
    """Re-code the staged ``observations`` (on ``con``, the staging connection) whose
    printed code was retired before the data year and has one successor of the same place;
    return the warnings, one per printed row."""
    con.execute(f"create or replace table {NOTES_TABLE} ({NOTES_COLUMNS})")
    con.execute("alter table observations add column if not exists city_code_printed varchar")
    history = dictionary.code_history
    if not history:
        return []
    printed = con.execute("""select distinct city_name_raw, city_code, data_year
                             from observations""").fetchall()
    recoded: list[tuple[str, str, int, str, str]] = []  # name, printed code, year, code, why
    former: list[tuple[str, str, int, str]] = []  # name, code, year, why (name-only)
    notes: list[tuple[str, int, str]] = []
    folded = _Folded(history)
    for name, code, year in printed:
        if history.valid_in(code, year):
            why = _former_name(dictionary, folded, name, code, year)
            if why:
                former.append((name, code, year, why))
            continue
        retired = history.retired_in(code)
        if retired is None or year <= retired:
            continue  # never existed, or not yet: the code gate says so
        outcome = history.successor(code, year)
        if isinstance(outcome, str):
            notes.append((code, year, outcome))
            continue
        if folded.label(name) not in folded.names(code, outcome.code):
            notes.append((code, year, (
                f"{code} {history.name_of(code)} left the code lists in {retired} and "
                f"became {outcome.code} {outcome.name}, but the row prints {name!r}, a name "
                "of neither: fix the name or the code")))
            continue
        recoded.append((name, code, year, outcome.code,
                        f"printed code {code} with name {name!r} for {year}: "
                        + outcome.explained(history)
                        + f". Loaded under {outcome.code} {outcome.name}"))
    if notes:
        con.executemany(f"insert into {NOTES_TABLE} values (?, ?, ?)", notes)
    findings: list[Finding] = []
    if recoded:
        frame = pa.table({"name": [r[0] for r in recoded], "code": [r[1] for r in recoded],
                          "year": pa.array([r[2] for r in recoded], pa.int32()),
                          "successor": [r[3] for r in recoded], "why": [r[4] for r in recoded]})
        con.register("_recoded", frame)
        try:
            findings += _row_findings(con, "_recoded", "successor")
            con.execute("""update observations o
                set city_code_printed = o.city_code, city_code = r.successor
                from _recoded r
                where o.city_name_raw = r.name and o.city_code = r.code
                  and o.data_year = r.year""")
        finally:
            con.unregister("_recoded")
    if former:
        frame = pa.table({"name": [r[0] for r in former], "code": [r[1] for r in former],
                          "year": pa.array([r[2] for r in former], pa.int32()),
                          "why": [r[3] for r in former]})
        con.register("_former", frame)
        try:
            findings += _row_findings(con, "_former", "code")
        finally:
            con.unregister("_former")
    return findings


def _former_name(dictionary: Dictionary, folded: _Folded, name: str, code: str,
                 year: int) -> str | None:
    """Why ``name`` printed for ``code`` is a former unit's name (the parser resolved it
    through a succession), or None when it is a name ``code`` carried (or an alias)."""
    history = folded.history
    key = folded.label(name)
    if not key or key in folded.names(code):
        return None
    found = dictionary.former_name_succession(key, year)  # cheap: checked first
    if found is None or found[1].code != code:
        return None
    if key in dictionary.names_of(code) or dictionary.alias_code(key, year) is not None:
        return None  # a name the code carries itself, or a steward's alias
    former, outcome = found
    return (f"printed name {name!r} for {year} is the name of {former}: "
            + outcome.explained(history) + f". Loaded under {code} {outcome.name}")


def _row_findings(con, relation: str, code_column: str) -> list[Finding]:
    """One warning per printed row of the rows ``relation`` names."""
    rows = con.execute(f"""
        select o.source_sheet, o.source_row, min(o.source_column), r.{code_column},
               r.name, r.year, any_value(r.why)
        from observations o join {relation} r
          on o.city_name_raw = r.name and o.city_code = r.code and o.data_year = r.year
        group by all order by o.source_sheet nulls first, o.source_row""").fetchall()
    return [Finding(WARNING, CHECK_NAME, sheet, row, column, code, name, year, why)
            for sheet, row, column, code, name, year, why in rows]
