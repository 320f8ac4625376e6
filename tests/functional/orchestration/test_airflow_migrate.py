"""`airflow db migrate` runs when the metadata database needs it, not before every night:
the real Airflow CLI on a temporary AIRFLOW_HOME, the commands counted in its CLI log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from citytiers.orchestration.airflow_local import MIGRATION_STAMP_NAME, AirflowServices

pytestmark = [pytest.mark.functional, pytest.mark.slow]


def migrations_run(services: AirflowServices) -> int:
    log = services.service_logs / "cli.log"
    return log.read_text().count("$ airflow db migrate") if log.exists() else 0


def tables(services: AirflowServices) -> set[str]:
    with sqlite3.connect(services.metadata_db) as db:
        return {name for (name,) in db.execute("select name from sqlite_master "
                                               "where type = 'table'")}


def test_migrate_runs_once_per_database_and_airflow_version(tmp_path: Path) -> None:
    services = AirflowServices(tmp_path / "warehouse")
    services.airflow_home.mkdir(parents=True, exist_ok=True)  # as run_nightly does
    stamp = services.airflow_home / MIGRATION_STAMP_NAME

    services.migrate()
    assert migrations_run(services) == 1
    assert {"dag_run", "task_instance", "slot_pool"} <= tables(services)
    assert stamp.read_text() == services.migration_stamp()

    services.migrate()  # migrated already by this Airflow: nothing to do
    assert migrations_run(services) == 1

    stamp.write_text(services.migration_stamp().replace("apache-airflow ",
                                                        "apache-airflow 0.0.0-"))
    services.migrate()  # another Airflow version migrated it
    assert migrations_run(services) == 2
    assert stamp.read_text() == services.migration_stamp()

    services.metadata_db.unlink()  # a steward deleted the database
    services.migrate()
    assert migrations_run(services) == 3
    assert {"dag_run", "task_instance", "slot_pool"} <= tables(services)
