"""A failed expectation in a steward's words: values as people write them, rules with their
bounds, rows by city and year or by sheet, row and column; never a Python repr."""

from __future__ import annotations

import numpy as np
import pytest

from citytiers.validate.steward_words import condition, number, rule, sentence

pytestmark = pytest.mark.unit

GROWTH = {"column": "gdp_growth_nominal_pct", "min_value": -50.0, "max_value": 100.0,
          "row_condition": {"column": {"name": "boundary_break"}, "operator": "==",
                            "parameter": False, "type": "comparison"}}
LABELS = {"gdp_growth_nominal_pct": "Nominal growth on data year - 1, percent / 名义增速（%）."}


@pytest.mark.parametrize(("value", "written"), [
    (np.float64(142.46465560912597), "142.46"), (np.int64(2024), "2,024"), (-50.0, "-50"),
    (1.661e15, "1,661,000,000,000,000"), (0.125, "0.12"), (3.5e6 + 0.5, "3,500,000"),
    ("320500", "320500"), (True, "True"),
])
def test_numbers_are_written_as_people_write_them(value: object, written: str) -> None:
    assert number(value) == written


def test_a_rule_says_its_bound_and_its_condition() -> None:
    assert rule("expect_column_values_to_be_between", GROWTH) == (
        "outside the allowed -50 to 100 (where boundary_break is false)")
    assert rule("expect_column_values_to_be_between", {"min_value": 0}) == (
        "under the allowed minimum 0")
    assert rule("expect_column_values_to_be_in_set", {"value_set": ["a", "b"]}) == (
        "not one of the allowed values (a, b)")
    assert condition(None) == ""


def test_a_mart_row_is_named_by_city_year_figure_value_and_bound() -> None:
    row = {"gdp_release_id": "c27c95f8ce63aa", "city_name": "北京市", "city_code": "110000",
           "data_year": np.int64(2024), "gdp_growth_nominal_pct": np.float64(142.4646556)}
    text = sentence("mart_growth_ranking_year", "expect_column_values_to_be_between", GROWTH,
                    None, [row], 1, LABELS)
    assert text == ("mart_growth_ranking_year: 北京市 110000, 2024: Nominal growth on data "
                    "year - 1, percent / 名义增速（%） [gdp_growth_nominal_pct] is 142.46, "
                    "outside the allowed -50 to 100 (where boundary_break is false)")


def test_rows_beyond_the_first_are_counted() -> None:
    rows = [{"city_code": f"32{i:04d}", "data_year": 2024, "gdp_growth_nominal_pct": 200.0}
            for i in range(7)]
    text = sentence("mart_growth_ranking_year", "expect_column_values_to_be_between", GROWTH,
                    None, rows, 7, LABELS)
    assert text.count(" is 200") == 5  # five rows named
    assert text.endswith("(and 2 more row(s))")


def test_a_gate_row_keeps_its_own_sentence_after_its_place() -> None:
    row = {"source_sheet": None, "source_row": 3, "source_column": "F",
           "problem": "code 329900 (printed with 火星市) is in no code list valid in 2022"}
    text = sentence("observations", "unexpected_rows_expectation", {},
                    "Every printed code is in the code list valid in its data year", [row], 1)
    assert text == ("Every printed code is in the code list valid in its data year: row 3, "
                    "column F: code 329900 (printed with 火星市) is in no code list valid in "
                    "2022")


def test_a_table_check_without_rows_says_what_was_found() -> None:
    text = sentence("mart_trillion_club_year", "expect_table_row_count_to_be_between",
                    {"min_value": 1}, None, [], None, observed=np.int64(0))
    assert "np." not in text and text.endswith("(found 0)")
