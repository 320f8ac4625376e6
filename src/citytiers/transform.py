"""Transform: ``dbt build`` (seeds, models, tests) on the writer's database, in-process."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from citytiers import spark_build
from citytiers.database import MEMORY_LIMIT
from citytiers.errors import TerminalError
from citytiers.settings import DUCKDB_MEMORY_LIMIT_VARIABLE, Settings

IGNORED_DBT_DIRS = frozenset({"target", "logs", "dbt_packages"})
DOCS_FILES = ("index.html", "manifest.json", "catalog.json")
# Beside the docs: the build marker (``last_build.json``) they were generated from.
DOCS_STAMP = "built_from.json"
# dbt unit tests check the models' SQL on fixed inputs, not the data: they run in `make
# test` (tests/functional/test_dbt_unit_tests.py, on empty models: UNIT_TESTS), not every
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


def _target_dir(settings: Settings) -> Path:
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
    target = target or _target_dir(settings)
    engine = engine or settings.dbt_target
    # Never read a previous invocation's results.
    (target / "run_results.json").unlink(missing_ok=True)
    env = {**os.environ, "CITYTIERS_BUILD_DB": str(database or settings.build_db),
           # dbt's DuckDB connection is bounded like every other (profiles.yml settings).
           DUCKDB_MEMORY_LIMIT_VARIABLE: MEMORY_LIMIT,
           "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if engine == spark_build.SPARK_TARGET:
        env.update(spark_build.spark_env(spark_build.spark_dir(target)))
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
    results = _read_json((target or _target_dir(settings)) / "run_results.json")
    return results if isinstance(results, dict) else {}


def project_fingerprint(settings: Settings) -> str:
    """sha256 over the dbt project's sources (models, seeds, macros, yml): a change to a
    seed or model must rebuild the marts even when no new release arrived."""
    digest = hashlib.sha256()
    for path in sorted(settings.dbt_project.rglob("*")):
        relative = path.relative_to(settings.dbt_project)
        if path.is_file() and relative.parts[0] not in IGNORED_DBT_DIRS:
            digest.update(str(relative).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _fingerprint_file(settings: Settings) -> Path:
    return settings.build_db.parent / "last_build.json"


def _published_file(settings: Settings) -> Path:
    return settings.build_db.parent / "last_published.json"


def raw_state(settings: Settings) -> list[int]:
    """What the marts are built from, as two numbers: release attempts recorded (a load or
    a quarantine) and the latest release state change (a withdraw, a restore, a quarantine
    after the audit). A build records them; a night whose raw state equals the published
    build's has nothing to build, whatever Airflow's task results say (a cleared and
    re-run DAG run still hands the first attempt's results downstream)."""
    from citytiers.database import connect, has_table

    if not settings.build_db.exists():
        return [0, 0]
    with connect(settings.build_db) as connection:
        attempts = connection.execute("select count(*) from raw.releases").fetchone()[0] \
            if has_table(connection, "raw", "releases") else 0
        last_change = connection.execute(
            "select coalesce(max(change_seq), 0) from raw.release_state_changes"
        ).fetchone()[0] if has_table(connection, "raw", "release_state_changes") else 0
    return [int(attempts), int(last_change)]


def needs_build(settings: Settings) -> bool:
    """Build when a release was loaded or quarantined, or withdrawn or restored, since the
    last build (:func:`raw_state`), the dbt project changed, nothing is published yet, or
    the last build was never published (its dbt build or audit failed): a failed night is
    retried by the next one, not forgotten."""
    marker = _fingerprint_file(settings)
    if not settings.published_db.exists() or not marker.exists():
        return True
    built = json.loads(marker.read_text(encoding="utf-8"))
    published = _read_json(_published_file(settings))
    if not isinstance(published, dict) or published.get("built_at") != built.get("built_at"):
        return True
    return (built.get("fingerprint") != project_fingerprint(settings)
            or built.get("raw_state") != raw_state(settings))


def mark_published(settings: Settings) -> None:
    """Record that the last build is the published one (see :func:`needs_build`)."""
    marker = _fingerprint_file(settings)
    if marker.exists():
        _published_file(settings).write_text(marker.read_text(encoding="utf-8"),
                                             encoding="utf-8")


def prepare_candidate(settings: Settings) -> Path:
    """A fresh copy of the writer's database for dbt to build and the audit to check
    (write-audit-publish: the write goes to a copy, never to what is loaded or published).

    The copy is made beside it and renamed into place, after a checkpoint that folds the
    write-ahead log into the file, so it holds every committed release. Killing dbt, the
    audit or this copy leaves the writer's and the published databases as they were."""
    candidate = settings.candidate_db
    candidate.unlink(missing_ok=True)
    os.replace(copy_of_writer(settings, candidate), candidate)
    return candidate


def copy_of_writer(settings: Settings, destination: Path) -> Path:
    """A copy of the writer's database, made after a checkpoint (so it holds every
    committed release) as ``<destination>.partial``, for the caller to finish and rename
    onto ``destination``. A stale write-ahead log of either file is removed first: DuckDB
    would replay it into the copy."""
    from citytiers.database import connect, ensure_raw_schema

    ensure_raw_schema(settings.build_db)
    partial = destination.with_name(destination.name + ".partial")
    for stale in (destination, partial):
        stale.with_name(stale.name + ".wal").unlink(missing_ok=True)
    with connect(settings.build_db) as connection:
        connection.execute("checkpoint")
        shutil.copy2(settings.build_db, partial)
    return partial


def run_build(settings: Settings, command: list[str], database: Path, *,
              target: Path | None = None) -> dict:
    """A dbt command that builds the marts of ``database`` on ``settings.dbt_target``;
    returns its run results. On DuckDB dbt builds in the file itself. On Spark the raw
    layer is written out for Spark first, and the marts Spark built are loaded into the
    file's ``marts`` schema after (:mod:`citytiers.spark_build`): the marts are read from
    DuckDB whichever engine built them."""
    target = target or _target_dir(settings)
    if settings.dbt_target != spark_build.SPARK_TARGET:
        return run_dbt(settings, command, database, target=target)
    work = spark_build.spark_dir(target)
    spark_build.prepare(database, work)
    results = run_dbt(settings, command, database, target=target)
    spark_build.load_marts(database, work)
    return results


def store_test_failures(settings: Settings, names: list[str], database: Path) -> dict:
    """Run the named data tests again with ``--store-failures`` (their offending rows are
    kept in tables, :func:`stored_relation`); returns the run results, raises DbtFailed
    when one fails, as it should. On Spark each dbt invocation is a session of its own, so
    the tests' models are built again first (``+test``): only on a night a test failed."""
    if settings.dbt_target != spark_build.SPARK_TARGET:
        return run_dbt(settings, ["test", "--store-failures", "--select", *names], database)
    command = [*NIGHTLY_BUILD, "--store-failures", "--select", *(f"+{name}" for name in names)]
    return run_build(settings, command, database)


def stored_relation(settings: Settings, relation: str) -> str:
    """What DuckDB reads for a relation the last nightly dbt invocation wrote (a test's
    stored failures): the relation in the candidate on DuckDB, Spark's table files on
    Spark."""
    if settings.dbt_target != spark_build.SPARK_TARGET:
        return relation
    return spark_build.read_table_sql(spark_build.spark_dir(_target_dir(settings)), relation)


def build(settings: Settings, database: Path | None = None) -> dict[str, int]:
    """``dbt build`` on ``database`` (default: the writer's; the nightly run builds its
    candidate copy) with :func:`run_build`; returns how many nodes ran per resource type."""
    _fingerprint_file(settings).unlink(missing_ok=True)  # a failed build is built again
    results = run_build(settings, NIGHTLY_BUILD, database or settings.build_db)
    counts: dict[str, int] = {}
    for node in results.get("results") or []:
        kind = str(node.get("unique_id", "")).split(".", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    # built_at makes every build's marker unique: the docs stamp compares against it.
    _fingerprint_file(settings).write_text(json.dumps({
        "fingerprint": project_fingerprint(settings),
        "raw_state": raw_state(settings),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
    }), encoding="utf-8")
    return counts


def _docs_dir(settings: Settings) -> Path:
    return settings.reports / "dbt_docs"


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def docs_current(settings: Settings) -> bool:
    """True when ``reports/dbt_docs`` is complete and was generated after the latest
    ``dbt build`` (its stamp equals that build's marker, project fingerprint and time).

    dbt docs describe the dbt project (manifest) and the built database (catalog); both
    change only through a ``dbt build`` (a changed project forces one: see
    :func:`needs_build`), so docs stamped with the latest build's marker would come out the
    same. Deciding from the marker rather than from "did transform run tonight" also
    regenerates docs that a failed or interrupted report left behind an earlier build."""
    built = _read_json(_fingerprint_file(settings))
    docs = _docs_dir(settings)
    return (isinstance(built, dict) and _read_json(docs / DOCS_STAMP) == built
            and all((docs / name).is_file() for name in DOCS_FILES))


def generate_docs(settings: Settings) -> Path:
    """``dbt docs generate --static`` into ``reports/dbt_docs/index.html`` (one file,
    opens from disk without a server)."""
    marker = _fingerprint_file(settings)
    built_from = marker.read_text(encoding="utf-8") if marker.exists() else None
    # The catalog describes the database last built: the night's candidate (what was
    # published), else the writer's (`citytiers load --build`).
    database = settings.candidate_db if settings.candidate_db.exists() else None
    # Always from DuckDB: that is where the marts are served, whichever engine built them.
    run_dbt(settings, ["docs", "generate", "--static"], database, engine="duckdb")
    target = _docs_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    (target / DOCS_STAMP).unlink(missing_ok=True)  # no stamp while the docs are half-copied
    built = settings.build_db.parent / "dbt_target"
    shutil.copy2(built / "static_index.html", target / "index.html")
    for name in ("manifest.json", "catalog.json"):
        shutil.copy2(built / name, target / name)
    if built_from is not None:
        (target / DOCS_STAMP).write_text(built_from, encoding="utf-8")
    return target / "index.html"


def ensure_docs(settings: Settings) -> bool:
    """Generate the dbt docs unless :func:`docs_current`; True when they were generated."""
    if docs_current(settings):
        log.info("dbt docs are current (generated after the latest dbt build): not "
                 "regenerated")
        return False
    generate_docs(settings)
    return True
