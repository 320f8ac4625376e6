"""The one order of releases, latest first, in SQL: the Python twin of the dbt macro
``latest_release_first`` (dbt_project/macros/latest_release_first.sql), tested to render
the same text. Published last, then the later edition, then processed last, then
release_id; a release without a publication date or edition ranks last."""

from __future__ import annotations


def latest_release_first(prefix: str = "") -> str:
    """The ORDER BY terms; ``prefix``: the relation the columns come from, e.g. ``r.``."""
    return (f"{prefix}published_on desc nulls last, {prefix}edition_year desc nulls last, "
            f"{prefix}processed_at desc, {prefix}release_id")
