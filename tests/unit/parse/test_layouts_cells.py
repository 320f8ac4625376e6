"""The bulk value path (parse/layouts/cells.py) against the one-cell reference semantics
(``base.parse_number`` + ``to_base_unit``, what the row-by-row parser did per cell):
the same placeholders, the same numbers, the same exact conversions, for any text."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citytiers.errors import ReleaseProblems
from citytiers.parse.buffer import Staging
from citytiers.parse.layouts.base import parse_number, to_base_unit
from citytiers.parse.layouts.cells import EXACT_BELOW, PLACEHOLDERS, build_observations
from citytiers.parse.normalize.dictionary import Dictionary

# Digits and signs as publishers print them, half- and full-width, with separators,
# exponents, spaces (ASCII, ideographic, no-break) and text that is not a number.
ALPHABET = "0123456789０１２３４５６７８９.,．，+-－eE \u3000\u00a0x/—…"
TEXTS = st.one_of(st.text(alphabet=ALPHABET, max_size=12), st.sampled_from(sorted(PLACEHOLDERS)),
                  st.sampled_from(["282.22", "１，２３４．５", " 42 ", "1e3", "-0.5", ".5", "7."]))


def stage(texts: list[str], unit: str, dictionary: Dictionary) -> Staging:
    staging = Staging()
    staging.con.execute("create table cell_input (value_raw varchar, source_row integer)")
    staging.con.executemany("insert into cell_input values (?, ?)",
                            [(text, row) for row, text in enumerate(texts, start=2)])
    staging.con.execute(f"""create temp view cells as select 0 as sheet_index,
        5 as column_index, '320500' as city_code, '苏州市' as city_name_raw,
        'whole_city' as scope, 'population_resident' as indicator_code, 2022 as data_year,
        '{unit}' as unit_raw, value_raw, NULL::varchar as source_sheet, source_row,
        'F' as source_column, 'h' as raw_header, NULL::varchar as basis,
        NULL::varchar as unit_column from cell_input""")
    return staging


def expected(texts: list[str], factor: float) -> tuple[dict[int, float], int]:
    values, invalid = {}, 0
    for row, text in enumerate(texts, start=2):
        try:
            number = parse_number(text.strip())
        except ValueError:
            invalid += 1
            continue
        if number is not None:
            values[row] = to_base_unit(number, factor)
    return values, invalid


@pytest.mark.unit
@settings(max_examples=60, deadline=None)
@given(texts=st.lists(TEXTS, min_size=1, max_size=25))
def test_bulk_path_parses_like_the_cell_by_cell_reference(texts: list[str],
                                                          dictionary: Dictionary) -> None:
    want, invalid = expected(texts, 1e4)
    staging = stage(texts, "万人", dictionary)
    if invalid:
        problems = (rf"^file case\.csv: {invalid} problem\(s\):\n"
                    r"  - file case\.csv, row \d+, column F: value .+ is not a number")
        with pytest.raises(ReleaseProblems, match=problems) as raised:
            build_observations(staging, Path("case.csv"), dictionary)
        assert raised.value.total == invalid
        return
    build_observations(staging, Path("case.csv"), dictionary)
    got = dict(staging.con.execute("select source_row, value from observations").fetchall())
    assert got.keys() == want.keys()
    for row, value in want.items():
        # Exact below EXACT_BELOW (in the printed unit); beyond, double arithmetic (1 ulp).
        if abs(value) < EXACT_BELOW * 1e4:
            assert got[row] == value, texts[row - 2]
        else:
            assert math.isclose(got[row], value, rel_tol=1e-15), texts[row - 2]


@pytest.mark.unit
def test_exact_decimal_conversions(dictionary: Dictionary) -> None:
    texts = ["282.22", "１，２３４．５", "0.1", "3719.01"]
    staging = stage(texts, "万人", dictionary)
    build_observations(staging, Path("case.csv"), dictionary)
    got = [row[0] for row in staging.con.execute(
        "select value from observations order by observation_seq").fetchall()]
    # 282.22 * 10000 in binary floating point is 2822200.0000000005.
    assert got == [2822200.0, 12345000.0, 1000.0, 37190100.0]
    assert 282.22 * 10000 != 2822200.0
