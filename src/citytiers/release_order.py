"""The one order of releases, latest first, in SQL: the Python twin of the dbt macro
``latest_release_first`` (dbt_project/macros/latest_release_first.sql), tested to render
the same text. Published last, then the later edition, then the release kind listed first
in the dbt var ``same_day_precedence``, then release_id; a release without a publication
date, edition or listed kind ranks last on that term. Also the release kind of a release:
its sidecar's ``release_kind``, else its file format's (var ``release_kind_by_format``)."""

from __future__ import annotations

from pathlib import Path

from citytiers.errors import ReleaseError
from citytiers.settings import dbt_vars


def same_day_precedence() -> list[str]:
    """The release kinds, the one that wins a same-day tie first."""
    return list(dbt_vars()["same_day_precedence"])


def latest_release_first(prefix: str = "") -> str:
    """The ORDER BY terms; ``prefix``: the relation the columns come from, e.g. ``r.``."""
    kinds = "".join(f" when '{kind}' then {rank}"
                    for rank, kind in enumerate(same_day_precedence(), start=1))
    return (f"{prefix}published_on desc nulls last, {prefix}edition_year desc nulls last, "
            f"case {prefix}release_kind{kinds} end nulls last, {prefix}release_id nulls last")


def release_kind_of(declared: object, file_format: str | None,
                    path: Path | str = "?") -> str | None:
    """A release's kind: ``declared`` (its sidecar's ``release_kind``) when given, else its
    file format's; an unknown declared kind is refused (a typo must not silently rank a
    yearbook below a communiqué)."""
    if declared in (None, ""):
        return dbt_vars()["release_kind_by_format"].get(file_format)
    kinds = same_day_precedence()
    if str(declared) not in kinds:
        raise ReleaseError(path, f"sidecar field release_kind: {declared!r} is not one of "
                                 f"{kinds} (dbt var same_day_precedence)")
    return str(declared)
