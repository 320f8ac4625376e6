"""The data-quality report, rendered from the run history (citytiers.report.history):
``reports/quality/index.html`` (the latest run), ``runs/<run>.html`` (one page per run,
written the night it ran and never again) and ``runs.html`` (the index of past runs)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from citytiers.report.history import list_runs, read_run
from citytiers.report.pages import data_mix, relative_link, render, write_page
from citytiers.settings import Settings

UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def quality_dir(settings: Settings) -> Path:
    return settings.reports / "quality"


def run_page(settings: Settings, run_id: str) -> Path:
    """Where a run's own page is: its id, made safe for a file name."""
    return quality_dir(settings) / "runs" / f"{UNSAFE_FILE_CHARS.sub('_', run_id)}.html"


def _render_run(settings: Settings, detail: dict[str, Any], page: Path) -> str:
    run = detail["run"]
    reports = settings.reports
    checks = [{**row, "docs_link": relative_link(row.get("docs_page"), page)}
              for row in detail["run_checks"]]
    tests = detail["run_dbt_tests"]
    return render(
        "quality_run.html.j2", title=f"citytiers data quality · {str(run['logical_date'])[:16]}",
        nav=[("Latest run", relative_link(quality_dir(settings) / "index.html", page)),
             ("Past runs", relative_link(quality_dir(settings) / "runs.html", page)),
             ("Analytics", relative_link(reports / "analytics" / "index.html", page))],
        data_mix=data_mix(bool(run["synthetic_in_force"]), bool(run["official_in_force"])),
        source=str(settings.history_db), run=run,
        releases=[{**row, "findings": json.loads(row.get("findings") or "[]")}
                  for row in detail["run_releases"]],
        checks=checks, dbt_counts=dict(Counter(str(t["status"]) for t in tests)),
        dbt_failing=[t for t in tests if t["status"] not in ("pass", "skipped")],
        freshness=detail["run_freshness"], revisions=detail["run_revisions"],
        wholesale=detail["run_wholesale_revisions"],
        runs_link=relative_link(quality_dir(settings) / "runs.html", page),
        analytics_link=relative_link(reports / "analytics" / "index.html", page),
        data_docs_index=relative_link(reports / "data_docs" / "index.html", page),
        dbt_docs_index=relative_link(reports / "dbt_docs" / "index.html", page))


def write_quality(settings: Settings, run_id: str) -> Path | None:
    """Render the run's page, the latest run's page as ``index.html`` and the index of
    past runs (None when the run was not recorded)."""
    detail = read_run(settings, run_id)
    if detail is None:
        return None
    own = run_page(settings, run_id)
    write_page(own, _render_run(settings, detail, own))
    latest = read_run(settings)
    index = quality_dir(settings) / "index.html"
    write_page(index, _render_run(settings, latest or detail, index))
    runs = list_runs(settings)
    listing = quality_dir(settings) / "runs.html"
    newest = runs[0] if runs else detail["run"]
    write_page(listing, render(
        "quality_runs.html.j2", title="citytiers data quality · past runs",
        nav=[("Latest run", "index.html"), ("Analytics", "../analytics/index.html")],
        data_mix=data_mix(bool(newest["synthetic_in_force"]),
                          bool(newest["official_in_force"])),
        source=str(settings.history_db),
        runs=[{**row, "page": relative_link(run_page(settings, row["run_id"]), listing)}
              for row in runs]))
    return index
