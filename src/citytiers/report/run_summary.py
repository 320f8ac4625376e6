"""Report: what one run did and what the warehouse now holds, for stewards and `make run`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from citytiers.database import connect
from citytiers.settings import Settings

SYNTHETIC_BANNER = (
    "WARNING: this warehouse contains SYNTHETIC SAMPLE releases (publisher: sample). Their "
    "figures are made up for demonstration and testing; they are NOT official statistics.")


def warehouse_counts(db: Path) -> dict[str, Any]:
    """Release counts by state, observation count and rows per mart table of ``db`` (all
    zero when nothing was ever published)."""
    if not db.exists():
        return {"releases_loaded": 0, "releases_quarantined": 0, "releases_withdrawn": 0,
                "releases_quarantined_after_audit": 0, "synthetic_releases_loaded": 0,
                "observations": 0, "mart_rows": {}}
    with connect(db, read_only=True) as connection:
        releases = dict(connection.execute(
            "select state, count(distinct release_id) from raw.release_states "
            "group by state").fetchall())
        synthetic = connection.execute(
            "select count(distinct release_id) from raw.release_states "
            "where in_force and is_synthetic").fetchall()[0][0]
        observations = connection.execute("select count(*) from raw.observations").fetchall()[0][0]
        marts = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name").fetchall()
        rows = {name: connection.execute(f'select count(*) from marts."{name}"').fetchall()[0][0]
                for (name,) in marts}
    return {"releases_loaded": releases.get("loaded", 0),
            "releases_quarantined": releases.get("quarantined", 0),
            "releases_withdrawn": releases.get("withdrawn", 0),
            "releases_quarantined_after_audit": releases.get("quarantined_after_audit", 0),
            "synthetic_releases_loaded": synthetic,
            "observations": observations, "mart_rows": rows}


def render_markdown(summary: dict[str, Any]) -> str:
    run = summary["run"]
    totals = summary["warehouse"]
    lines = [f"# citytiers run {run['run_id']}", ""]
    if totals["synthetic_releases_loaded"]:
        lines += [f"> {SYNTHETIC_BANNER}", ""]
    lines += [
        f"- logical date: {run['logical_date']}",
        f"- this run: {run['loaded']} release(s) loaded, {run['quarantined']} quarantined, "
        f"{run['skipped']} already loaded",
        f"- published warehouse: {totals['releases_loaded']} release(s) in force, "
        f"{totals['releases_quarantined']} quarantined at the gates, "
        f"{totals['releases_quarantined_after_audit']} quarantined after the audit, "
        f"{totals['releases_withdrawn']} withdrawn; {totals['observations']} observations",
        f"- marts audit: {summary['marts_validation']}",
        *([f"- dbt docs: {summary['dbt_docs']}"] if summary.get("dbt_docs") else []),
        "", "| mart | rows |", "|---|---:|",
        *[f"| marts.{name} | {count} |" for name, count in totals["mart_rows"].items()],
        "",
    ]
    quarantined = [o for o in summary["outcomes"] if o["status"] == "quarantined"]
    if quarantined:
        lines += ["## Quarantined this run", ""]
        lines += [f"- **{o['file_name']}** -> `{o['stored_path']}`\n\n  ```\n  "
                  + str(o["reason"]).replace("\n", "\n  ") + "\n  ```" for o in quarantined]
        lines.append("")
    warned = [o for o in summary["outcomes"] if o.get("warnings")]
    if warned:
        lines += ["## Loaded with data-quality warnings", ""]
        for outcome in warned:
            lines.append(f"- **{outcome['file_name']}**")
            lines += [f"  - {warning}" for warning in outcome["warnings"]]
        lines.append("")
    lines += ["## Where things are", ""]
    lines += [f"- {label}: `{path}`" for label, path in summary["paths"].items()]
    return "\n".join(lines) + "\n"


def write_run_report(settings: Settings, run_id: str, logical_date: str,
                     outcomes: list[dict[str, Any]], marts_validation: str,
                     dbt_docs: str | None = None) -> Path:
    """Write ``reports/run_summary.{json,md}`` from the published database. ``dbt_docs``:
    whether this run regenerated the dbt docs (shown when given)."""
    summary = {
        "run": {
            "run_id": run_id, "logical_date": logical_date,
            "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "loaded": sum(o["status"] == "loaded" for o in outcomes),
            "quarantined": sum(o["status"] == "quarantined" for o in outcomes),
            "skipped": sum(o["status"] == "skipped" for o in outcomes),
        },
        "outcomes": outcomes,
        "warehouse": warehouse_counts(settings.published_db),
        "marts_validation": marts_validation,
        "dbt_docs": dbt_docs,
        "paths": {
            "analysts' database (open this one)": str(settings.published_db),
            "Parquet exports": str(settings.exports),
            "data-quality report (open this one; works offline)":
                str(settings.reports / "quality" / "index.html"),
            "GX validation details (needs the internet for its styles; blank offline)":
                str(settings.reports / "data_docs" / "index.html"),
            "dbt docs": str(settings.reports / "dbt_docs" / "index.html"),
            "quarantine": str(settings.quarantine),
        },
    }
    settings.reports.mkdir(parents=True, exist_ok=True)
    (settings.reports / "run_summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    target = settings.reports / "run_summary.md"
    target.write_text(render_markdown(summary), encoding="utf-8")
    return target
