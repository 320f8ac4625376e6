"""The order of releases, latest first, is one rule: the dbt macro and its Python twin
render the same SQL."""

from __future__ import annotations

import jinja2
import pytest

from citytiers.errors import ReleaseError
from citytiers.release_order import latest_release_first, release_kind_of
from citytiers.settings import PROJECT_ROOT, dbt_vars

MACRO = PROJECT_ROOT / "dbt_project" / "macros" / "latest_release_first.sql"


@pytest.mark.unit
@pytest.mark.parametrize("prefix", ["", "r.", "stg_raw__releases."])
def test_the_macro_and_python_agree(prefix: str) -> None:
    template = jinja2.Environment().from_string(
        MACRO.read_text(encoding="utf-8") + "{{ latest_release_first(prefix) }}")
    rendered = template.render(prefix=prefix, var=dbt_vars().__getitem__).strip()
    assert rendered == latest_release_first(prefix)
    assert (f"case {prefix}release_kind when 'census_revision' then 1 when 'yearbook' then 2 "
            "when 'communique' then 3 when 'preliminary' then 4 end nulls last") in rendered


@pytest.mark.unit
def test_every_latest_first_window_uses_the_macro() -> None:
    """No model spells the order out itself."""
    spelled = [path.name for path in (PROJECT_ROOT / "dbt_project" / "models").rglob("*.sql")
               if "published_on desc" in path.read_text(encoding="utf-8")]
    assert spelled == []


@pytest.mark.unit
def test_a_release_kind_is_declared_or_its_formats() -> None:
    assert release_kind_of("preliminary", "tidy_csv") == "preliminary"
    assert release_kind_of(None, "yearbook_table") == "yearbook"
    assert release_kind_of("", "tidy_csv") == "communique"
    assert release_kind_of(None, "census_table") is None  # no kind: ranks last on a tie
    with pytest.raises(ReleaseError, match="release_kind: 'yearbok' is not one of"):
        release_kind_of("yearbok", "yearbook_table", "x.xlsx")
