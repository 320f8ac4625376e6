"""The gates' thresholds are seeds: complete and coherent, and the name check's words."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from citytiers.gates.reference import name_problems
from citytiers.parse.normalize.dictionary import Dictionary
from tests.conftest import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
COMPARISONS = {"previous_vintage", "adjacent_year", "ratio_of_inputs"}


def rows(seed: str) -> list[dict[str, str]]:
    with (SEEDS / f"{seed}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.unit
def test_every_indicator_has_bounds_and_signs_agree(dictionary: Dictionary) -> None:
    bounds = {row["indicator_code"]: row for row in rows("plausibility_bounds")}
    assert set(bounds) == set(dictionary.indicators)
    for code, indicator in dictionary.indicators.items():
        low, high = float(bounds[code]["min_value"]), float(bounds[code]["max_value"])
        assert low < high, code
        # The sign check of a non-negative indicator is its lower bound (one check, not two).
        assert low >= 0 or not indicator.is_non_negative, code
        # Levels are compared over time; rates (base unit percent) are not.
        compared = bounds[code]["compare_over_time"] == "true"
        assert compared == (indicator.base_unit != "percent"), code


@pytest.mark.unit
def test_every_revision_kind_bounds_every_comparison() -> None:
    factors = rows("plausibility_factors")
    kinds = {row["revision"] for row in factors}
    assert "routine" in kinds
    for kind in kinds:
        assert {r["compared_with"] for r in factors if r["revision"] == kind} == COMPARISONS
    assert all(float(row["max_factor"]) >= 1 for row in factors)
    routine = {r["compared_with"]: float(r["max_factor"]) for r in factors
               if r["revision"] == "routine"}
    # A declared revision only ever loosens a bound.
    for row in factors:
        assert float(row["max_factor"]) >= routine[row["compared_with"]], row


@pytest.mark.unit
def test_ratios_are_of_known_indicators(dictionary: Dictionary) -> None:
    for row in rows("indicator_ratios"):
        assert {row["indicator_code"], row["numerator_code"], row["denominator_code"]} \
            <= set(dictionary.indicators)


@pytest.mark.unit
def test_a_name_must_be_one_its_code_carried(dictionary: Dictionary) -> None:
    columns = name_problems(dictionary, [
        ("苏州市", "320500", 2022), ("苏州", "320500", 2022), ("蘇州市", "320500", 2022),
        ("苏州市", "320600", 2022), ("", "320500", 2022), ("火星市", "329900", 2022)])
    problems = dict(zip(zip(columns["city_name_raw"], columns["city_code"], strict=True),
                        columns["problem"], strict=True))
    # The name, its short form and its traditional spelling all agree.
    assert problems[("苏州市", "320500")] is None
    assert problems[("苏州", "320500")] is None
    assert problems[("蘇州市", "320500")] is None
    assert problems[("苏州市", "320600")].startswith(
        "name '苏州市' is not a name of code 320600 (南通市); 苏州市 is 320500.")
    assert problems[("", "320500")] is None          # nothing printed, nothing to compare
    assert problems[("火星市", "329900")] is None      # an unknown code is the code gate's


@pytest.mark.unit
def test_a_former_name_agrees(tmp_path: Path, dictionary: Dictionary) -> None:
    from dataclasses import replace

    from citytiers.parse.normalize.dictionary import normalize_label
    from citytiers.parse.normalize.names import NameHistory, NameSpan

    history = NameHistory.from_spans([NameSpan("420600", "襄樊市", 1983, 2010),
                                      NameSpan("420600", "襄阳市", 2010, None)],
                                     normalize_label)
    with_history = replace(dictionary, name_history=history)
    columns = name_problems(with_history, [("襄樊市", "420600", 2011),
                                           ("襄阳", "420600", 2005)])
    assert columns["problem"] == [None, None]
