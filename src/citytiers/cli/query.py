"""``citytiers query``: SQL on the published database, read-only, as an analyst runs it."""

from __future__ import annotations

import json
import sys

import click

from citytiers.settings import load_settings


def _json_value(value: object) -> object:
    """DECIMAL as a JSON number (what an analyst's tool expects), dates in ISO 8601."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


@click.command()
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
