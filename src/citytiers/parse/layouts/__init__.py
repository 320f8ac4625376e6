"""Format adapters, one module per format, each exporting ``Adapter``."""

from __future__ import annotations

from pathlib import Path

from citytiers.errors import ReleaseError
from citytiers.parse.layouts import (
    census_table,
    census_yearbook,
    change_events,
    code_list_records,
    code_list_snapshot,
    tidy_csv,
    yearbook_table,
)
from citytiers.parse.layouts.base import BaseAdapter, ParseResult
from citytiers.parse.normalize.dictionary import Dictionary

ADAPTERS: dict[str, type[BaseAdapter]] = {
    tidy_csv.Adapter.format_name: tidy_csv.Adapter,
    yearbook_table.Adapter.format_name: yearbook_table.Adapter,
    census_table.Adapter.format_name: census_table.Adapter,
    census_yearbook.Adapter.format_name: census_yearbook.Adapter,
    code_list_snapshot.Adapter.format_name: code_list_snapshot.Adapter,
    code_list_records.Adapter.format_name: code_list_records.Adapter,
    change_events.Adapter.format_name: change_events.Adapter,
}
# .txt: the yearly code lists (annual/YYYY.txt, format code_list_snapshot).
DATA_SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm", ".xls", ".ods", ".txt"})


def detect_format(path: Path) -> str:
    """A CSV with the tidy header is ``tidy_csv``; a text file a code list; any other table
    is ``yearbook_table``."""
    if path.suffix.lower() == ".txt":
        return code_list_snapshot.Adapter.format_name
    return tidy_csv.Adapter.format_name if tidy_csv.is_tidy_csv(path) else "yearbook_table"


def adapter_for(path: Path, declared: str | None, dictionary: Dictionary) -> BaseAdapter:
    """The adapter the sidecar names, else the one the content fits."""
    name = declared or detect_format(path)
    if name not in ADAPTERS:
        raise ReleaseError(path, f"unknown format {name!r}; known formats are: "
                                 + ", ".join(sorted(ADAPTERS)))
    return ADAPTERS[name](dictionary)


def release_kind(path: Path, declared: str | None) -> str:
    """``data`` or ``reference``, as the release's adapter declares (an unknown format is
    data: ingest reports it)."""
    adapter = ADAPTERS.get(declared or detect_format(path))
    return adapter.kind if adapter else "data"


__all__ = ["ADAPTERS", "DATA_SUFFIXES", "BaseAdapter", "ParseResult", "adapter_for",
           "detect_format", "release_kind"]
