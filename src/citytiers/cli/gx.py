"""``citytiers gx-configure``: write the GX project's suites and checkpoints from code."""

from __future__ import annotations

import click

from citytiers.settings import load_settings


@click.command("gx-configure")
def gx_configure() -> None:
    """Rewrite the GX suites, validation definitions and checkpoints under expectations/."""
    from citytiers.parse.normalize.dictionary import load_dictionary
    from citytiers.validate.gx_project import configure_project

    settings = load_settings()
    names = configure_project(settings, load_dictionary(settings.seeds))
    click.echo(f"configured suites: {', '.join(names)} in {settings.expectations}")
