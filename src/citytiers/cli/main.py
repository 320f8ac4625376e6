"""The ``citytiers`` command: small helpers around the nightly pipeline."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from citytiers.settings import load_settings

if TYPE_CHECKING:
    from rich.text import Text

    from citytiers.settings import Settings


@click.group()
def main() -> None:
    """citytiers: a versioned warehouse of Chinese city statistics."""


@main.command()
def summary() -> None:
    """Print the last run's summary (written by the DAG's report task)."""
    settings = load_settings()
    path = settings.reports / "run_summary.md"
    if not path.exists():
        click.echo(f"No run summary at {path}: run `make run` first.", err=True)
        sys.exit(1)
    click.echo(path.read_text(encoding="utf-8"))


@main.command("gx-configure")
def gx_configure() -> None:
    """Rewrite the GX suites, validation definitions and checkpoints under expectations/."""
    from citytiers.parse.normalize.dictionary import load_dictionary
    from citytiers.validate.gx_project import configure_project

    settings = load_settings()
    names = configure_project(settings, load_dictionary(settings.seeds))
    click.echo(f"configured suites: {', '.join(names)} in {settings.expectations}")


@main.command()
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


def _reason_head(reason: str | None) -> str:
    """The first line of a quarantine reason. When that line only introduces a list
    ("file x.csv: 2 problem(s):", "validation suite ... failed:"), the first item instead
    (with the count), so that the line names the file and the cell at fault."""
    lines = [line.strip() for line in (reason or "").splitlines() if line.strip()]
    if not lines:
        return ""
    head = lines[0]
    if not head.endswith(":") or len(lines) < 2:
        return head
    first = lines[1].removeprefix("- ").strip()
    problems = re.search(r": (\d+) problem\(s\):$", head)
    if problems:
        count = int(problems.group(1))
        return first + (f" (and {count - 1} more problem(s))" if count > 1 else "")
    return f"{head} {first}"


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
        line.append(f"  {_reason_head(outcome.get('reason'))}")
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


@main.command()
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
    from citytiers.orchestration.steps import load_paths
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


STATE_STYLES = {"loaded": "green", "quarantined": "yellow", "quarantined_after_audit": "red",
                "withdrawn": "magenta", "accepted": "cyan"}


def _json_value(value: object) -> object:
    """DECIMAL as a JSON number (what an analyst's tool expects), dates in ISO 8601."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


@main.command()
@click.argument("sql")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True, help="How to print the result.")
def query(sql: str, output: str) -> None:
    """Run SQL on the published database of the warehouse named by CITYTIERS_WAREHOUSE,
    read-only: a statement that writes fails with a clear message and exit status 1.

    Example: citytiers query "select * from marts.mart_trillion_club_year limit 5"
    """
    import csv
    import io

    import duckdb

    from citytiers.database import open_duckdb

    settings = load_settings()
    if not settings.published_db.exists():
        click.echo(f"nothing is published yet ({settings.published_db} does not exist): "
                   "run `make run` first", err=True)
        sys.exit(1)
    try:
        with open_duckdb(settings.published_db, read_only=True) as connection:
            cursor = connection.execute(sql)
            columns = [c[0] for c in cursor.description or []]
            rows = cursor.fetchall()
    except duckdb.Error as exc:
        message = str(exc)
        if "read-only mode" in message:
            message = ("the published database is read-only: analysts query it, only the "
                       f"nightly pipeline writes the warehouse ({message})")
        click.echo(f"citytiers query: {message}", err=True)
        sys.exit(1)
    if output == "json":
        for row in rows:
            click.echo(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False,
                                  default=_json_value))
    elif output == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        Console(soft_wrap=True).print(table)


@main.group()
def releases() -> None:
    """The releases of the warehouse: list them, show one, withdraw, restore or accept one."""


@releases.command("list")
@click.option("--state", type=click.Choice(sorted(STATE_STYLES)), default=None,
              help="Only releases in this state.")
def releases_list(state: str | None) -> None:
    """One line per release (its latest attempt), newest publication first."""
    from rich.console import Console
    from rich.table import Table

    from citytiers.database import ensure_raw_schema
    from citytiers.load.release_states import list_releases

    settings = load_settings()
    ensure_raw_schema(settings.build_db)
    table = Table("id", "state", "file", "published", "rows", "reason", box=None)
    for release in list_releases(settings.build_db, state):
        rows = release.observation_count or release.record_count
        table.add_row(release.release_id[:12],
                      f"[{STATE_STYLES.get(release.state, '')}]{release.state}[/]",
                      release.file_name + (" (SYNTHETIC)" if release.is_synthetic else ""),
                      str(release.published_on or ""), str(rows),
                      _reason_head(release.reason))
    Console(soft_wrap=True).print(table)


@releases.command("show")
@click.argument("release")
def releases_show(release: str) -> None:
    """Everything about RELEASE (an id, a prefix of 6+ characters, or a file name)."""
    from citytiers.gates.findings import release_findings
    from citytiers.load.release_states import ReleaseNotFound, resolve

    settings = load_settings()
    try:
        found = resolve(settings.build_db, release)
    except ReleaseNotFound as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    for name, value in vars(found).items():
        click.echo(f"{name}: {value}")
    _echo_findings(release_findings(settings.build_db, found.release_id))


def _echo_findings(found: list) -> None:
    """The latest attempt's problems and warnings, one line per row they name."""
    from rich.console import Console
    from rich.table import Table

    if not found:
        click.echo("findings: none")
        return
    for severity in ("problem", "warning"):
        rows = [f for f in found if f.severity == severity]
        if not rows:
            continue
        table = Table("where", "city", "year", severity, box=None, show_lines=False,
                      title=f"{len(rows)} {severity}(s)", title_justify="left")
        for finding in rows:
            city = " ".join(part for part in (finding.city_name_raw, finding.city_code) if part)
            table.add_row(finding.where() or "(the release)", city,
                          str(finding.data_year or ""), finding.message)
        Console(soft_wrap=True).print(table)


def _change_state(release: str, action: str, reason: str) -> None:
    from citytiers.errors import CitytiersError
    from citytiers.load.release_states import change_state

    settings = load_settings()
    try:
        after, changed = change_state(settings, release, action, reason)
    except CitytiersError as exc:
        click.echo(f"citytiers releases {action}: {exc}", err=True)
        sys.exit(1)
    if not changed:
        click.echo(f"{after.release_id[:12]} {after.file_name} is already {after.state}; "
                   "nothing recorded.")
        return
    next_night = {"withdraw": "The next nightly build leaves its figures out",
                  "restore": "The next nightly build uses its figures again",
                  "accept": "The next night loads it, its problems kept as findings"}[action]
    click.echo(f"{after.release_id[:12]} {after.file_name}: {after.state} "
               f"({after.reason}). {next_night}; run `make run` to do it now.")


@releases.command("withdraw")
@click.argument("release")
@click.option("--reason", required=True, help="Why (shown wherever the state is).")
def releases_withdraw(release: str, reason: str) -> None:
    """Take RELEASE's figures out of force from the next build. Its rows stay in raw
    (queryable), and discovery never loads its file again; `restore` undoes it."""
    _change_state(release, "withdraw", reason)


@releases.command("restore")
@click.argument("release")
@click.option("--reason", default="restored", show_default=True,
              help="Why (shown wherever the state is).")
def releases_restore(release: str, reason: str) -> None:
    """Put a withdrawn (or quarantined-after-audit) RELEASE back in force from the next
    build. A release quarantined after the audit is audited again then."""
    _change_state(release, "restore", reason)


@releases.command("accept")
@click.argument("release")
@click.option("--reason", required=True,
              help="What you checked and why the release is right (shown wherever it is).")
def releases_accept(release: str, reason: str) -> None:
    """Accept RELEASE, refused at the gates, after checking its problems (`releases show`
    lists them row by row): the next night loads it as it is, and its problems stay with it
    as findings, with who accepted it, when and why. Nothing is edited: the file is the
    same immutable release."""
    _change_state(release, "accept", reason)


@main.command()
@click.option("--as-of", "as_of", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date (YYYY-MM-DD) whose state to rebuild: releases published by "
                   "then, withdrawals made by then.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The database file to write (replaced if it exists); never the "
                   "warehouse's own.")
@click.option("--with-tests", is_flag=True,
              help="Run the dbt data tests on the rebuilt state too (slower).")
def rebuild(as_of: dt.datetime, out: Path, with_tests: bool) -> None:
    """Rebuild every mart as the warehouse stood on a past date, into its own file."""
    from citytiers.errors import CitytiersError
    from citytiers.transform.rebuild import rebuild_as_of

    settings = load_settings()
    try:
        written = rebuild_as_of(settings, as_of.date(), out, with_tests=with_tests)
    except CitytiersError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"rebuilt the warehouse as of {as_of.date().isoformat()}: {written}")


@main.command()
@click.option("--port", default=8080, show_default=True, help="The UI and API port "
              "(loopback only).")
def airflow(port: int) -> None:
    """Run the real Airflow (scheduler, DAG processor, API server and UI) for the
    warehouse named by CITYTIERS_WAREHOUSE, until Ctrl-C; prints the URL and the login.

    The nightly DAG starts paused: unpause it in the UI (or `airflow dags unpause
    citytiers_nightly`) and it runs every night at 02:00 Asia/Shanghai."""
    import signal
    import threading

    from citytiers.orchestration.airflow_local import ADMIN_USER, AirflowServices

    settings = load_settings()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    click.echo(f"starting Airflow for {settings.warehouse} (logs in "
               f"{settings.warehouse / 'airflow' / 'logs-services'}) ...")
    with AirflowServices(settings.warehouse, api_port=port) as services:
        click.echo(f"Airflow UI: {services.base_url}  user: {ADMIN_USER}  password: "
                   f"{services.password}\nPress Ctrl-C to stop.")
        try:
            while not stopped.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        click.echo("stopping Airflow ...")


def _register() -> None:
    from citytiers.cli.reports import docs, report, run, status

    for command in (status, report, run, docs):
        main.add_command(command)


_register()

if __name__ == "__main__":
    main()
