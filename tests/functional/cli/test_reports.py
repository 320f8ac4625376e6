"""`citytiers status`, `report`, `docs` on a warehouse with nothing in it yet, the run
history's record of a night, and `--help` on every command."""

from __future__ import annotations

import click
import duckdb
import pytest
from click.testing import CliRunner

from citytiers.cli.main import main
from citytiers.report.history import NightFacts, list_runs, read_run, record_run
from citytiers.report.quality import run_page, write_quality
from citytiers.settings import Settings


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.functional
def test_every_command_has_help() -> None:
    commands = list(_commands(main))
    assert {("status",), ("report",), ("run",), ("docs",), ("query",),
            ("releases", "list"), ("releases", "show")} <= set(commands)
    for command in commands:
        done = CliRunner().invoke(main, [*command, "--help"])
        assert done.exit_code == 0, (command, done.output)
        assert done.output.startswith("Usage: main " + " ".join(command))
        assert len(done.output.splitlines()) > 3  # a description, not only the usage


@pytest.mark.functional
def test_commands_on_an_empty_warehouse_say_what_to_do(settings: Settings) -> None:
    runner = CliRunner()
    status = runner.invoke(main, ["status"])
    assert status.exit_code == 2
    assert "No run recorded" in status.output and "make run" in status.output
    report = runner.invoke(main, ["report"])
    assert report.exit_code == 1
    assert "Nothing to report yet: run `make run` first." in report.output
    docs = runner.invoke(main, ["docs"])
    assert docs.exit_code == 1
    assert "Nothing is published yet" in docs.output


def _night(run_id: str, outcomes: list[dict], audit: dict | None = None) -> NightFacts:
    return NightFacts(run_id, "2026-12-01T02:00:00+08:00", outcomes, audit)


QUARANTINED = {"release_id": "ab" * 32, "file_name": "bad.csv", "status": "quarantined",
               "reason": "file bad.csv: row 2, column F: gdp is -1", "warnings": [],
               "is_synthetic": False, "stored_path": "/q/bad.csv",
               "checks": [{"suite": "raw_observations", "success": False, "evaluated": 16,
                           "failed_count": 1, "first_failures": ["row 2, column F: gdp"],
                           "warnings": [], "docs_page": None}]}


@pytest.mark.functional
def test_a_night_recorded_twice_is_one_night(settings: Settings) -> None:
    """A cleared and re-run DAG run records its night again: its rows are replaced, not
    added; another run is a second row. The quality pages render from those rows."""
    record_run(settings, _night("night-1", [QUARANTINED]))
    record_run(settings, _night("night-1", [QUARANTINED]))
    record_run(settings, _night("night-2", []))
    assert [r["run_id"] for r in list_runs(settings)] == ["night-2", "night-1"]
    first = read_run(settings, "night-1")
    assert first["run"]["state"] == "unchanged"  # no build: nothing audited
    assert (first["run"]["loaded"], first["run"]["quarantined"]) == (0, 1)
    assert [(r["file_name"], r["status"]) for r in first["run_releases"]] \
        == [("bad.csv", "quarantined")]
    assert first["run_checks"][0]["first_failures"] == ["row 2, column F: gdp"]
    with duckdb.connect(str(settings.history_db), read_only=True) as history:
        assert history.execute("select count(*) from audit.run_checks").fetchone() == (1,)

    index = write_quality(settings, "night-1")
    assert index is not None and run_page(settings, "night-1").exists()
    html = run_page(settings, "night-1").read_text(encoding="utf-8")
    assert "bad.csv" in html and "row 2, column F: gdp is -1" in html
    # index.html is the latest run's page (night-2: nothing happened)
    assert "No new release this run." in index.read_text(encoding="utf-8")
    assert "http" not in html.replace("http://www.w3.org", "")  # nothing fetched
