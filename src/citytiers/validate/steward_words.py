"""A failed expectation in a data steward's words: which city, which year, which figure,
its value, the rule with its bound, in one sentence; never a Python repr or GX's kwargs.

GX's own description of a result (``expect_column_values_to_be_between({'column': ...})``
with ``np.float64(142.46...)``) stays reachable as the *technical* detail (the quality
report's details element, GX's validation pages); this module writes the main text, from
the result's structured fields:

- the rule from the expectation's type and bounds (``allowed -50 to 100``), and its row
  condition in words (``where boundary_break is false``);
- the figure by its column's description in ``_marts__models.yml`` (English / 中文) or,
  for a staged raw table, the column name;
- each offending row by its city name and code and data year where the table has them
  (``北京市 110000, 2024``), else its sheet, row and column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

# How many offending rows a sentence names (the rest are counted).
ROWS_NAMED = 5
# A set of allowed values is listed up to this many.
VALUES_LISTED = 8
LINEAGE = ("source_sheet", "source_row", "source_column")
SUBJECT = ("city_name", "city_code", "data_year")
OPERATORS = {"==": "is", "!=": "is not", ">": "is over", ">=": "is at least",
             "<": "is under", "<=": "is at most"}


def plain(value: Any) -> Any:
    """A NumPy or pandas scalar as the Python value it holds."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def number(value: Any) -> str:
    """A figure as a person writes it: 142.46, -50, 1,661,000,000,000 (no 1.661e+15)."""
    value = plain(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1e6:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def condition(row_condition: Any) -> str:
    """``where boundary_break is false``, from GX's row condition (a dict or its text)."""
    if not row_condition:
        return ""
    if isinstance(row_condition, dict) and row_condition.get("type") == "comparison":
        name = (row_condition.get("column") or {}).get("name", "?")
        operator = OPERATORS.get(str(row_condition.get("operator")),
                                 str(row_condition.get("operator")))
        parameter = row_condition.get("parameter")
        shown = str(parameter).lower() if isinstance(parameter, bool) else number(parameter)
        return f" (where {name} {operator} {shown})"
    return f" (where {row_condition})"


def rule(kind: str, kwargs: dict[str, Any]) -> str:
    """The rule an expectation states, with its bound: ``allowed -50 to 100``."""
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if kind == "expect_column_values_to_be_between":
        if low is not None and high is not None:
            words = f"outside the allowed {number(low)} to {number(high)}"
        elif low is not None:
            words = f"under the allowed minimum {number(low)}"
        else:
            words = f"over the allowed maximum {number(high)}"
    elif kind == "expect_column_values_to_not_be_null":
        words = "missing, where a value is required"
    elif kind == "expect_column_values_to_be_in_set":
        values = [str(plain(v)) for v in kwargs.get("value_set") or []]
        listed = ", ".join(values[:VALUES_LISTED]) + (" ..." if len(values) > VALUES_LISTED
                                                      else "")
        words = f"not one of the allowed values ({listed})" if values else "not allowed here"
    elif kind == "expect_column_values_to_match_regex":
        words = f"not of the required form {kwargs.get('regex')}"
    elif kind in ("expect_column_values_to_be_unique",
                  "expect_compound_columns_to_be_unique"):
        words = "not unique: the same key appears more than once"
    else:
        words = "against the rule " + kind.removeprefix("expect_").replace("_", " ")
    return words + condition(kwargs.get("row_condition"))


def subject(row: dict[str, Any]) -> str:
    """Where a row is: ``row 12, column E (北京市 110000, 2021)`` for a staged release's row,
    ``北京市 110000, 2024`` for a mart's, or ''."""
    values = {key: plain(value) for key, value in row.items()}
    city = " ".join(str(values[k]) for k in ("city_name", "city_name_raw", "city_code")
                    if values.get(k))
    year = values.get("data_year")
    if city and isinstance(year, int | float):
        city = f"{city}, {int(year)}"
    where = ", ".join(f"{key.removeprefix('source_')} {values[key]!s}" for key in LINEAGE
                      if values.get(key) not in (None, ""))
    if where and city:
        return f"{where} ({city})"
    return where or city


def row_words(row: dict[str, Any]) -> str:
    """One offending row: where it is, then a gate's own sentence (``row 3, column F: code
    329900 ... is in no code list``) or its values (``row 12, column E: scope x``, at most
    four, without the ones that say where)."""
    where = subject(row)
    if "problem" in row:
        return f"{where}: {row['problem']}" if where else str(row["problem"])
    rest = [f"{key} {number(value)}" for key, value in row.items()
            if key not in (*LINEAGE, *SUBJECT, "city_name_raw")][:4]
    return f"{where}: {', '.join(rest)}" if where and rest else where or ", ".join(rest)


def _first_rows(rows: list[dict[str, Any]], count: int | None,
                words: Callable[[dict[str, Any]], str]) -> tuple[str, str]:
    """The first :data:`ROWS_NAMED` rows in words, and how many more there are."""
    named = [words(row) for row in rows[:ROWS_NAMED]]
    total = count if count is not None else len(rows)
    more = f" (and {total - len(named)} more row(s))" if total > len(named) else ""
    return "; ".join(named), more


def figure(column: str | None, labels: dict[str, str]) -> str:
    """The figure's name: its description (English / 中文), with the column in brackets."""
    if not column:
        return "the table"
    label = labels.get(column, "").strip().rstrip(".")
    return f"{label} [{column}]" if label else column


def sentence(table: str, kind: str, kwargs: dict[str, Any], description: str | None,
             rows: Iterable[dict[str, Any]], count: int | None,
             labels: dict[str, str] | None = None, observed: Any = None) -> str:
    """One failed expectation on ``table`` in words. ``rows``: the offending rows (their
    lineage or city columns and, for a column check, the column's value); ``count``: how
    many there are in all."""
    rows = list(rows)
    column = kwargs.get("column")
    what = figure(column, labels or {})
    words = rule(kind, kwargs)
    if rows and column and not any("problem" in row for row in rows):
        named, more = _first_rows(
            rows, count, lambda row: f"{subject(row) or 'a row'}: {what} is "
                                     f"{number(row.get(column))}")
        # The rule's own sentence, where the suite gives one, before the rows it names.
        lead = f"{description.strip().rstrip('.')}: " if description else ""
        return f"{table}: {lead}{named}, {words}{more}"
    if rows:
        # A gate's rows (each with its own sentence), or a SQL check's rows without one
        # checked column: where each is, and what it says or holds.
        named, more = _first_rows(rows, count, row_words)
        return f"{description or table}: {named}{more}"
    lead = description or f"{what} {words}"
    if count:
        return f"{table}: {lead}: {count} row(s)"
    if observed is not None:
        return f"{table}: {lead} (found {number(observed)})"
    return f"{table}: {lead}"
