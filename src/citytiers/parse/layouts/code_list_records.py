"""Code record tables: the history of every administrative code, one row per record.

The layout of ``result.csv`` in github.com/yescallop/areacodes (UTF-8 with BOM)::

    代码,一级行政区,二级行政区,名称,级别,状态,启用时间,变更/弃用时间,新代码
    110103,北京市,直辖,崇文区,县级,弃用,1981,2010,110101

A record is valid from the year-end list of 启用时间 (inclusive) to that of 变更/弃用时间
(exclusive, blank while in use); 新代码 lists successor codes separated by ``;``, each with
an optional ``[year]`` when the change happened in another year than 变更/弃用时间. Rows go
to ``raw.admin_code_records`` (columns named in raw_schema.sql), values as printed: a blank
一级/二级行政区 or 新代码 is null.

The header must be exactly the one above (a renamed or added column is an error naming the
header cell). Cells are checked here for shape (code, years, successor list; errors name
the row and column letter); 级别 / 状态 vocabularies, duplicate records and year order are
the GX suite ``raw_admin_code_records``'s. Each year must be one of the release's
``data_years`` (the year-end lists the table is compiled from).
"""

from __future__ import annotations

import re
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
from citytiers.parse.normalize.codes import SUCCESSOR_CODES, is_code

TABLE = "admin_code_records"
HEADER = ("代码", "一级行政区", "二级行政区", "名称", "级别", "状态", "启用时间", "变更/弃用时间",
          "新代码")
# Source header -> raw.admin_code_records column, in file order.
COLUMN_OF = dict(zip(HEADER, (
    "code", "province_name", "prefecture_name", "name", "level_zh", "status_zh",
    "valid_from_year", "valid_to_year", "successor_codes"), strict=True))
RECORD_COLUMNS = (*COLUMN_OF.values(), "source_row")
REQUIRED = frozenset({"代码", "名称", "级别", "状态", "启用时间"})
YEAR = re.compile(r"^\d{4}$")


def records_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Records -> exactly ``raw.admin_code_records`` minus release_id / record_seq."""
    frame = pd.DataFrame.from_records(records, columns=list(RECORD_COLUMNS))
    return frame.astype({"valid_from_year": "int64", "valid_to_year": "Int64",
                         "source_row": "int64"})


def check_header(path: Path, header: list[str]) -> None:
    """The header must be ``HEADER`` exactly; every differing cell is reported."""
    problems = []
    for index in range(max(len(header), len(HEADER))):
        found = header[index] if index < len(header) else ""
        expected = HEADER[index] if index < len(HEADER) else ""
        if found != expected:
            what = (f"unknown header {found!r}, expected {expected!r}" if found and expected
                    else f"unknown header {found!r} (no column expected here)" if found
                    else f"header {expected!r} is missing")
            problems.append(ReleaseError(path, what, row=1, column=column_letter(index)))
    if problems:
        problems.insert(0, ReleaseError(path, "the header is not the code-record layout "
                                              + ",".join(HEADER), row=1))
        raise ReleaseProblems(path, problems)


class Adapter(BaseAdapter):
    """areacodes ``result.csv`` -> ``admin_code_records``."""

    format_name = "code_list_records"
    kind = "reference"

    def stage(self, path: Path, metadata: ReleaseMetadata, staging: Staging) -> Staged:
        rows = read_csv_rows(path)
        check_header(path, [cell.strip() for cell in rows[0]])
        years = set(metadata.data_years)
        records: list[dict[str, object]] = []
        problems: list[ReleaseError] = []
        for row_number, raw in enumerate(rows[1:], start=2):
            cells = [cell.strip() for cell in raw]
            if not any(cells):
                continue
            if len(cells) != len(HEADER):
                problems.append(ReleaseError(
                    path, f"{len(cells)} field(s), expected {len(HEADER)}", row=row_number))
                continue
            row = dict(zip(HEADER, cells, strict=True))

            def problem(header: str, text: str, row_number: int = row_number) -> None:
                problems.append(ReleaseError(path, text, row=row_number,
                                             column=column_letter(HEADER.index(header))))

            for header in sorted(REQUIRED - {h for h in HEADER if row[h]}, key=HEADER.index):
                problem(header, f"{header} is empty")
            if row["代码"] and not is_code(row["代码"]):
                problem("代码", f"代码 {row['代码']!r} is not 6 digits")
            for header in ("启用时间", "变更/弃用时间"):
                if row[header] and not YEAR.match(row[header]):
                    problem(header, f"{header} {row[header]!r} is not a year")
                elif row[header] and int(row[header]) not in years:
                    problem(header, f"{header} {row[header]} is not among the release's data "
                                    f"years {min(years)}..{max(years)} (fix the sidecar)")
            if row["新代码"] and not SUCCESSOR_CODES.fullmatch(row["新代码"]):
                problem("新代码", f"新代码 {row['新代码']!r} is not a ';'-separated list of "
                               "6-digit codes with an optional [year]")
            record: dict[str, object] = {COLUMN_OF[h]: row[h] or None for h in HEADER}
            record["valid_from_year"] = int(row["启用时间"]) if YEAR.match(row["启用时间"]) else 0
            record["valid_to_year"] = (int(row["变更/弃用时间"])
                                       if YEAR.match(row["变更/弃用时间"]) else None)
            record["source_row"] = row_number
            records.append(record)
        if problems:
            raise ReleaseProblems(path, problems)
        if not records:
            raise ReleaseError(path, "the code-record table has a header but no rows")
        return Staged(tables={TABLE: records_frame(records)})
