"""Rebuild: every mart as the warehouse stood on a past date, in a database of its own.

``citytiers rebuild --as-of 2023-06-30 --out old.duckdb`` copies the writer's database
(every release ever loaded, with its state changes), builds the dbt project on the copy
with the var ``as_of`` (int_releases_in_force keeps the releases in force on that date),
and renames the result to ``--out``. The dbt tests are left out unless asked for
(``--with-tests``): every release in an as-of state passed its gates and the mart audit of
the night it loaded, and a reproduction is wanted quickly; they take a third of a build.
The writer's and the published databases are never written; the build uses a dbt target
folder of its own, so it may run beside a night.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from citytiers.errors import CitytiersError
from citytiers.settings import Settings
from citytiers.transform.candidate import copy_of_writer
from citytiers.transform.dbt_runner import NIGHTLY_BUILD, run_build


class RebuildRefused(CitytiersError):
    """The output path is one of the warehouse's own databases."""


def _own_databases(settings: Settings) -> set[Path]:
    return {path.resolve() for path in (settings.build_db, settings.published_db,
                                        settings.candidate_db, settings.history_db,
                                        settings.staging_db)}


def rebuild_as_of(settings: Settings, as_of: dt.date, out: Path, *,
                  with_tests: bool = False) -> Path:
    """Build every mart as of ``as_of`` into ``out`` (replaced if it exists); returns it.
    ``with_tests``: run the dbt data tests too (a failing one fails the rebuild)."""
    out = out.resolve()
    if out in _own_databases(settings):
        raise RebuildRefused(f"{out} is one of the warehouse's own databases; an as-of "
                             "state goes to a file of its own (--out)")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = copy_of_writer(settings, out)
    command = [*NIGHTLY_BUILD, *([] if with_tests else ["--exclude-resource-type", "test"]),
               "--vars", json.dumps({"as_of": as_of.isoformat()})]
    run_build(settings, command, partial, target=settings.build_db.parent / "dbt_target_as_of")
    os.replace(partial, out)
    return out
