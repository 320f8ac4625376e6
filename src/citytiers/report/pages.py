"""Self-contained HTML pages: one Jinja environment, the banner every page shows when the
figures include synthetic samples, and the atomic write of a page."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jinja2
import pandas as pd

from citytiers.report.run_summary import SYNTHETIC_BANNER

TEMPLATES = Path(__file__).with_name("templates")
MIXED_BANNER = (
    "WARNING: this warehouse mixes SYNTHETIC SAMPLE releases with releases that are not "
    "samples. Figures computed across both (tiers, ranks, the trillion club) are NOT "
    "official statistics. Build a warehouse without the samples for real work (README: "
    "\"Real data\").")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["num"] = format_number
    return env


def format_number(value: Any, digits: int = 0) -> str:
    """1234567.8 -> '1,234,568'; None (or NaN) -> '-'."""
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    return f"{value:,.{digits}f}"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows for a template, with missing values as None (not NaN, which is
    truthy and prints as 'nan')."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def data_mix(synthetic: bool, official: bool) -> dict[str, Any]:
    """What the banner says: nothing for official data only; the synthetic warning; a
    louder one when samples and other releases are mixed."""
    return {"synthetic": synthetic, "official": official,
            "banner": MIXED_BANNER if synthetic and official else SYNTHETIC_BANNER}


def render(template: str, **context: Any) -> str:
    context.setdefault("generated_at",
                       dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return environment().get_template(template).render(**context)


def write_page(path: Path, html: str) -> Path:
    """Write ``path`` whole or not at all (a reader never sees half a page)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(html)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
    return path


def relative_link(target: str | Path | None, page: Path) -> str | None:
    """A link from ``page`` to ``target`` (a path or a file: URL), relative so that the
    reports folder can be moved or served as a whole."""
    if not target:
        return None
    text = unquote(str(target).removeprefix("file://"))
    return quote(os.path.relpath(text, page.parent))
