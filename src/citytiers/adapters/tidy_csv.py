"""Tidy CSV releases: one observation per row (communiqués, hand-made extracts)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from citytiers.adapters.base import (
    BaseAdapter,
    ParseResult,
    column_letter,
    observations_frame,
    parse_number,
    read_csv_text,
    to_base_unit,
)
from citytiers.dictionary import normalize_code
from citytiers.errors import ReleaseError, ReleaseProblems
from citytiers.metadata import ReleaseMetadata

TIDY_COLUMNS = ("city_code", "city_name", "data_year", "indicator", "scope", "value", "unit")


def is_tidy_csv(path: Path) -> bool:
    """True when the first line is exactly the tidy header (in any column order)."""
    if path.suffix.lower() != ".csv":
        return False
    first_line = read_csv_text(path).splitlines()[:1]
    header = next(csv.reader(first_line), [])
    return sorted(h.strip() for h in header) == sorted(TIDY_COLUMNS)


class Adapter(BaseAdapter):
    """``city_code,city_name,data_year,indicator,scope,value,unit``; unit per row."""

    format_name = "tidy_csv"

    def parse(self, path: Path, metadata: ReleaseMetadata) -> ParseResult:
        reader = csv.DictReader(io.StringIO(read_csv_text(path)))
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in TIDY_COLUMNS if c not in header]
        if missing:
            raise ReleaseError(path, f"tidy CSV lacks column(s) {', '.join(missing)}; "
                                     f"expected header {','.join(TIDY_COLUMNS)}", row=1)
        letters = {name: column_letter(header.index(name)) for name in TIDY_COLUMNS}
        records: list[dict[str, object]] = []
        problems: list[ReleaseError] = []
        for row_number, raw in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}

            def problem(column: str, text: str, row_number: int = row_number) -> None:
                problems.append(ReleaseError(path, text, row=row_number, column=letters[column]))

            if not any(row.values()):
                continue
            printed_year = int(row["data_year"]) if row["data_year"].isdigit() else None
            code = (normalize_code(row["city_code"])
                    or self.dictionary.city_code_for(row["city_name"], printed_year))
            if code is None:
                problem("city_code", f"city code {row['city_code']!r} is not 6 digits and name "
                                     f"{row['city_name']!r} is not a known city")
            indicator = self.dictionary.indicator_for(row["indicator"])
            if indicator is None:
                problem("indicator", f"unknown indicator {row['indicator']!r}: add it to "
                                     "dbt_project/seeds/indicator_synonyms.csv")
            scope = self.dictionary.scope_for(row["scope"] or "全市")
            if scope is None:
                problem("scope", f"unknown scope {row['scope']!r} (expected 全市, 市辖区 or 城区)")
            unit = self.dictionary.unit_for(row["unit"])
            if unit is None:
                problem("unit", f"unknown unit {row['unit']!r}: add it to "
                                "dbt_project/seeds/unit_factors.csv")
            elif indicator is not None and unit.base_unit != indicator.base_unit:
                problem("unit", f"unit {row['unit']!r} measures {unit.base_unit}, but "
                                f"{indicator.code} is in {indicator.base_unit}")
            try:
                year = int(row["data_year"])
            except ValueError:
                problem("data_year", f"data year {row['data_year']!r} is not a whole number")
                year = None
            if year is not None and year not in metadata.data_years:
                problem("data_year", f"data year {year} is not among the release's data_years "
                                     f"{metadata.data_years} (fix the sidecar or the row)")
            try:
                number = parse_number(row["value"])
            except ValueError:
                problem("value", f"value {row['value']!r} is not a number")
                continue
            if number is None or None in (code, indicator, scope, unit, year):
                continue
            records.append({
                "city_code": code, "city_name_raw": row["city_name"], "scope": scope,
                "indicator_code": indicator.code, "data_year": year,
                "value": to_base_unit(number, unit.factor), "base_unit": unit.base_unit,
                "value_raw": row["value"], "unit_raw": row["unit"], "source_sheet": None,
                "source_row": row_number, "source_column": letters["value"],
                "raw_header": "value", "basis": None,
            })
        if problems:
            raise ReleaseProblems(path, problems)
        if not records:
            raise ReleaseError(path, "no observations: every value is blank or a placeholder")
        return ParseResult(observations_frame(records))
