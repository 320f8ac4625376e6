"""Administrative codes and names: the form of a code, the municipalities, the name endings a
table may leave out. Every module that checks a code or shortens a name imports them here;
the values are dbt vars (``dbt_project/dbt_project.yml``), read once, so the dbt models and
the Python side share one definition.

- A code is ``city_code_digits`` ASCII digits (GB/T 2260): ``XX0000`` a province or a
  municipality, ``XXYY00`` a prefecture, else a county-level unit.
- The province-level units whose code starts with one of ``municipality_prefixes`` are cities
  (直辖市).
- ``optional_name_suffixes``: 苏州 for 苏州市, 吐鲁番 for 吐鲁番地区.
"""

from __future__ import annotations

import re

from citytiers.settings import dbt_vars

_VARS = dbt_vars()
CODE_DIGITS: int = int(_VARS["city_code_digits"])
MUNICIPALITY_PREFIXES: tuple[str, ...] = tuple(str(p) for p in _VARS["municipality_prefixes"])
OPTIONAL_SUFFIXES: tuple[str, ...] = tuple(_VARS["optional_name_suffixes"])

# The regular expressions as GX writes them into its suites and DuckDB (RE2, where \d is
# [0-9]) runs them; Python compiles them with re.ASCII so \d means the same there.
CITY_CODE_REGEX = rf"^\d{{{CODE_DIGITS}}}$"
# A prefecture-level code: XXYY00 with YY not 00 (XX0000 is a province or municipality).
PREFECTURE_CODE_REGEX = r"^\d{2}(?:0[1-9]|[1-9]\d)00$"
# 新代码: successor codes separated by ';', each with an optional [year] of the change.
_SUCCESSOR = rf"\d{{{CODE_DIGITS}}}(?:\[\d{{4}}\])?"
SUCCESSOR_CODES_REGEX = rf"^{_SUCCESSOR}(?:;{_SUCCESSOR})*$"
# A code as printed inside a name cell (南京市（３２０１００）): half- or full-width digits.
PRINTED_CODE_PATTERN = f"[0-9０-９]{{{CODE_DIGITS}}}"

CODE = re.compile(CITY_CODE_REGEX, re.ASCII)
SUCCESSOR_CODES = re.compile(SUCCESSOR_CODES_REGEX, re.ASCII)


def is_code(text: str) -> bool:
    """``text`` is a code: exactly :data:`CODE_DIGITS` ASCII digits."""
    return CODE.fullmatch(text) is not None


def is_municipality(code: str) -> bool:
    """The code is one of a municipality's (直辖市: 11, 12, 31, 50)."""
    return code.startswith(MUNICIPALITY_PREFIXES)


def optional_suffix_sql(column: str) -> str:
    """SQL (DuckDB) for ``column`` without an optional ending (吐鲁番地区 -> 吐鲁番)."""
    return f"regexp_replace({column}, '({'|'.join(OPTIONAL_SUFFIXES)})$', '')"
