"""``citytiers load`` and ``citytiers parse``: releases into the warehouse by hand, without
Airflow, or parsed only, to see what would be loaded."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from citytiers.cli.reasons import reason_head
from citytiers.settings import load_settings

if TYPE_CHECKING:
    from rich.text import Text

    from citytiers.settings import Settings


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def parse(files: tuple[str, ...]) -> None:
    """Parse FILES as releases and print what would be loaded (loads nothing)."""

    from citytiers.errors import CitytiersError
    from citytiers.parse.normalize.dictionary import load_dictionary
    from citytiers.parse.release import parse_release

    settings = load_settings()
    dictionary = load_dictionary(settings.seeds)
    failed = False
    for name in files:
        path = Path(name)
        try:
            parsed = parse_release(path, dictionary)
        except CitytiersError as exc:
            failed = True
            click.echo(f"ERROR {exc}", err=True)
            continue
        frame = parsed.observations
        click.echo(json.dumps({
            "file": path.name, "format": parsed.file_format, "observations": len(frame),
            "cities": int(frame["city_code"].nunique()),
            "indicators": sorted(frame["indicator_code"].unique().tolist()),
            "data_years": sorted(int(y) for y in frame["data_year"].unique()),
            "bases": sorted(frame["basis"].unique().tolist()),
            "notes": parsed.notes,
        }, ensure_ascii=False))
    sys.exit(1 if failed else 0)


# Exit status of `citytiers load` when the writer's database is locked: EX_TEMPFAIL of
# sysexits.h ("try again later"), distinct from a crash (1) and a usage error (2).
EXIT_LOCKED = 75
STATUS_STYLES = {"loaded": "green", "quarantined": "yellow", "skipped": "dim"}


class _DropQuarantineLog(logging.Filter):
    """The release line already says "quarantined" and why: drop the log's duplicate."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("quarantined")


def _outcome_line(outcome: dict) -> Text:
    from rich.text import Text

    status = str(outcome["status"])
    line = Text()
    line.append(f"{status:<11}", style=STATUS_STYLES.get(status, ""))
    line.append(f" {outcome['file_name']}")
    if status == "loaded":
        counts = [f"{outcome['observations']} observations"]
        if outcome.get("records"):
            counts.append(f"{outcome['records']} records")
        line.append("  " + ", ".join(counts), style="bold")
        if outcome.get("is_synthetic"):
            line.append("  (SYNTHETIC)", style="magenta")
        if outcome.get("warnings"):
            line.append(f"  {len(outcome['warnings'])} warning(s)", style="yellow")
    elif status == "quarantined":
        line.append(f"  {reason_head(outcome.get('reason'))}")
    else:
        line.append(f"  {outcome.get('reason') or ''}", style="dim")
    return line


def _summary_line(outcomes: list[dict], settings: Settings) -> str:
    by_status = {s: [o for o in outcomes if o["status"] == s]
                 for s in ("loaded", "quarantined", "skipped")}
    observations = sum(int(o["observations"]) for o in by_status["loaded"])
    records = sum(int(o.get("records") or 0) for o in by_status["loaded"])
    loaded = f"{len(by_status['loaded'])} loaded ({observations} observations"
    loaded += f", {records} records)" if records else ")"
    return (f"{len(outcomes)} release(s): {loaded}, {len(by_status['quarantined'])} "
            f"quarantined, {len(by_status['skipped'])} skipped; writer's database "
            f"{settings.build_db}")


@click.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=True, dir_okay=True))
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per release (IngestOutcome, with per-stage "
                   "timings) instead of the table; the summary goes to stderr.")
@click.option("--build", "run_build", is_flag=True,
              help="Run `dbt build` (seeds, models, tests) on the writer's database "
                   "afterwards. Nothing is published either way: `make run` validates "
                   "the marts and publishes the analysts' copy.")
@click.option("--run-id", default=None,
              help="Recorded in raw.releases.run_id (default: cli__<UTC time>).")
@click.option("-v", "--verbose", is_flag=True,
              help="Show the pipeline's log at INFO level (default: warnings only).")
def load(paths: tuple[str, ...], as_json: bool, run_build: bool, run_id: str | None,
         verbose: bool) -> None:
    """Load the releases in PATHS (files, or folders read non-recursively) into the
    warehouse named by CITYTIERS_WAREHOUSE (default: warehouse/), without Airflow.

    The same steps as the nightly DAG's ingest tasks: discover the releases in PATHS not
    loaded yet (warehouse/landing/ only if named), reference releases (code lists, change
    events) first, then parse, validate (GX suite raw_observations) and load each one in
    its own transaction, or quarantine it with a reason naming the file, sheet, row and
    column. Files are copied to archive/ or quarantine/, never moved.

    Prints one line per release and a summary. Exit status 0 when every release was
    loaded, skipped or quarantined (a bad release is not a failure of the command);
    75 when the writer's database is locked by another process; 1 on a crash or a
    failed --build.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if not verbose:
        handler.addFilter(_DropQuarantineLog())
    package_log = logging.getLogger("citytiers")
    package_log.addHandler(handler)
    package_log.setLevel(logging.INFO if verbose else logging.WARNING)

    try:
        _load(paths, as_json, run_build, run_id)
    finally:
        package_log.removeHandler(handler)


def _load(paths: tuple[str, ...], as_json: bool, run_build: bool, run_id: str | None) -> None:
    import datetime as dt

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.text import Text

    from citytiers.errors import TransientError
    from citytiers.orchestration.steps import VALIDATED, load_paths
    from citytiers.transform.dbt_runner import DbtFailed, build

    settings = load_settings()
    run_id = run_id or f"cli__{dt.datetime.now(dt.UTC).strftime('%Y-%m-%dT%H:%M:%S')}"
    out = Console(soft_wrap=True, highlight=False, markup=False)
    err = Console(stderr=True, soft_wrap=True, highlight=False, markup=False)
    # The bar is drawn only on a terminal, and vanishes at the end. With --json it goes
    # to stderr and leaves stdout alone (one JSON object per line, nothing else).
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        console=err if as_json else out, transient=True,
                        redirect_stdout=not as_json, redirect_stderr=not as_json)
    task_id = None

    def on_release(index: int, total: int, candidate: dict, outcome: dict | None) -> None:
        nonlocal task_id
        from pathlib import Path

        if outcome is None:
            if total > 1 and task_id is None:
                progress.start()
                task_id = progress.add_task("ingesting", total=total)
            if task_id is not None:
                progress.update(task_id, description=f"ingesting {Path(candidate['path']).name}")
            return
        if as_json:
            click.echo(json.dumps(outcome, ensure_ascii=False, default=str))
        elif task_id is not None:
            progress.console.print(_outcome_line(outcome))
        else:
            out.print(_outcome_line(outcome))
        if task_id is not None:
            progress.advance(task_id)

    try:
        outcomes = load_paths(list(paths), settings, run_id, progress=on_release)
    except TransientError as exc:
        progress.stop()
        err.print(
            Text("citytiers load: the warehouse is locked.", style="bold red"),
            f"{exc}\n"
            f"The locked file is the writer's database {settings.build_db}: another process "
            "has it open (the nightly DAG, another `citytiers load`, or a client that "
            "should not open it). Releases loaded before this point stay loaded; run the "
            "command again when that process is done.\n"
            f"Analysts: open the published copy {settings.published_db} (read-only), "
            "never the writer's file.")
        sys.exit(EXIT_LOCKED)
    finally:
        progress.stop()
    if any(o["status"] in VALIDATED for o in outcomes):
        from citytiers.validate.gx_project import build_data_docs

        build_data_docs(settings)  # GX ran: its Data Docs, once for every release
    summary_console = err if as_json else out
    if not outcomes:
        summary_console.print("no new release in " + ", ".join(paths)
                              + " (already loaded, or quarantined with the same sidecar)")
    else:
        summary_console.print(_summary_line(outcomes, settings))
    if run_build:
        import contextlib

        # dbt logs to stdout; with --json stdout carries the JSON objects only.
        to_stderr = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
        try:
            with to_stderr:
                counts = build(settings)
        except DbtFailed as exc:
            err.print(Text("dbt build failed:", style="bold red"), str(exc))
            sys.exit(1)
        except TransientError as exc:
            err.print(Text("dbt build: the warehouse is locked.", style="bold red"), str(exc))
            sys.exit(EXIT_LOCKED)
        summary_console.print("dbt build: " + ", ".join(f"{n} {kind}(s)" for kind, n
                                                         in sorted(counts.items())))
