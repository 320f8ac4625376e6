"""The tier and ranking mart suites on real DataFrames: a plausible frame passes, and each
suite fails on the implausible value it exists to catch."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from citytiers.audit.verdict import MART_TABLES
from citytiers.settings import Settings
from citytiers.validate.gx_project import run_checkpoint
from citytiers.validate.suites import SUITES, mart_columns

YI = 1e8  # 亿元 -> yuan


def vintages() -> pd.DataFrame:
    """Suzhou 2023 GDP: communiqué, then yearbook, then economic-census revision."""
    return pd.DataFrame({
        "city_code": ["320500"] * 3, "data_year": [2023] * 3, "indicator_code": ["gdp"] * 3,
        "scope": ["whole_city"] * 3, "basis": ["reported"] * 3, "release_id": ["a", "b", "c"],
        "vintage_rank": [3, 2, 1],
        "published_on": pd.to_datetime(["2024-03-01", "2024-12-15", "2024-12-30"]),
        "revision_pct": [None, 0.06, 2.68],
    })


def size_class() -> pd.DataFrame:
    return pd.DataFrame({
        "city_code": ["440600", "440600"], "data_year": [2020, 2020],
        "basis": ["census_chengqu", "yearbook_chengqu"],
        "urban_population_persons": [8.54e6, 1.94e6], "size_class": ["mega", "large_2"],
    })


def tier_year() -> pd.DataFrame:
    return pd.DataFrame({
        "scheme": ["press_2023", "press_2023"], "city_code": ["320400", "320400"],
        "data_year": [2022, 2023], "tier": ["waist", "head"],
        "reason": ["waist: ...", "head: GDP >= 1 trillion yuan"],
        "size_class": ["large_2", "large_2"], "gdp_yuan": [9550 * YI, 10116.36 * YI],
    })


def tier_year_all_schemes() -> pd.DataFrame:
    frame = tier_year()
    other = frame.assign(scheme="gdp_bands", tier=["neck", "head"])
    return pd.concat([frame, other], ignore_index=True)


def trillion_club() -> pd.DataFrame:
    return pd.DataFrame({
        "city_code": ["320400"], "data_year": [2023], "is_member": [True],
        "member_count": [26], "gdp_yuan": [10116.36 * YI],
    })


def growth_ranking() -> pd.DataFrame:
    return pd.DataFrame({
        "city_code": ["370100", "370200"], "data_year": [2019, 2019],
        "gdp_yuan": [9443.37 * YI, 11741.31 * YI],
        "gdp_growth_nominal_pct": [20.2, -2.2], "boundary_break": [True, False],
        "gdp_cagr_pct": [None, 6.5], "cagr_boundary_break": [True, False],
        "gdp_growth_real_pct": [7.0, 6.5],
        "gdp_rank_national": [2, 1], "gdp_rank_province": [2, 1],
        "growth_rank_national": [None, 1], "growth_rank_province": [None, 1],
    })


def overtakes() -> pd.DataFrame:
    return pd.DataFrame({
        "comparison": ["national", "province"], "data_year": [2022, 2022],
        "city_code": ["321300", "321300"], "peer_city_code": ["320700", "320700"],
        "rank_in_comparison": [1, 1], "peer_rank_in_comparison": [2, 2],
        "previous_gdp_yuan": [3719.01 * YI] * 2, "peer_previous_gdp_yuan": [3727.92 * YI] * 2,
        "first_time": [True, True],
    })


def measure_overtakes() -> pd.DataFrame:
    """A per-capita income overtake within a province (illustrative figures, yuan)."""
    return pd.DataFrame({
        "measure": ["disposable_income_per_capita"], "comparison": ["province"],
        "data_year": [2022], "city_code": ["360500"], "peer_city_code": ["360400"],
        "rank_in_comparison": [2], "peer_rank_in_comparison": [3],
        "value": [52500.0], "peer_value": [52100.0],
        "previous_value": [49800.0], "peer_previous_value": [50100.0], "first_time": [True],
    })


def measure_ranks() -> pd.DataFrame:
    """新余 (360500) 2022: 2nd in 江西 on per-capita disposable income (illustrative)."""
    return pd.DataFrame({
        "measure": ["disposable_income_per_capita", "gdp_per_capita"],
        "city_code": ["360500", "360500"], "data_year": [2022, 2022],
        "value": [46500.0, 108000.0], "rank_national": [60, 40],
        "rank_province": [2, 1], "first_time_province_top_n": [True, False],
    })


def tier_transitions() -> pd.DataFrame:
    return pd.DataFrame({
        "city_code": ["320400"], "data_year": [2023], "from_year": [2022],
        "from_tier": ["waist"], "to_tier": ["head"], "direction": ["up"],
    })


def population_change() -> pd.DataFrame:
    return pd.DataFrame({
        "city_code": ["440300", "460300"], "is_comparable": [True, False],
        "change_pct": [68.5, None], "population_to_persons": [17.56e6, 2300.0],
        "change_rank_national": [1, None], "change_rank_province": [1, None],
        "change_pct_rank_national": [1, None], "change_pct_rank_province": [1, None],
    })


# suite -> (a plausible frame, how to break it, the expectation that must catch it). Only
# plausibility: keys, NOT NULL and accepted values are dbt tests (_marts__models.yml).
CASES: dict[str, tuple[Callable[[], pd.DataFrame], Callable[[pd.DataFrame], None], str]] = {
    "mart_city_size_class": (
        # More people in one built-up area than Chongqing's whole municipality.
        size_class, lambda f: f.__setitem__("urban_population_persons", [8.5e6, 4.0e7]),
        "expect_column_values_to_be_between"),
    "mart_city_tier_year": (
        tier_year, lambda f: f.__setitem__("city_code", ["320500", "32050"]),
        "expect_column_values_to_match_regex"),
    "mart_city_tier_year_all_schemes": (
        tier_year_all_schemes, lambda f: f.__setitem__("scheme", ["press_1999"] * 4),
        "expect_column_values_to_be_in_set"),
    "mart_trillion_club_year": (
        trillion_club, lambda f: f.__setitem__("member_count", [0]),
        "expect_column_values_to_be_between"),
    "fct_city_indicator_vintage": (
        # Vintages are ranked from 1 (the latest); how far one may move from the previous
        # is a gate before load (seeds/plausibility_factors.csv), not checked here.
        vintages, lambda f: f.__setitem__("vintage_rank", [3, 2, 0]),
        "expect_column_values_to_be_between"),
    "mart_growth_ranking_year": (
        growth_ranking, lambda f: f.__setitem__("gdp_growth_nominal_pct", [20.2, 830.0]),
        "expect_column_values_to_be_between"),
    "mart_overtakes": (
        overtakes, lambda f: f.__setitem__("peer_rank_in_comparison", [1, 1]),
        "expect_column_pair_values_a_to_be_greater_than_b"),
    "mart_measure_overtakes": (
        # An "overtake" the city is still behind in: the peer's figure was swapped in.
        measure_overtakes, lambda f: f.__setitem__("peer_value", [53000.0]),
        "expect_column_pair_values_a_to_be_greater_than_b"),
    "mart_city_measure_rank_year": (
        # A per-capita income of 0 yuan is a missing figure printed as 0, not a rank.
        measure_ranks, lambda f: f.__setitem__("value", [0.0, 108000.0]),
        "expect_column_values_to_be_between"),
    "mart_tier_transitions": (
        tier_transitions, lambda f: f.__setitem__("from_year", [2030]),
        "expect_column_pair_values_a_to_be_greater_than_b"),
    "mart_population_change": (
        population_change, lambda f: f.__setitem__("change_pct", [680.0, None]),
        "expect_column_values_to_be_between"),
}


@pytest.mark.functional
def test_every_mart_suite_is_run_by_the_pipeline() -> None:
    assert set(CASES) | {"fct_city_indicator"} == set(MART_TABLES)
    assert set(MART_TABLES) <= set(SUITES)


def declared(suite: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column the mart declares (the ones a case does not set are
    empty): the common expectations are built from the declared columns."""
    missing = [c for c in mart_columns(suite) if c not in frame.columns]
    return frame.assign(**{column: None for column in missing})


@pytest.mark.functional
@pytest.mark.parametrize("suite", sorted(CASES))
def test_mart_suite_passes_plausible_and_fails_implausible_data(settings: Settings,
                                                               suite: str) -> None:
    build, break_it, expectation = CASES[suite]
    outcome = run_checkpoint(settings, suite, declared(suite, build()))
    assert outcome.success, outcome.summary()

    bad = build()
    break_it(bad)
    bad = declared(suite, bad)
    outcome = run_checkpoint(settings, suite, bad)
    assert not outcome.success
    assert len(outcome.failed) == 1, outcome.summary()
    # The steward reads a sentence; GX's own words are the technical detail behind it.
    assert expectation in outcome.technical[0]
    assert expectation not in outcome.failed[0] and "np." not in outcome.failed[0]
    assert "{'column'" not in outcome.failed[0]


@pytest.mark.functional
def test_a_mart_failure_names_city_year_figure_value_and_bound(settings: Settings) -> None:
    """The sentence a steward reads: which city, which year, which figure (its description,
    Chinese included), the value as a person writes it, the rule with its bound."""
    frame = growth_ranking()
    frame["gdp_growth_nominal_pct"] = [20.2, 142.46465560912597]
    frame["city_name"] = ["济南市", "青岛市"]
    outcome = run_checkpoint(settings, "mart_growth_ranking_year",
                             declared("mart_growth_ranking_year", frame))
    [failure] = outcome.failed
    row = frame.iloc[1]
    assert failure.startswith("mart_growth_ranking_year: ")
    assert f"青岛市 {row['city_code']}, {row['data_year']}: " in failure
    assert "名义增速" in failure and "[gdp_growth_nominal_pct] is 142.46" in failure
    assert "outside the allowed -50 to 100 (where boundary_break is false)" in failure
    assert "np.float64" not in failure and "{" not in failure
    # GX's account (type, arguments, what it saw) is the technical detail, without reprs.
    assert outcome.technical[0].startswith("expect_column_values_to_be_between(")
    assert "np.float64" not in outcome.technical[0] and "{'" not in outcome.technical[0]
