"""``citytiers status``, ``summary``, ``report``, ``docs`` and ``run``: what a steward or an
analyst runs to see the warehouse and its reports, and to run the night by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from citytiers.settings import load_settings

STATE_STYLES = {"clean": "green", "unchanged": "cyan", "degraded": "yellow",
                "failed": "bold red"}


@click.command()
def summary() -> None:
    """Print the last run's summary (written by the DAG's report task)."""
    settings = load_settings()
    path = settings.reports / "run_summary.md"
    if not path.exists():
        click.echo(f"No run summary at {path}: run `make run` first.", err=True)
        sys.exit(1)
    click.echo(path.read_text(encoding="utf-8"))


@click.command()
def status() -> None:
    """The last run (its state and verdict), the releases by state, its warnings and the
    freshness per publisher, for the warehouse named by CITYTIERS_WAREHOUSE.

    Exit status: 0 when the last run was clean or changed nothing, 1 when it was degraded
    or failed, 2 when no run was recorded yet."""
    from citytiers.report.history import read_run
    from citytiers.report.pages import data_mix

    settings = load_settings()
    console = Console(soft_wrap=True)
    detail = read_run(settings)
    if detail is None:
        console.print(f"No run recorded in {settings.warehouse} yet: run `make run` (or "
                      "`citytiers run`).")
        sys.exit(2)
    run = detail["run"]
    style = STATE_STYLES.get(run["state"], "")
    console.print(f"Last run [bold]{run['run_id']}[/] (logical date {run['logical_date']}, "
                  f"recorded {run['recorded_at']:%Y-%m-%d %H:%M %Z}): "
                  f"[{style}]{str(run['state']).upper()}[/]")
    mix = data_mix(bool(run["synthetic_in_force"]), bool(run["official_in_force"]))
    if mix["synthetic"]:
        console.print(f"[bold yellow]{mix['banner']}[/]")
    console.print(run["summary"], markup=False)
    console.print(f"This run: {run['loaded']} loaded, {run['quarantined']} quarantined at "
                  f"the gates, {run['quarantined_after_audit']} quarantined after the "
                  f"audit, {run['withdrawn']} withdrawn, {run['skipped']} already loaded. "
                  f"In force: {run['releases_in_force']} release(s), "
                  f"{run['observations']:,} observations.")
    troubled = [r for r in detail["run_releases"] if r["status"] != "loaded"
                and r["status"] != "skipped"]
    warned = [r for r in detail["run_releases"] if r["warnings"]]
    if troubled or warned:
        table = Table("file", "status", "reason or warning", title="Releases needing a look")
        for row in troubled:
            table.add_row(row["file_name"] or row["release_id"][:12], row["status"],
                          (row["reason"] or "").splitlines()[0][:160])
        for row in warned:
            for warning in row["warnings"]:
                table.add_row(row["file_name"], "warning", warning[:160])
        console.print(table)
    if detail["run_freshness"]:
        table = Table("publisher", "releases", "latest published", "age (days)", "expected",
                      "status", title="Freshness per publisher")
        for row in detail["run_freshness"]:
            table.add_row(str(row["publisher"]), str(row["releases"]),
                          str(row["latest_published_on"] or "-"), str(row["age_days"]),
                          f"{row['cadence']} ({row['expected_every_days']} d)",
                          "[red]overdue[/]" if row["is_overdue"] else "[green]fresh[/]")
        console.print(table)
    console.print(f"Reports: {settings.reports / 'quality' / 'index.html'} and "
                  f"{settings.reports / 'analytics' / 'index.html'}")
    sys.exit(1 if run["state"] in ("degraded", "failed") else 0)


@click.command()
@click.option("--city", "cities", multiple=True, metavar="NAME",
              help="Also write this city's profile page (a name as printed, e.g. 苏州 or "
                   "苏州市, or a code); repeatable.")
def report(cities: tuple[str, ...]) -> None:
    """Write the data-quality report (from the run history) and the analytics report
    (from the published marts) again, and print where they are."""
    from citytiers.report.analytics import CityNotFound, write_analytics, write_city_profile
    from citytiers.report.history import read_run
    from citytiers.report.quality import write_quality

    settings = load_settings()
    console = Console(soft_wrap=True)
    last = read_run(settings)
    written: list[Path] = []
    with console.status("writing the reports ..."):
        if last is not None:
            quality = write_quality(settings, str(last["run"]["run_id"]))
            written += [quality] if quality else []
        analytics = write_analytics(settings)
        written += [analytics] if analytics else []
        failed = False
        for name in cities:
            try:
                written.append(write_city_profile(settings, name))
            except CityNotFound as exc:
                console.print(f"[red]citytiers report --city {name}: {exc}[/]")
                failed = True
    if not written:
        console.print("Nothing to report yet: run `make run` first.")
        sys.exit(1)
    for path in written:
        console.print(f"wrote {path}")
    sys.exit(1 if failed else 0)


@click.command()
@click.option("--source", "sources", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Also read this folder or file of releases (copied, never moved); "
                   "repeatable.")
@click.option("--samples/--no-samples", default=True, show_default=True,
              help="Include the bundled SYNTHETIC sample releases. --no-samples builds a "
                   "warehouse of the given sources only.")
def run(sources: tuple[Path, ...], samples: bool) -> None:
    """One run of the nightly DAG through Airflow's own runner, as `make run`: prints the
    run summary whatever happened. Exit status 1 when the run failed or was degraded
    (releases quarantined after the audit, the rest published)."""
    from citytiers.orchestration.nightly_run import error_lines, run_nightly, source_dirs

    settings = load_settings()
    settings.ensure_dirs()
    console = Console(soft_wrap=True)
    summary = settings.reports / "run_summary.md"
    summary.unlink(missing_ok=True)
    dirs = source_dirs(list(sources), samples=samples)
    with console.status("citytiers_nightly: starting Airflow ...") as shown:
        def progress(task: str, finished: int) -> None:
            shown.update(f"citytiers_nightly: {task} ({finished} task(s) finished)")

        outcome = run_nightly(settings, dirs, progress)
    if summary.exists():
        console.print(summary.read_text(encoding="utf-8"), markup=False, highlight=False)
    if outcome.ok:
        console.print(f"DAG run took {outcome.seconds:.0f} s; Airflow log: {outcome.log}")
        return
    for line in error_lines(outcome.log):
        console.print(line, markup=False, highlight=False)
    degraded = summary.exists() and "DEGRADED" in summary.read_text(encoding="utf-8")
    console.print("The night was DEGRADED: the releases above were quarantined after the "
                  "audit; the rest was published." if degraded
                  else "The DAG run failed; nothing new was published.")
    console.print(f"Full log: {outcome.log}")
    sys.exit(1)


@click.command()
@click.option("--serve/--no-serve", default=False, show_default=True,
              help="Serve the site on 127.0.0.1 until Ctrl-C (it also opens as a file).")
@click.option("--port", default=8081, show_default=True, help="The port to serve on.")
def docs(serve: bool, port: int) -> None:
    """The dbt docs of the published build (regenerated when older than it), checked: the
    command fails, naming them, when a model or a mart column has no description."""
    import functools
    import http.server

    from citytiers.report.dbt_docs import check_docs, ensure_docs

    settings = load_settings()
    console = Console(soft_wrap=True)
    if not settings.published_db.exists():
        console.print("Nothing is published yet: run `make run` first.")
        sys.exit(1)
    with console.status("generating the dbt docs ..."):
        ensure_docs(settings)
    site = settings.reports / "dbt_docs"
    problems = check_docs(site)
    if problems:
        console.print(f"[red]{len(problems)} description(s) missing:[/]")
        for problem in problems:
            console.print(f"  - {problem}", markup=False)
        sys.exit(1)
    console.print(f"dbt docs: {site / 'index.html'} (every model and mart column described)")
    if not serve:
        return
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        console.print(f"serving on http://127.0.0.1:{port}/ ; Ctrl-C to stop")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.print("stopped")
