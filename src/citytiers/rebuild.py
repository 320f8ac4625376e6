"""Rebuild: every mart as the warehouse stood on a past date, in a database of its own.

``citytiers rebuild --as-of 2023-06-30 --out old.duckdb`` copies the writer's database
(every release ever loaded, with its state changes), builds the dbt project on the copy
with the var ``as_of`` (int_releases_in_force keeps the releases in force on that date),
and renames the result to ``--out``. The writer's and the published databases are never
written; the build uses a dbt target folder of its own, so it may run beside a night.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from citytiers.database import connect, ensure_raw_schema
from citytiers.errors import CitytiersError
from citytiers.settings import Settings
from citytiers.transform import NIGHTLY_BUILD, run_dbt


class RebuildRefused(CitytiersError):
    """The output path is one of the warehouse's own databases."""


def _own_databases(settings: Settings) -> set[Path]:
    return {path.resolve() for path in (settings.build_db, settings.published_db,
                                        settings.candidate_db, settings.history_db,
                                        settings.staging_db)}


def rebuild_as_of(settings: Settings, as_of: dt.date, out: Path) -> Path:
    """Build every mart as of ``as_of`` into ``out`` (replaced if it exists); returns it."""
    out = out.resolve()
    if out in _own_databases(settings):
        raise RebuildRefused(f"{out} is one of the warehouse's own databases; an as-of "
                             "state goes to a file of its own (--out)")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    for stale in (partial, partial.with_name(partial.name + ".wal")):
        stale.unlink(missing_ok=True)
    ensure_raw_schema(settings.build_db)
    with connect(settings.build_db) as connection:
        connection.execute("checkpoint")  # the copy holds every committed release
        shutil.copy2(settings.build_db, partial)
    run_dbt(settings, [*NIGHTLY_BUILD, "--vars", json.dumps({"as_of": as_of.isoformat()})],
            partial, target=settings.build_db.parent / "dbt_target_as_of")
    os.replace(partial, out)
    return out
