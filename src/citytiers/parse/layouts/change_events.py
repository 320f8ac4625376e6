"""Administrative change events: one row per event (a 地区 becoming a 市, a merger, ...).

Two layouts of the China Urban Research Entity Crosswalk
(github.com/FIERsity/china-prefecture-crosswalk) load into ``raw.admin_change_events``;
the header picks the column mapping (``LAYOUTS``):

==================  ==============================  =====================================
raw column          ``events_2000_2026.csv`` (中文)  ``unified_events_1987_2026.csv`` (en)
==================  ==============================  =====================================
event_id            事件ID                           event_id
event_year          年份                             year
province_name       省级单位                         province_name
old_name            原单位                           old_prefecture_name
old_type            原层级/类型                      (none: null)
new_name            新单位                           new_prefecture_name
new_type            新层级/类型                      (none: null)
event_type          事件类型 (as printed)            event_type (as printed: upgrade, merge)
approval_date       批准日期                         approval_date
document_number     批复文号                         document_number
confidence          置信度 (高)                      confidence (high / medium)
description         处理凭证（释义）                 description
==================  ==============================  =====================================

The other columns of each layout (source URLs, review notes, entity ids, counts) are known
and not loaded; the release's notes name them. A header that is neither layout, or that
has a column neither layout knows, is an error naming the header cell. Values are kept as
printed (blank -> null); 年份 must be a year among the release's ``data_years`` and 批准日期
an ISO date (YYYY-MM-DD) or blank. Uniqueness of event ids and year bounds are the GX suite
``raw_admin_change_events``'s.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from citytiers.discover.metadata import ReleaseMetadata
from citytiers.errors import ReleaseError, ReleaseProblems
from citytiers.parse.buffer import Staging
from citytiers.parse.layouts.base import (
    BaseAdapter,
    Staged,
    column_letter,
    read_csv_rows,
)

TABLE = "admin_change_events"
EVENT_COLUMNS = (
    "event_id", "event_year", "province_name", "old_name", "old_type", "new_name", "new_type",
    "event_type", "approval_date", "document_number", "confidence", "description",
    "source_row",
)
REQUIRED_VALUES = ("event_id", "event_year", "event_type")
YEAR = re.compile(r"^\d{4}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Layout:
    """One publisher's header: source column -> raw column, and columns known but not loaded."""

    name: str
    columns: dict[str, str]
    not_loaded: tuple[str, ...]

    @property
    def known(self) -> set[str]:
        return {*self.columns, *self.not_loaded}


LAYOUTS = (
    Layout(
        name="crosswalk events (Chinese headers, events_2000_2026.csv)",
        columns={
            "事件ID": "event_id", "年份": "event_year", "省级单位": "province_name",
            "原单位": "old_name", "原层级/类型": "old_type", "新单位": "new_name",
            "新层级/类型": "new_type", "事件类型": "event_type", "批准日期": "approval_date",
            "批复文号": "document_number", "置信度": "confidence",
            "处理凭证（释义）": "description",
        },
        not_loaded=("新增地级单位", "撤销地级单位", "净变化", "批准机关", "页面章节",
                    "网页行号凭证", "来源URL", "判定备注"),
    ),
    Layout(
        name="crosswalk unified events (English headers, unified_events_1987_2026.csv)",
        columns={
            "event_id": "event_id", "year": "event_year", "province_name": "province_name",
            "old_prefecture_name": "old_name", "new_prefecture_name": "new_name",
            "event_type": "event_type", "approval_date": "approval_date",
            "document_number": "document_number", "confidence": "confidence",
            "description": "description",
        },
        not_loaded=("entity_id", "automatic_continuity", "review_status", "risk_flags",
                    "review_note", "source_url", "source_revision_id", "source_locator",
                    "source_layer", "source_id", "source_type", "source_confidence"),
    ),
)


def _fold(text: str) -> str:
    """Header cells compare without width differences: （释义） == (释义)."""
    return unicodedata.normalize("NFKC", text).strip()


def events_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Records -> exactly ``raw.admin_change_events`` minus release_id / record_seq."""
    frame = pd.DataFrame.from_records(records, columns=list(EVENT_COLUMNS))
    frame["approval_date"] = pd.to_datetime(frame["approval_date"], format="%Y-%m-%d")
    return frame.astype({"event_year": "int64", "source_row": "int64"})


def choose_layout(path: Path, header: list[str]) -> tuple[Layout, dict[str, int]]:
    """The layout whose columns are all in ``header``, and source column -> index; else a
    ReleaseError naming what is missing (from the closest layout) or unknown."""
    folded = [_fold(cell) for cell in header]
    duplicates = sorted({c for c in folded if c and folded.count(c) > 1})
    if duplicates:
        raise ReleaseError(path, f"header names {', '.join(duplicates)} more than once", row=1)

    def present(layout: Layout) -> int:
        return sum(_fold(name) in folded for name in layout.columns)

    layout = max(LAYOUTS, key=present)
    index = {name: folded.index(_fold(name)) for name in layout.known if _fold(name) in folded}
    missing = [name for name in layout.columns if name not in index]
    if missing:
        raise ReleaseError(path, "unknown header: not a change-event layout; closest is "
                                 f"{layout.name}, which lacks {', '.join(missing)}", row=1)
    known = {_fold(name) for name in layout.known}
    unknown = [ReleaseError(path, f"unknown header {cell!r} (not in the {layout.name} layout; "
                                  "add it to change_events.LAYOUTS if it is new)",
                            row=1, column=column_letter(i))
               for i, cell in enumerate(header) if _fold(cell) and _fold(cell) not in known]
    if unknown:
        raise ReleaseProblems(path, unknown)
    return layout, index


class Adapter(BaseAdapter):
    """Crosswalk change-event tables -> ``admin_change_events``."""

    format_name = "change_events"
    kind = "reference"

    def stage(self, path: Path, metadata: ReleaseMetadata, staging: Staging) -> Staged:
        rows = read_csv_rows(path)
        layout, index = choose_layout(path, rows[0])
        letter = {layout.columns[name]: column_letter(i) for name, i in index.items()
                  if name in layout.columns}
        years = set(metadata.data_years)
        records: list[dict[str, object]] = []
        problems: list[ReleaseError] = []
        for row_number, raw in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) != len(rows[0]):
                problems.append(ReleaseError(
                    path, f"{len(raw)} field(s), the header has {len(rows[0])}", row=row_number))
                continue
            record: dict[str, object] = dict.fromkeys(EVENT_COLUMNS)
            for name, target in layout.columns.items():
                record[target] = raw[index[name]].strip() or None

            def problem(target: str, text: str, row_number: int = row_number) -> None:
                problems.append(ReleaseError(path, text, row=row_number, column=letter[target]))

            for target in REQUIRED_VALUES:
                if record[target] is None:
                    problem(target, f"{target} is empty")
            year = record["event_year"]
            if year is not None and not YEAR.match(str(year)):
                problem("event_year", f"year {year!r} is not a year")
            elif year is not None and int(str(year)) not in years:
                problem("event_year", f"year {year} is not among the release's data years "
                                      f"{min(years)}..{max(years)} (fix the sidecar)")
            date = record["approval_date"]
            if date is not None:
                try:
                    if not ISO_DATE.match(str(date)):
                        raise ValueError(date)
                    dt.date.fromisoformat(str(date))
                except ValueError:
                    problem("approval_date", f"approval date {date!r} is not a date YYYY-MM-DD")
            record["source_row"] = row_number
            records.append(record)
        if problems:
            raise ReleaseProblems(path, problems)
        if not records:
            raise ReleaseError(path, "the change-event table has a header but no rows")
        for record in records:
            record["event_year"] = int(str(record["event_year"]))
        notes = []
        skipped = [name for name in layout.not_loaded if name in index]
        if skipped:
            notes.append(f"{len(skipped)} column(s) not loaded ({layout.name}): "
                         + ", ".join(skipped))
        return Staged(notes, tables={TABLE: events_frame(records)})
