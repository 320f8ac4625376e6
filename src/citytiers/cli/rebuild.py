"""``citytiers rebuild --as-of``: every mart as the warehouse stood on a past date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from citytiers.settings import load_settings


@click.command()
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
