"""The code form, the municipalities and the optional name endings: one definition (the dbt
vars), read by every Python user through citytiers.parse.normalize.codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from citytiers.parse.normalize import codes
from citytiers.parse.normalize.names import short_forms
from tests.conftest import PROJECT_ROOT

SRC = PROJECT_ROOT / "src" / "citytiers"


def _dbt_vars() -> dict:
    project = PROJECT_ROOT / "dbt_project" / "dbt_project.yml"
    return yaml.safe_load(project.read_text(encoding="utf-8"))["vars"]


@pytest.mark.unit
def test_python_reads_the_dbt_vars() -> None:
    dbt = _dbt_vars()
    assert codes.CODE_DIGITS == dbt["city_code_digits"] == 6
    assert codes.MUNICIPALITY_PREFIXES == tuple(dbt["municipality_prefixes"]) \
        == ("11", "12", "31", "50")
    assert codes.OPTIONAL_SUFFIXES == tuple(dbt["optional_name_suffixes"]) == ("市", "地区", "盟")


@pytest.mark.unit
def test_the_regular_expressions_gx_stores_are_unchanged() -> None:
    """The committed GX suites hold these strings (expectations/expectations/*.json)."""
    assert codes.CITY_CODE_REGEX == r"^\d{6}$"
    assert codes.PREFECTURE_CODE_REGEX == r"^\d{2}(?:0[1-9]|[1-9]\d)00$"
    assert codes.SUCCESSOR_CODES_REGEX == r"^\d{6}(?:\[\d{4}\])?(?:;\d{6}(?:\[\d{4}\])?)*$"


@pytest.mark.unit
@pytest.mark.parametrize(("text", "expected"), [
    ("320100", True), ("32010", False), ("3201000", False), ("32010a", False),
    ("３２０１００", False),      # full width: folded (NFKC) before the check, never here
    ("٣٢٠١٠٠", False),            # other scripts' digits: \d is ASCII, as in DuckDB
    ("320100\n", False)])
def test_a_code_is_six_ascii_digits(text: str, expected: bool) -> None:
    assert codes.is_code(text) is expected


@pytest.mark.unit
def test_successor_lists_and_municipalities() -> None:
    assert codes.SUCCESSOR_CODES.fullmatch("110101;110102[2010]")
    assert not codes.SUCCESSOR_CODES.fullmatch("110101,110102")
    assert [c for c in ("110000", "120000", "310000", "500000", "320000", "510000")
            if codes.is_municipality(c)] == ["110000", "120000", "310000", "500000"]


@pytest.mark.unit
def test_sql_and_python_shorten_names_alike() -> None:
    import duckdb

    for name in ("苏州市", "吐鲁番地区", "阿拉善盟", "延边朝鲜族自治州"):
        [(sql,)] = duckdb.sql(f"select {codes.optional_suffix_sql(repr(name))}").fetchall()
        python = short_forms(name)
        assert [sql] == python if python else sql == name


@pytest.mark.unit
def test_no_module_writes_the_rules_again() -> None:
    """Only codes.py spells out the code pattern, the prefixes and the endings."""
    written = re.compile(r'\\d\{\{?6\}|\[0-9\]\{\{?6\}|"11", "12", "31", "50"|"市", "地区", "盟"')
    offenders = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                 if path.name != "codes.py" and not path.is_relative_to(SRC / "samples")
                 and written.search(Path(path).read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.unit
def test_the_event_year_tolerance_is_one_var() -> None:
    """A change event's year-end list window is the dbt var event_list_lag_years, used
    through macros/event_year_window.sql and code_history.EVENT_LIST_LAG_YEARS."""
    written = re.compile(r"event_year\s*\+\s*1\b")
    files = [*(PROJECT_ROOT / "dbt_project" / "models").rglob("*.sql"), *SRC.rglob("*.py")]
    offenders = [path.name for path in files
                 if any(written.search(line) for line in path.read_text(encoding="utf-8")
                        .splitlines() if not line.lstrip().startswith("--"))]
    assert offenders == []
