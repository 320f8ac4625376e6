"""The ``citytiers`` command: one group, its commands one module per command group.

Each command imports what it needs when it runs, so ``citytiers --help`` and the light
commands start without importing Great Expectations or dbt."""

from __future__ import annotations

import click

from citytiers.cli.airflow import airflow
from citytiers.cli.gx import gx_configure
from citytiers.cli.load import EXIT_LOCKED, load, parse
from citytiers.cli.query import query
from citytiers.cli.rebuild import rebuild
from citytiers.cli.releases import releases
from citytiers.cli.reports import docs, report, run, status, summary


@click.group()
def main() -> None:
    """citytiers: a versioned warehouse of Chinese city statistics."""


for command in (summary, gx_configure, parse, load, query, releases, rebuild, airflow,
                status, report, run, docs):
    main.add_command(command)

__all__ = ["EXIT_LOCKED", "main"]

if __name__ == "__main__":
    main()
