"""The dbt SQL names the NULL order of every ORDER BY item (windows, rankings, lists).

DuckDB sorts NULLs last both ways; Spark sorts them first when ascending. An item without
``nulls first`` / ``nulls last`` ranks the same on both only while its column holds no
NULL, which the sample data cannot prove, so every item says it (docs/scale_out.md). The
items of ``latest_release_first()`` are checked in its macro's text. Jinja expressions and
string literals are skipped; comments are ignored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from citytiers.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
SQL_FILES = sorted(path for folder in ("models", "macros", "tests")
                   for path in (DBT_PROJECT / folder).rglob("*.sql"))
ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)
STOP = re.compile(r"\b(rows|range|limit|having|qualify)\b", re.IGNORECASE)
EXPLICIT = re.compile(r"\bnulls\s+(first|last)\s*$", re.IGNORECASE)


def _in_word(text: str, i: int) -> bool:
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")


def strip_comments(text: str) -> str:
    text = re.sub(r"\{#.*?#\}", lambda m: " " * len(m.group(0)), text, flags=re.S)
    return re.sub(r"--[^\n]*", lambda m: " " * len(m.group(0)), text)


def order_items(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, item text) of every ORDER BY item outside Jinja and string literals:
    a window's items end at its closing parenthesis or frame (rows/range), a query's at
    limit, the end of the statement or a Jinja block."""
    clean = strip_comments(text)
    for match in ORDER_BY.finditer(clean):
        # an ORDER BY inside a Jinja expression or a quoted string is not SQL here
        before = clean[:match.start()]
        if before.count("{{") > before.count("}}") or before.count("'") % 2:
            continue
        i, depth, start = match.end(), 0, match.end()
        while i <= len(clean):
            if i == len(clean) or clean[i] == ";":
                yield start, i, clean[start:i]
                break
            if clean.startswith("{{", i):
                i = clean.index("}}", i) + 2
                continue
            if clean.startswith("{%", i):
                yield start, i, clean[start:i]
                break
            ch = clean[i]
            if ch == "'":
                i = clean.index("'", i + 1) + 1
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    yield start, i, clean[start:i]
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                yield start, i, clean[start:i]
                start = i + 1
            elif depth == 0 and STOP.match(clean, i) and not _in_word(clean, i):
                yield start, i, clean[start:i]
                break
            i += 1


def implicit_items(text: str) -> list[str]:
    """The ORDER BY items of ``text`` that do not name their NULL order."""
    return [item.strip() for _, _, item in order_items(text)
            if item.strip() and not EXPLICIT.search(item.strip())
            and not item.strip().startswith("{{ latest_release_first")]


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda path: path.name)
def test_every_order_by_item_names_its_null_order(path: Path) -> None:
    assert implicit_items(path.read_text(encoding="utf-8")) == []


def test_latest_release_first_names_the_null_order_of_every_item() -> None:
    macro = (DBT_PROJECT / "macros" / "latest_release_first.sql").read_text(encoding="utf-8")
    body = strip_comments(macro).split("%}", 1)[1].rsplit("{%", 1)[0]
    items = [item for item in re.split(r",\s*(?![^{]*\}\})", body.strip()) if item.strip()]
    assert len(items) == 4 and all(EXPLICIT.search(item.strip()) for item in items), items


@pytest.mark.parametrize(("sql", "implicit"), [
    ("row_number() over (partition by a order by b desc, c) as r", ["b desc", "c"]),
    ("rank() over (order by v desc nulls last) as r", []),
    ("lag(x) over (order by y nulls first rows between 1 preceding and current row)", []),
    ("lag(x) over (order by y rows between 1 preceding and current row)", ["y"]),
    ("select 1 -- order by z\n", []),
    ("{{ ordered_listagg('a', \"';'\", 'b') }}", []),
    ("select * from t order by case when a then 0 else 1 end, {{ latest_release_first() }}",
     ["case when a then 0 else 1 end"]),
])
def test_the_checker_finds_the_items_without_a_null_order(sql: str, implicit: list[str]) -> None:
    assert implicit_items(sql) == implicit

