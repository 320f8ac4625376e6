"""The columnar parser gives exactly what the row-by-row parser gave (tests/golden/README.md):
on every synthetic sample and case file (whole tables, line by line), on every refused case
(the same message), and on every real shared dataset (row counts and checksums)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from citytiers.errors import CitytiersError
from citytiers.parse.normalize.dictionary import Dictionary
from citytiers.parse.release import parse_release
from citytiers.settings import PROJECT_ROOT

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
SYNTHETIC = sorted((GOLDEN / "synthetic").glob("*.tsv"))
ERRORS = json.loads((GOLDEN / "synthetic" / "errors.json").read_text(encoding="utf-8"))
REAL = json.loads((GOLDEN / "real_data_digests.json").read_text(encoding="utf-8"))
LINEAGE_ORDER = ["source_sheet", "source_row", "source_column"]
COLUMNS = ["city_code", "city_name_raw", "scope", "indicator_code", "data_year", "value",
           "base_unit", "value_raw", "unit_raw", "source_sheet", "source_row",
           "source_column", "raw_header", "basis"]


def canonical(frame: pd.DataFrame) -> str:
    """One line per row in lineage order, tab-separated; NULL as empty, floats as repr."""
    key = [c for c in LINEAGE_ORDER if c in frame.columns]
    if key:
        frame = frame.sort_values(key, na_position="first", kind="stable")

    def text(value: object) -> str:
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            return ""
        return repr(float(value)) if isinstance(value, float) else str(value)

    rows = ["\t".join(text(v) for v in record) for record in frame.itertuples(index=False)]
    return "\t".join(frame.columns) + "\n" + "\n".join(rows) + "\n"


def source_of(snapshot: Path) -> Path:
    return PROJECT_ROOT / snapshot.name.removesuffix(".tsv").replace("__", "/")


@pytest.mark.functional
@pytest.mark.parametrize("snapshot", SYNTHETIC, ids=lambda p: source_of(p).name)
def test_synthetic_observations_equal_the_snapshot(snapshot: Path,
                                                   dictionary: Dictionary) -> None:
    observations = parse_release(source_of(snapshot), dictionary).observations[COLUMNS]
    expected = snapshot.read_text(encoding="utf-8").splitlines()
    actual = canonical(observations).splitlines()
    assert len(actual) == len(expected)
    for line, (want, got) in enumerate(zip(expected, actual, strict=True), start=1):
        assert got == want, f"line {line} of {snapshot.name}"


@pytest.mark.functional
@pytest.mark.parametrize("relative", sorted(ERRORS), ids=lambda r: Path(r).name)
def test_refused_cases_say_exactly_what_they_said(relative: str,
                                                  dictionary: Dictionary) -> None:
    message = ERRORS[relative].split(": ", 1)[1]  # "<Type>: <message>"
    with pytest.raises(CitytiersError, match=f"^{re.escape(message)}$") as raised:
        parse_release(PROJECT_ROOT / relative, dictionary)
    assert f"{type(raised.value).__name__}: {raised.value}" == ERRORS[relative]


@pytest.mark.functional
@pytest.mark.realdata
def test_real_datasets_parse_to_the_same_tables(shared_data: Path,
                                                dictionary: Dictionary) -> None:
    differing = []
    for relative, tables in sorted(REAL.items()):
        parsed = parse_release(shared_data / relative, dictionary)
        frames = {"observations": parsed.observations[COLUMNS], **parsed.tables}
        for name, digest in tables.items():
            frame = frames[name]
            if name != "observations":
                frame = frame.drop(columns=[c for c in frame.columns
                                            if c in ("release_id", "record_seq")])
            text = canonical(frame)
            got = {"rows": text.count("\n") - 1,
                   "sha256": hashlib.sha256(text.encode()).hexdigest()}
            if got != digest:
                differing.append((relative, name, digest["rows"], got["rows"]))
    assert differing == []
