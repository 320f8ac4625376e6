"""The ``citytiers`` command: small helpers around the nightly pipeline."""

from __future__ import annotations

import json
import sys

import click

from citytiers.settings import load_settings


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
    from citytiers.dictionary import load_dictionary
    from citytiers.validate.gx_project import configure_project

    settings = load_settings()
    names = configure_project(settings, load_dictionary(settings.seeds))
    click.echo(f"configured suites: {', '.join(names)} in {settings.expectations}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def parse(files: tuple[str, ...]) -> None:
    """Parse FILES as releases and print what would be loaded (loads nothing)."""
    from pathlib import Path

    from citytiers.dictionary import load_dictionary
    from citytiers.errors import CitytiersError
    from citytiers.parse import parse_release

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


if __name__ == "__main__":
    main()
