"""Yearbook layouts as really printed: one SYNTHETIC case file per layout in
``tests/cases/layouts`` (written by ``tests/cases/layouts/make_cases.py``).

Each ``<file>.expected.csv`` lists exactly the observations ``parse_release`` must return
for ``<file>`` (values in base units, compared exactly, with lineage to the cell); each
``bad/<file>.expected_error.txt`` holds a regex the error raised for ``<file>`` must match
(a continuation the parser cannot read is an error, never a silent skip).
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml

from citytiers.errors import ReleaseError
from citytiers.parse.normalize.dictionary import Dictionary
from tests.conftest import CASES

LAYOUTS = CASES / "layouts"
BAD_LAYOUTS = LAYOUTS / "bad"
EXPECTED_SUFFIX = ".expected.csv"
ERROR_SUFFIX = ".expected_error.txt"
SIDECAR_SUFFIX = ".release.yml"
DATA_SUFFIXES = (".csv", ".xlsx")
COLUMNS = ["city_code", "scope", "indicator_code", "data_year", "value", "source_sheet",
           "source_row", "source_column"]
# Base value / printed figure, for the units the cases print: 万元, 万人 (1e4) and 亿元 (1e8).
FACTORS = {Decimal(10_000), Decimal(100_000_000)}

Key = tuple[str, str, str, int, float, str, int, str]


def data_files(folder: Path) -> list[Path]:
    """The case data files in ``folder`` (not their sidecars and expectation files)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in DATA_SUFFIXES
                  and not p.name.endswith((EXPECTED_SUFFIX, SIDECAR_SUFFIX)))


def strip_suffix(path: Path, suffix: str) -> Path:
    return path.with_name(path.name.removesuffix(suffix))


EXPECTED = sorted(LAYOUTS.glob("*" + EXPECTED_SUFFIX))
BAD = sorted(BAD_LAYOUTS.glob("*" + ERROR_SUFFIX))
ALL_DATA = data_files(LAYOUTS) + data_files(BAD_LAYOUTS)


def as_frame(observations: object) -> pd.DataFrame:
    """The parser's observations as a DataFrame, whether it returns pandas or Arrow."""
    if hasattr(observations, "to_pandas"):
        return observations.to_pandas()
    return observations if isinstance(observations, pd.DataFrame) else pd.DataFrame(observations)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def keys(frame: pd.DataFrame) -> list[Key]:
    """The eight compared columns as sorted tuples; a blank/None/NaN sheet is ''."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    assert not missing, f"observations lack column(s) {missing}"
    rows = [(str(r.city_code), str(r.scope), str(r.indicator_code), int(r.data_year),
             float(r.value), _text(r.source_sheet), int(r.source_row), str(r.source_column))
            for r in frame[COLUMNS].itertuples(index=False)]
    return sorted(rows)


def expected_frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def parser() -> Callable[[Path, Dictionary], Any]:
    """``citytiers.parse.release.parse_release``, imported here, not at module level, so that the
    checks of the cases themselves (below) run even while the adapters do not import."""
    from citytiers.parse.release import parse_release

    return parse_release


def describe(rows: Counter[Key], limit: int = 12) -> str:
    listed = sorted(rows.elements())
    shown = "\n".join(f"    {row}" for row in listed[:limit])
    return shown + (f"\n    ... and {len(listed) - limit} more" if len(listed) > limit else "")


# --------------------------------------------------------------------------- the layouts


@pytest.mark.unit
@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name[:-len(EXPECTED_SUFFIX)])
def test_layout_parses_to_exactly_the_expected_observations(expected_path: Path,
                                                            dictionary: Dictionary) -> None:
    path = strip_suffix(expected_path, EXPECTED_SUFFIX)
    parsed = parser()(path, dictionary)
    got = keys(as_frame(parsed.observations))
    want = keys(expected_frame(expected_path))
    missing, unexpected = Counter(want) - Counter(got), Counter(got) - Counter(want)
    assert got == want, (
        f"{path.name}: {len(got)} observations parsed, {len(want)} expected\n"
        f"  expected but not parsed ({sum(missing.values())}):\n{describe(missing)}\n"
        f"  parsed but not expected ({sum(unexpected.values())}):\n{describe(unexpected)}")


@pytest.mark.unit
@pytest.mark.parametrize("error_path", BAD, ids=lambda p: p.name[:-len(ERROR_SUFFIX)])
def test_unreadable_layout_is_an_error_not_a_skip(error_path: Path,
                                                  dictionary: Dictionary) -> None:
    path = strip_suffix(error_path, ERROR_SUFFIX)
    pattern = error_path.read_text(encoding="utf-8").strip()
    parse_release = parser()
    with pytest.raises(ReleaseError, match=pattern):
        parse_release(path, dictionary)


# --------------------------------------------------------------------------- the cases


@pytest.mark.unit
def test_every_case_has_one_expectation() -> None:
    assert EXPECTED and BAD
    for path in ALL_DATA:
        outcomes = [p for p in (Path(f"{path}{EXPECTED_SUFFIX}"), Path(f"{path}{ERROR_SUFFIX}"))
                    if p.exists()]
        assert len(outcomes) == 1, f"{path.name}: needs exactly one of .expected.csv / " \
                                   f".expected_error.txt, has {[p.name for p in outcomes]}"
    assert {strip_suffix(p, EXPECTED_SUFFIX) for p in EXPECTED} | \
        {strip_suffix(p, ERROR_SUFFIX) for p in BAD} == set(ALL_DATA)


@pytest.mark.unit
@pytest.mark.parametrize("path", ALL_DATA, ids=lambda p: p.name)
def test_case_sidecar_is_synthetic(path: Path) -> None:
    sidecar = yaml.safe_load(Path(f"{path}{SIDECAR_SUFFIX}").read_text(encoding="utf-8"))
    assert sidecar["is_synthetic"] is True
    assert sidecar["publisher"] == "sample"
    assert "SYNTHETIC SAMPLE" in sidecar["title"]
    assert sidecar["format"] == "yearbook_table"
    assert isinstance(sidecar["data_year"], int)


def _cell(path: Path, sheet: str, row: int, column: str) -> object:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        return rows[row - 1][openpyxl.utils.column_index_from_string(column) - 1]
    workbook = openpyxl.load_workbook(path, data_only=True)
    return workbook[sheet][f"{column}{row}"].value


@pytest.mark.unit
@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name[:-len(EXPECTED_SUFFIX)])
def test_expected_cells_hold_the_printed_figures(expected_path: Path) -> None:
    """The case itself is right, whatever the parser does: each expected observation points
    at a cell holding a figure that is its value divided by 万 or 亿, exactly."""
    path = strip_suffix(expected_path, EXPECTED_SUFFIX)
    expected = expected_frame(expected_path)
    assert list(expected.columns) == COLUMNS
    assert expected.duplicated(["city_code", "scope", "indicator_code"]).sum() == 0
    for row in expected.itertuples(index=False):
        assert float(row.value) == int(row.value), row            # exact in binary too
        printed = _cell(path, row.source_sheet, int(row.source_row), row.source_column)
        ratio = Decimal(row.value) / Decimal(repr(printed) if isinstance(printed, float)
                                             else str(printed))
        assert ratio in FACTORS, (row, printed)


@pytest.mark.unit
def test_generator_reproduces_the_cases(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-running make_cases.py writes the committed files byte for byte."""
    spec = importlib.util.spec_from_file_location("make_cases", LAYOUTS / "make_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)   # dataclasses look it up there
    spec.loader.exec_module(module)
    module.main(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(LAYOUTS) for p in LAYOUTS.rglob("*")
                       if p.is_file() and p.name != "make_cases.py"
                       and "__pycache__" not in p.parts)
    assert written == committed
    for relative in written:
        assert (tmp_path / relative).read_bytes() == (LAYOUTS / relative).read_bytes(), relative
