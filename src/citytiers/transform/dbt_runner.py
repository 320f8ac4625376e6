"""dbt in a child process on a given database: ``dbt build``, its tests, its results."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from citytiers.database import MEMORY_LIMIT
from citytiers.errors import TerminalError
from citytiers.settings import DUCKDB_MEMORY_LIMIT_VARIABLE, Settings
from citytiers.transform import spark
from citytiers.transform.build_state import (
    build_marker,
    forget_build,
    project_fingerprint,
    read_json,
    record_build,
)

# dbt unit tests check the models' SQL on fixed inputs, not the data: they run in `make
# test` (tests/functional/transform/test_dbt_unit_tests.py, on empty models: UNIT_TESTS), not every
# night, as dbt advises; that is a third of a build's time here.
NIGHTLY_BUILD = ["build", "--exclude-resource-type", "unit_test"]
UNIT_TESTS = ["build", "--empty", "--exclude-resource-type", "test"]
# dbt's own command line, run by this interpreter (the venv's, whatever is on PATH).
DBT_MAIN = "from dbt.cli.main import cli; cli()"

log = logging.getLogger(__name__)


class DbtFailed(TerminalError):
    """dbt build or docs generation failed; the published database is left untouched.

    ``failed_tests``: unique ids of the data tests that failed (the audit looks for the
    releases their rows name); ``errors``: nodes that errored (a model's SQL, a crash),
    which no release can be blamed for."""

    def __init__(self, command: str, failures: list[str], *,
                 failed_tests: list[str] | None = None, errors: list[str] | None = None) -> None:
        self.failures = failures
        self.failed_tests = failed_tests or []
        self.errors = errors or []
        shown = "\n".join(f"  - {f}" for f in failures[:20]) or "  (see the dbt log)"
        super().__init__(f"dbt {command} failed:\n{shown}")


def _dbt_args(settings: Settings, command: list[str], target: Path, engine: str) -> list[str]:
    build_dir = settings.build_db.parent
    return [*command,
            "--project-dir", str(settings.dbt_project),
            "--profiles-dir", str(settings.dbt_project),
            "--target", engine,
            "--target-path", str(target),
            "--log-path", str(build_dir / "dbt_logs")]


def target_dir(settings: Settings) -> Path:
    """dbt's target folder for the nightly build (compiled SQL, run results)."""
    return settings.build_db.parent / "dbt_target"


def run_dbt(settings: Settings, command: list[str], database: Path | None = None, *,
            target: Path | None = None, engine: str | None = None) -> dict:
    """Run dbt in a child process on ``database`` (default: the writer's); return its
    ``run_results.json``. ``target``: dbt's target folder (default: the nightly build's),
    so that a build beside the night's (an as-of rebuild) never shares its files.
    ``engine``: the dbt target of profiles.yml (default: ``settings.dbt_target``); on
    Spark, the Spark working folder of ``target`` (:func:`run_build` prepares it).

    A child process, not dbt's in-process runner: dbt-duckdb keeps its connection open in
    the process that ran it, which would hold the database file (the audit opens it next,
    with its own configuration), and a killed or crashed dbt takes nothing else down with
    it: its uncommitted work is rolled back by DuckDB when the file is next opened."""
    target = target or target_dir(settings)
    engine = engine or settings.dbt_target
    # Never read a previous invocation's results.
    (target / "run_results.json").unlink(missing_ok=True)
    env = {**os.environ, "CITYTIERS_BUILD_DB": str(database or settings.build_db),
           # dbt's DuckDB connection is bounded like every other (profiles.yml settings).
           DUCKDB_MEMORY_LIMIT_VARIABLE: MEMORY_LIMIT,
           "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if engine == spark.SPARK_TARGET:
        env.update(spark.spark_env(spark.spark_dir(target)))
    done = subprocess.run([sys.executable, "-c", DBT_MAIN,
                           *_dbt_args(settings, command, target, engine)], env=env,
                          check=False)
    results = last_run_results(settings, target)
    if done.returncode == 0:
        return results
    failures: list[str] = []
    failed_tests: list[str] = []
    errors: list[str] = []
    for node in results.get("results") or []:
        status = str(node.get("status", "")).lower()
        unique_id = str(node.get("unique_id", ""))
        if status not in {"error", "fail"}:
            continue
        failures.append(f"{unique_id}: {status} {node.get('message') or ''}".strip())
        if status == "fail" and unique_id.startswith(("test.", "unit_test.")):
            failed_tests.append(unique_id)
        else:
            errors.append(unique_id)
    # The process itself failed (killed, or an error outside any node): no release is to
    # blame for it.
    process_failure = None
    if done.returncode < 0:
        process_failure = f"dbt was killed by signal {-done.returncode}"
    elif not failures:
        process_failure = (f"dbt exited with status {done.returncode} (see the dbt log in "
                           f"{settings.build_db.parent / 'dbt_logs'})")
    if process_failure:
        failures.append(process_failure)
        errors.append(process_failure)
    raise DbtFailed(" ".join(command), failures, failed_tests=failed_tests, errors=errors)


def last_run_results(settings: Settings, target: Path | None = None) -> dict:
    """The last dbt invocation's ``run_results.json`` (empty when it wrote none)."""
    results = read_json((target or target_dir(settings)) / "run_results.json")
    return results if isinstance(results, dict) else {}


def run_build(settings: Settings, command: list[str], database: Path, *,
              target: Path | None = None) -> dict:
    """A dbt command that builds the marts of ``database`` on ``settings.dbt_target``;
    returns its run results. On DuckDB dbt builds in the file itself. On Spark the raw
    layer is written out for Spark first, and the marts Spark built are loaded into the
    file's ``marts`` schema after (:mod:`citytiers.transform.spark`): the marts are read from
    DuckDB whichever engine built them."""
    target = target or target_dir(settings)
    if settings.dbt_target != spark.SPARK_TARGET:
        return run_dbt(settings, command, database, target=target)
    work = spark.spark_dir(target)
    spark.prepare(database, work)
    results = run_dbt(settings, command, database, target=target)
    spark.load_marts(database, work)
    return results


def store_test_failures(settings: Settings, names: list[str], database: Path) -> dict:
    """Run the named data tests again with ``--store-failures`` (their offending rows are
    kept in tables, :func:`stored_relation`); returns the run results, raises DbtFailed
    when one fails, as it should. On Spark each dbt invocation is a session of its own, so
    the tests' models are built again first (``+test``): only on a night a test failed."""
    if settings.dbt_target != spark.SPARK_TARGET:
        return run_dbt(settings, ["test", "--store-failures", "--select", *names], database)
    command = [*NIGHTLY_BUILD, "--store-failures", "--select", *(f"+{name}" for name in names)]
    return run_build(settings, command, database)


def stored_relation(settings: Settings, relation: str) -> str:
    """What DuckDB reads for a relation the last nightly dbt invocation wrote (a test's
    stored failures): the relation in the candidate on DuckDB, Spark's table files on
    Spark."""
    if settings.dbt_target != spark.SPARK_TARGET:
        return relation
    return spark.read_table_sql(spark.spark_dir(target_dir(settings)), relation)


def seed_only_tests(manifest: object) -> list[str]:
    """The generic data tests of a dbt manifest that read nothing but seeds (a seed's
    unique key, its not-null columns, a relationship between two seeds): their outcome is
    fixed by the dbt project's files alone, whatever the releases."""
    nodes = manifest.get("nodes", {}) if isinstance(manifest, dict) else {}
    return sorted(node["name"] for node in nodes.values()
                  if node.get("resource_type") == "test" and node.get("test_metadata")
                  and (parents := node.get("depends_on", {}).get("nodes"))
                  and all(parent.startswith("seed.") for parent in parents))


def proven_seed_tests(settings: Settings) -> list[str]:
    """The seed-only tests (:func:`seed_only_tests`) a build may leave out: those of the
    last successful build's manifest when the dbt project is byte for byte the one that
    build passed (the marker's fingerprint), so they would prove again what it proved.
    Empty after any change to a seed, model, macro or yml, or when no build succeeded:
    then every test runs (44 of the 210 are seed-only, about 1.5 s of a build on the samples)."""
    built = read_json(build_marker(settings))
    if not isinstance(built, dict) or built.get("fingerprint") != project_fingerprint(settings):
        return []
    return seed_only_tests(read_json(target_dir(settings) / "manifest.json"))


def build(settings: Settings, database: Path | None = None) -> dict[str, int]:
    """``dbt build`` on ``database`` (default: the writer's; the nightly run builds its
    candidate copy) with :func:`run_build`; returns how many nodes ran per resource type.
    Tests that read only seeds run when the dbt project changed since the last successful
    build (:func:`proven_seed_tests`), not every night."""
    proven = proven_seed_tests(settings)
    forget_build(settings)  # a failed build is built again
    command = [*NIGHTLY_BUILD, *(["--exclude", *proven] if proven else [])]
    results = run_build(settings, command, database or settings.build_db)
    counts: dict[str, int] = {}
    for node in results.get("results") or []:
        kind = str(node.get("unique_id", "")).split(".", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    record_build(settings)
    return counts
