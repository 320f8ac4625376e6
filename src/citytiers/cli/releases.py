"""``citytiers releases``: list, show, withdraw, restore or accept a release."""

from __future__ import annotations

import sys

import click

from citytiers.cli.reasons import reason_head
from citytiers.settings import load_settings

STATE_STYLES = {"loaded": "green", "quarantined": "yellow", "quarantined_after_audit": "red",
                "withdrawn": "magenta", "accepted": "cyan"}



@click.group()
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
                      reason_head(release.reason))
    Console(soft_wrap=True).print(table)


@releases.command("show")
@click.argument("release")
def releases_show(release: str) -> None:
    """Everything about RELEASE (an id, a prefix of 6+ characters, or a file name)."""
    from citytiers.findings import release_findings
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
