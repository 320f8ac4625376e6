"""``bench.md`` and ``bench.json``: the table of stages, the targets, the machine."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from tools.bench.generate import Inputs
from tools.bench.stages import INGEST_STAGES, STAGE_ORDER, StageResult

GIB_MIB = 1024
# The limit each ingest is compared with (same scale, same file).
LIMIT_OF = {"tidy_ingest": "duckdb_read_csv", "yearbook_ingest": "calamine_read"}
# Targets: stage -> (minimum % of its limit, label).
PCT_TARGETS = {"tidy_ingest": (30.0, "≥ 30 % of read_csv"),
               "yearbook_ingest": (50.0, "≥ 50 % of calamine")}
RSS_TARGET = ("tidy_ingest", 100, 2 * GIB_MIB, "peak RSS ≤ 2 GiB (10 M obs.)")
QUIET_NIGHT_TARGET_S = 10.0
FULL_PIPELINE_TARGET = ("full_rebuild", 100, 180.0, "≤ 180 s")
GROWTH_STAGES = ("tidy_ingest", "yearbook_ingest", "dbt_build", "full_rebuild")
GROWTH_LIMIT = 12.0
TIMING_LABELS = {"parse": "parse", "gates": "gates before load (citytiers.gates.reference)",
                 "validate": "GX validation (raw_observations)",
                 "load": "load (DuckDB transaction)"}
PACKAGES = ("duckdb", "python-calamine", "pyarrow", "pandas", "openpyxl", "dbt-core",
            "dbt-duckdb", "dbt-spark", "pyspark", "great-expectations", "apache-airflow",
            "psutil", "rich")
COLUMNS = ("stage", "scale", "observations", "runs", "median s", "min s", "max s",
           "peak RSS MiB", "obs/s", "% of limit", "target", "met?")


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def build_rows(results: list[StageResult]) -> list[dict[str, object]]:
    """One row per stage and scale (and per ingest sub-stage when timings exist), with
    the targets that apply to it."""
    by_key = {(r.stage, r.scale): r for r in results}
    rows: list[dict[str, object]] = []
    order = {stage: index for index, stage in enumerate(STAGE_ORDER)}
    for result in sorted(results, key=lambda r: (order.get(r.stage, len(order)), r.scale)):
        seconds = result.seconds
        row: dict[str, object] = {
            "stage": result.stage, "label": result.label, "scale": result.scale,
            "observations": result.observations, "runs": f"{len(seconds)}/{len(result.runs)}",
            "seconds": seconds, "median_s": result.median,
            "min_s": min(seconds) if seconds else None,
            "max_s": max(seconds) if seconds else None,
            "peak_rss_mib": result.peak_rss_mib, "obs_per_s": result.rate,
            "pct_of_limit": None, "targets": [],
        }
        limit = by_key.get((LIMIT_OF.get(result.stage, ""), result.scale))
        if limit is not None and result.rate and limit.rate:
            row["pct_of_limit"] = 100.0 * result.rate / limit.rate
        targets: list[tuple[str, bool | None]] = []
        if result.stage in PCT_TARGETS:
            minimum, label = PCT_TARGETS[result.stage]
            pct = row["pct_of_limit"]
            targets.append((label, None if pct is None else pct >= minimum))
        stage, scale, max_mib, label = RSS_TARGET
        if (result.stage, result.scale) == (stage, scale):
            rss = result.peak_rss_mib
            targets.append((label, None if rss is None else rss <= max_mib))
        if result.stage == "quiet_night":
            targets.append((f"≤ {QUIET_NIGHT_TARGET_S:.0f} s", None if result.median is None
                            else result.median <= QUIET_NIGHT_TARGET_S))
        stage, scale, max_s, label = FULL_PIPELINE_TARGET
        if (result.stage, result.scale) == (stage, scale):
            targets.append((label, None if result.median is None else result.median <= max_s))
        duckdb_build = by_key.get(("dbt_build", result.scale))
        if result.stage == "spark_build" and duckdb_build is not None:
            # The crossover: Spark's build time over DuckDB's, same warehouse, same run.
            ratio = (result.median / duckdb_build.median
                     if result.median and duckdb_build.median else None)
            targets.append(("faster than DuckDB's build"
                            + (f" (×{ratio:.2f} its time)" if ratio else ""),
                            None if ratio is None else ratio < 1))
        smaller = by_key.get((result.stage, 10))
        if result.stage in GROWTH_STAGES and result.scale == 100 and smaller is not None:
            growth = (result.median / smaller.median
                      if result.median and smaller.median else None)
            shown = f" (×{growth:.1f})" if growth else ""
            targets.append((f"≤ {GROWTH_LIMIT:.0f}× the 10x cost{shown}",
                            None if growth is None else growth <= GROWTH_LIMIT))
        row["targets"] = [{"target": t, "met": m} for t, m in targets]
        rows.append(row)
        if result.stage in LIMIT_OF:
            rows.extend(_timing_rows(result))
    return rows


def _summary_row(figure: str, measured: str, limit: str, ratio: float | None, target: str,
                 met: bool | None) -> dict[str, object]:
    return {"figure": figure, "measured": measured, "limit": limit,
            "ratio": None if ratio is None else round(ratio, 3), "target": target, "met": met}


def _seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.2f} s"


def summary_rows(results: list[StageResult]) -> list[dict[str, object]]:
    """The table issue 24 set: each figure beside its limit, its ratio and met / not met.
    A figure whose stage did not run at this invocation's scales reads "not measured"."""
    by_key = {(r.stage, r.scale): r for r in results}

    def pct(stage: str, scale: int) -> tuple[str, str, float | None]:
        own, limit = by_key.get((stage, scale)), by_key.get((LIMIT_OF[stage], scale))
        if own is None or limit is None or not own.rate or not limit.rate:
            return "not measured", "not measured", None
        return (f"{own.rate:,.0f} obs/s ({own.median:.2f} s)",
                f"{limit.rate:,.0f} obs/s ({limit.median:.2f} s)", own.rate / limit.rate)

    rows = []
    measured, limit, ratio = pct("tidy_ingest", 10)
    rows.append(_summary_row("tidy ingest, 10x (1 M observations), vs `read_csv`", measured,
                             limit, ratio, "≥ 30 %", None if ratio is None else ratio >= 0.30))
    measured, limit, ratio = pct("yearbook_ingest", 100)
    rows.append(_summary_row("workbook ingest vs calamine's read, 100x", measured, limit,
                             ratio, "≥ 50 %", None if ratio is None else ratio >= 0.50))
    workbook = by_key.get(("yearbook_ingest", 1))
    rows.append(_summary_row(
        "`citytiers load` of the 1x yearbook workbook"
        + (f" ({workbook.observations:,} figures)" if workbook else ""),
        _seconds(workbook.median if workbook else None), "—", None, "≤ 3 s",
        None if workbook is None or workbook.median is None else workbook.median <= 3.0))
    # Peak RSS of the pipeline's own processes (the limits are DuckDB's and calamine's).
    ours = [r for r in results if r.peak_rss_mib is not None
            and r.stage not in {"duckdb_read_csv", "calamine_read"}]
    peak = max(ours, key=lambda r: r.peak_rss_mib or 0.0, default=None)
    rows.append(_summary_row(
        "peak RSS of any night, any scale run",
        "not measured" if peak is None else
        f"{peak.peak_rss_mib:,.0f} MiB ({peak.stage}, {peak.scale}x)", "—", None, "≤ 2 GiB",
        None if peak is None else (peak.peak_rss_mib or 0.0) <= 2 * GIB_MIB))
    samples = by_key.get(("samples_dbt_build", 1))
    rows.append(_summary_row("`dbt build` on the samples",
                             _seconds(samples.median if samples else None), "—", None,
                             "≤ 15 s", None if samples is None or samples.median is None
                             else samples.median <= 15.0))
    build, direct = by_key.get(("dbt_build", 100)), by_key.get(("dbt_sql_direct", 100))
    ratio = (build.median / direct.median if build and direct and build.median
             and direct.median else None)
    rows.append(_summary_row("`dbt build` vs its compiled SQL run directly, 100x",
                             _seconds(build.median if build else None),
                             _seconds(direct.median if direct else None), ratio, "≤ 2×",
                             None if ratio is None else ratio <= 2.0))
    rebuild = by_key.get(("full_rebuild", 100))
    rows.append(_summary_row("full rebuild at 100x (10 M observations)",
                             _seconds(rebuild.median if rebuild else None), "—", None,
                             "≤ 180 s", None if rebuild is None or rebuild.median is None
                             else rebuild.median <= 180.0))
    for stage, figure, most in (("first_night", "first `make run` on the samples, "
                                 "`DAG run took`", 30.0),
                                ("quiet_night", "quiet night (`make run` again), "
                                 "`DAG run took`", QUIET_NIGHT_TARGET_S)):
        night = by_key.get((stage, 1))
        median = night.median if night else None
        rows.append(_summary_row(figure, _seconds(median), "—", None, f"≤ {most:.0f} s",
                                 None if median is None else median <= most))
    return rows


def summary_table(rows: list[dict[str, object]]) -> str:
    """The summary as Markdown: figure, measured, limit, ratio, target, met."""
    lines = ["| figure (this machine) | measured | limit | ratio | target | met? |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        ratio = row["ratio"]
        shown = "—" if ratio is None else (f"{100 * ratio:.1f} %" if "%" in str(row["target"])
                                           else f"{ratio:.2f}×")
        lines.append(f"| {row['figure']} | {row['measured']} | {row['limit']} | {shown} | "
                     f"{row['target']} | {_verdict(row['met'])} |")
    return "\n".join(lines)


def _timing_rows(result: StageResult) -> list[dict[str, object]]:
    """The ingest's own split (IngestOutcome.timings), medians over the runs."""
    import statistics

    found = result.stage_timings()
    rows = []
    names = [n for n in INGEST_STAGES if n in found] + sorted(set(found) - set(INGEST_STAGES))
    if "validate" not in found:
        rows.append({"stage": f"{result.stage}.validate", "label": "  GX validation "
                     "(raw_observations)", "scale": result.scale,
                     "observations": result.observations, "runs": "0", "seconds": [],
                     "median_s": None, "min_s": None, "max_s": None, "peak_rss_mib": None,
                     "obs_per_s": None, "pct_of_limit": None,
                     "targets": [], "note": "n/a: no timings reported"})
    for name in names:
        values = found[name]
        median = statistics.median(values)
        rows.append({"stage": f"{result.stage}.{name}",
                     "label": f"  {TIMING_LABELS.get(name, name)} (from timings)",
                     "scale": result.scale, "observations": result.observations,
                     "runs": str(len(values)), "seconds": values, "median_s": median,
                     "min_s": min(values), "max_s": max(values), "peak_rss_mib": None,
                     "obs_per_s": result.observations / median
                     if result.observations and median else None,
                     "pct_of_limit": None, "targets": []})
    return rows


def _number(value: object, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown_table(rows: list[dict[str, object]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        targets = row["targets"]
        pct = row["pct_of_limit"]
        lines.append("| " + " | ".join([
            str(row["label"]).replace("  ", "↳ ", 1) if str(row["label"]).startswith("  ")
            else str(row["label"]),
            f"{row['scale']}x" if row["scale"] else "any", _number(row["observations"]),
            str(row["runs"]),
            _number(row["median_s"]), _number(row["min_s"]), _number(row["max_s"]),
            _number(row["peak_rss_mib"], 0), _number(row["obs_per_s"], 0),
            "—" if pct is None else f"{pct:.1f} %",
            "; ".join(t["target"] for t in targets) or ("" if "note" not in row
                                                        else str(row["note"])),
            "; ".join(_verdict(t["met"]) for t in targets),
        ]) + " |")
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _git(home: Path) -> dict[str, object]:
    try:
        commit = subprocess.run(["git", "-C", str(home), "rev-parse", "HEAD"], check=True,
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(home), "status", "--porcelain"], check=True,
                               capture_output=True, text=True).stdout.strip() != ""
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


def machine_info(home: Path) -> dict[str, object]:
    import psutil

    return {
        "cores_logical": os.cpu_count(), "cores_physical": psutil.cpu_count(logical=False),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 1024 ** 3, 1),
        "platform": platform.platform(), "machine": platform.machine(),
        "processor": platform.processor() or None, "load_average": os.getloadavg(),
        "versions": _versions(), "git": _git(home), "executable": sys.executable,
    }


def write_report(reports_dir: Path, home: Path, results: list[StageResult],
                 inputs: list[Inputs], options: dict[str, object], started: dt.datetime,
                 wall_seconds: float) -> tuple[Path, Path, str]:
    """Write ``bench.md`` and ``bench.json``; returns their paths and the Markdown table."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    rows = build_rows(results)
    summary = summary_rows(results)
    machine = machine_info(home)
    table = summary_table(summary) + "\n\n" + markdown_table(rows)
    notes = [note for result in results for note in result.notes]
    versions = machine["versions"]
    lines = [
        "# citytiers benchmark (`make bench`)", "",
        "> Inputs are **SYNTHETIC** benchmark releases (publisher `sample`, "
        "`is_synthetic: true`, titles \"SYNTHETIC SAMPLE (benchmark)\"), generated by "
        "`tools.bench.generate`: the figures are invented.", "",
        f"- started {started.isoformat(timespec='seconds')}, took {wall_seconds:.0f} s; "
        f"options: {json.dumps(options)}",
        f"- machine: {machine['cores_usable']} usable cores ({machine['cores_logical']} "
        f"logical), {machine['memory_gib']} GiB RAM, {machine['platform']}; load average "
        f"at the end {', '.join(f'{x:.2f}' for x in machine['load_average'])}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"- git: {machine['git']['commit']}" + (" (uncommitted changes)"
                                                if machine["git"]["dirty"] else ""),
        "- every stage runs in fresh processes; seconds are wall time; peak RSS is the "
        "kernel's ru_maxrss of the stage's largest process; obs/s at the median; "
        "% of limit = ingest obs/s over the limit's obs/s on the same file",
        "- GX validation, parse and load rows (↳) are the ingest's own split, the medians of "
        "`IngestOutcome.timings` from `citytiers load --json` (the ingest API has no separate "
        "validation entry point); the fixed-cost row is `citytiers load` of an empty folder "
        "(interpreter and imports), which every ingest number includes", "",
        table, "",
    ]
    if inputs:
        lines += ["## Inputs", "",
                  "| scale | tidy CSV observations | places x years | CSV MiB | yearbook "
                  "observations | rows | sheets | XLSX MiB |", "|---|---|---|---|---|---|---|---|"]
        for item in inputs:
            csv_mib = item.tidy_path.stat().st_size / 1024 ** 2
            xlsx_mib = item.yearbook_path.stat().st_size / 1024 ** 2
            lines.append(f"| {item.scale}x | {item.tidy_observations:,} | {item.tidy_places} "
                         f"x {len(item.tidy_years)} | {csv_mib:.1f} | "
                         f"{item.yearbook_observations:,} | {item.yearbook_rows:,} | "
                         f"{len(item.yearbook_sheets)} | {xlsx_mib:.1f} |")
        lines.append("")
    if notes:
        lines += ["## Notes", "", *(f"- {note}" for note in notes), ""]
    markdown = reports_dir / "bench.md"
    markdown.write_text("\n".join(lines), encoding="utf-8")
    data = {
        "started": started.isoformat(timespec="seconds"), "wall_seconds": wall_seconds,
        "options": options, "machine": machine, "summary": summary, "rows": rows,
        "notes": notes,
        "inputs": [asdict(item) for item in inputs],
        "runs": [{"stage": r.stage, "scale": r.scale,
                  "runs": [{"command": run.command, "seconds": run.seconds,
                            "peak_rss_mib": run.peak_rss_mib, "tree_rss_mib": run.tree_rss_mib,
                            "returncode": run.returncode, "killed": run.killed,
                            "invalid": run.extra.get("invalid")} for run in r.runs]}
                 for r in results],
    }
    path = reports_dir / "bench.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str),
                    encoding="utf-8")
    return markdown, path, table
