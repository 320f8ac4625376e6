"""The audit's blame rule (citytiers.audit.verdict.culprits_of), on hand-made failures."""

from __future__ import annotations

import datetime as dt

import pytest

from citytiers.audit.verdict import Failure, culprits_of

ORDER = {r: (dt.date(2020 + i, 1, 1), dt.datetime(2026, 1, 1)) for i, r in
         enumerate(["old", "a2023", "b2024"])}


def failure(*rows: set[str]) -> Failure:
    return Failure("check", tuple(frozenset(r) for r in rows))


@pytest.mark.unit
def test_a_row_comparing_two_new_releases_blames_the_later_published() -> None:
    blamed, unexplained = culprits_of([failure({"a2023", "b2024"})], {"a2023", "b2024"},
                                      ORDER)
    assert (blamed, unexplained) == ({"b2024": ["check"]}, [])


@pytest.mark.unit
def test_a_published_release_is_never_blamed() -> None:
    blamed, _ = culprits_of([failure({"old", "b2024"})], {"b2024"}, ORDER)
    assert blamed == {"b2024": ["check"]}
    only_old = failure({"old"})
    assert culprits_of([only_old], {"b2024"}, ORDER) == ({}, [only_old])


@pytest.mark.unit
def test_a_failure_with_one_unexplained_row_or_no_rows_is_unexplained() -> None:
    mixed, table_level = failure({"b2024"}, {"old"}), failure()
    assert culprits_of([mixed, table_level], {"b2024"}, ORDER) == ({}, [mixed, table_level])
