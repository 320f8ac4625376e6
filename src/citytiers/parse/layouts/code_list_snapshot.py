"""Year-end code lists: one administrative code and its name per line (``代码 名称``).

The layout of ``annual/YYYY.txt`` in github.com/yescallop/areacodes (MCA's 县级以上行政区划代码
as of 31 December of YYYY)::

    110000 北京市
    110101 东城区

A six-digit code, ONE space, the name (which has no surrounding whitespace); blank lines
are skipped. Rows go to ``raw.admin_code_snapshots`` with ``snapshot_year`` = the release's
data year (sidecar ``data_year``; for the 44 yearly files the manifest
``known_releases/areacodes_annual.manifest.yml`` sets it from the file name). A list that
did not change from one year-end to the next is the same bytes, hence one release (2007 =
2008, 2021 = 2022): the manifest gives it both years and every line becomes one row per
year. Lineage: ``source_row`` is the 1-based line number; errors name the line and the
field (column A = 代码, B = 名称).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from citytiers.discover.metadata import ReleaseMetadata
from citytiers.errors import ReleaseError, ReleaseProblems
from citytiers.parse.buffer import Staging
from citytiers.parse.layouts.base import BaseAdapter, Staged, read_csv_text
from citytiers.parse.normalize.codes import is_code

TABLE = "admin_code_snapshots"
SNAPSHOT_COLUMNS = ("snapshot_year", "code", "name", "source_row")
CODE_COLUMN, NAME_COLUMN = "A", "B"


def snapshot_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Records -> exactly ``raw.admin_code_snapshots`` minus release_id / record_seq."""
    frame = pd.DataFrame.from_records(records, columns=list(SNAPSHOT_COLUMNS))
    return frame.astype({"snapshot_year": "int64", "source_row": "int64"})


def parse_line(path: Path, line: str, row: int) -> tuple[str, str]:
    """``'110000 北京市'`` -> (code, name); a malformed line raises naming row and field."""
    code, separator, name = line.partition(" ")
    if not separator:
        raise ReleaseError(path, f"line {line[:40]!r} is not '代码 名称' (a code, one space, "
                                 "a name)", row=row, column=NAME_COLUMN)
    if not is_code(code):
        raise ReleaseError(path, f"代码 {code[:20]!r} is not 6 digits", row=row,
                           column=CODE_COLUMN)
    if not name.strip():
        raise ReleaseError(path, "名称 is empty", row=row, column=NAME_COLUMN)
    if name != name.strip():
        raise ReleaseError(path, f"名称 {name!r} has surrounding whitespace (code and name "
                                 "are separated by a single space)", row=row,
                           column=NAME_COLUMN)
    return code, name


class Adapter(BaseAdapter):
    """``代码 名称`` per line -> ``admin_code_snapshots``."""

    format_name = "code_list_snapshot"
    kind = "reference"

    def stage(self, path: Path, metadata: ReleaseMetadata, staging: Staging) -> Staged:
        records: list[dict[str, object]] = []
        problems: list[ReleaseError] = []
        for row, line in enumerate(read_csv_text(path).splitlines(), start=1):
            if not line.strip():
                continue
            try:
                code, name = parse_line(path, line, row)
            except ReleaseError as exc:
                problems.append(exc)
                continue
            records += [{"snapshot_year": year, "code": code, "name": name, "source_row": row}
                        for year in metadata.data_years]
        if problems:
            raise ReleaseProblems(path, problems)
        if not records:
            raise ReleaseError(path, "the code list has no '代码 名称' lines")
        frame = snapshot_frame(records).sort_values(["snapshot_year", "source_row"],
                                                    kind="stable", ignore_index=True)
        return Staged(tables={TABLE: frame})
