"""The order of releases, latest first, is one rule: the dbt macro and its Python twin
render the same SQL."""

from __future__ import annotations

import jinja2
import pytest

from citytiers.release_order import latest_release_first
from citytiers.settings import PROJECT_ROOT

MACRO = PROJECT_ROOT / "dbt_project" / "macros" / "latest_release_first.sql"


@pytest.mark.unit
@pytest.mark.parametrize("prefix", ["", "r.", "stg_raw__releases."])
def test_the_macro_and_python_agree(prefix: str) -> None:
    template = jinja2.Environment().from_string(
        MACRO.read_text(encoding="utf-8") + "{{ latest_release_first(prefix) }}")
    assert template.render(prefix=prefix).strip() == latest_release_first(prefix)


@pytest.mark.unit
def test_every_latest_first_window_uses_the_macro() -> None:
    """No model spells the order out itself."""
    spelled = [path.name for path in (PROJECT_ROOT / "dbt_project" / "models").rglob("*.sql")
               if "published_on desc" in path.read_text(encoding="utf-8")]
    assert spelled == []
