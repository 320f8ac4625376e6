"""The benchmark's stages, each run in fresh processes; and the limit subprocesses.

Stages (one :class:`StageResult` each, per scale):

- ``load_startup``: ``citytiers load`` of an empty folder: the fixed cost (interpreter,
  imports) inside every ingest number (once, whatever the scale);
- ``tidy_ingest`` / ``yearbook_ingest``: ``citytiers load --json FILE`` into an empty
  warehouse (discover, parse, validate, load); the per-stage ``timings`` of the JSON
  outcome give the parse / GX validation / load split when the ingest core reports them;
- ``duckdb_read_csv`` / ``calamine_read``: the limits, on the same files: DuckDB's own
  ``create table t as select * from read_csv(...)`` in a file database, python-calamine's
  own read of every sheet (``python -m tools.bench.stages read-csv|calamine``);
- ``full_rebuild``: a fresh warehouse, ``citytiers load --build TIDY YEARBOOK``;
- ``dbt_build``: ``transform.build`` again on the full rebuild's warehouse (both releases
  loaded; restored from a copy before each run, so every run builds the same state);
- ``spark_build``: the same build on the Spark target (``CITYTIERS_DBT_TARGET=spark``:
  the raw layer written as Parquet, dbt on pyspark in local mode on every core, the marts
  loaded back into DuckDB), on the same warehouse: where it beats or loses to
  ``dbt_build`` is the crossover of docs/scale_out.md;
- ``quiet_night``: ``make run`` on the samples, once to fill the warehouse, then again:
  the ``DAG run took N s`` of the repeated runs (nothing new to load).

Every run checks what it measured (the release loaded, with the generated number of
observations; DuckDB read every row; calamine read every row of every sheet): a number about a run
that did the wrong thing is reported as a failure, never as a time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools.bench.generate import SHEET_EXTRA_ROWS, Inputs
from tools.bench.measure import Run, run

DAG_RUN_TOOK = re.compile(r"DAG run took (\d+) s")
RUN_SUMMARY = re.compile(r"this run: (\d+) release\(s\) loaded, (\d+) quarantined")
# Variables of an enclosing `make bench` that must not leak into a nested `make run`.
MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
INGEST_STAGES = ("parse", "gates", "validate", "load")
# The order of the report's table (stage, then scale).
STAGE_ORDER = ("load_startup", "tidy_ingest", "yearbook_ingest", "duckdb_read_csv", "calamine_read",
               "dbt_build", "dbt_sql_direct", "spark_build", "full_rebuild", "samples_dbt_build",
               "first_night", "quiet_night")
# The dbt build stage of each engine (dbt target): stage name and label.
BUILD_STAGES = {"duckdb": ("dbt_build", "dbt build (transform.build)"),
                "spark": ("spark_build", "dbt build on Spark, local[*] (transform.build)")}


@dataclass
class StageResult:
    """One stage at one scale: its runs and what they processed."""

    stage: str
    label: str
    scale: int
    observations: int | None
    runs: list[Run] = field(default_factory=list)
    seconds_override: list[float] | None = None  # e.g. "DAG run took N s", not the wall
    notes: list[str] = field(default_factory=list)
    timings: list[dict[str, float]] = field(default_factory=list)

    @property
    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if r.ok and not r.extra.get("invalid")]

    @property
    def seconds(self) -> list[float]:
        if self.seconds_override is not None:
            return self.seconds_override
        return [r.seconds for r in self.ok_runs]

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def peak_rss_mib(self) -> float | None:
        return max((r.peak_rss_mib for r in self.ok_runs), default=None)

    @property
    def rate(self) -> float | None:
        """Observations (or rows) per second at the median."""
        if not self.observations or not self.median:
            return None
        return self.observations / self.median

    def stage_timings(self) -> dict[str, list[float]]:
        """Per ingest stage ('parse', 'validate', 'load'): the seconds of every run that
        reported it."""
        found: dict[str, list[float]] = {}
        for timings in self.timings:
            for name, seconds in timings.items():
                found.setdefault(name, []).append(float(seconds))
        return found


@dataclass
class Context:
    """Where the benchmark works and how it runs commands."""

    home: Path
    root: Path                 # <warehouse>/bench
    timeout: float
    max_rss_mib: float | None
    keep: bool = False         # keep the run warehouses (for post-mortems)

    def discard(self, path: Path) -> None:
        """Delete a run's warehouse or scratch folder (unless ``keep``)."""
        if not self.keep:
            shutil.rmtree(path, ignore_errors=True)

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    def env(self, warehouse: Path | None = None, engine: str = "duckdb") -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
        env.update({"CITYTIERS_HOME": str(self.home), "GX_ANALYTICS_ENABLED": "false",
                    "DO_NOT_TRACK": "1", "PYTHONUNBUFFERED": "1",
                    "CITYTIERS_DBT_TARGET": engine})
        if warehouse is not None:
            env["CITYTIERS_WAREHOUSE"] = str(warehouse)
        return env

    def measure(self, command: list[str], name: str, warehouse: Path | None = None,
                cwd: Path | None = None, engine: str = "duckdb") -> Run:
        return run(command, env=self.env(warehouse, engine), cwd=cwd or self.home,
                   timeout=self.timeout, max_rss_mib=self.max_rss_mib,
                   log_dir=self.logs_dir, name=name)


def citytiers_command() -> list[str]:
    """The installed ``citytiers`` script beside this interpreter (``.venv/bin``)."""
    script = Path(sys.executable).with_name("citytiers")
    return [str(script)] if script.exists() else [sys.executable, "-m", "citytiers.cli.main"]


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _outcomes(stdout: str) -> list[dict]:
    outcomes = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                outcomes.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return outcomes


def _check_loaded(result: StageResult, measured: Run, expected: dict[str, int]) -> None:
    """Mark ``measured`` invalid unless every expected file loaded with its count."""
    if not measured.ok:
        result.notes.append(f"{result.label} {result.scale}x: {measured.failure()}")
        return
    outcomes = {o.get("file_name"): o for o in _outcomes(measured.stdout)}
    for file_name, observations in expected.items():
        outcome = outcomes.get(file_name)
        if outcome is None or outcome.get("status") != "loaded":
            why = (outcome or {}).get("reason") or "no outcome printed"
            measured.extra["invalid"] = f"{file_name} not loaded: {str(why).splitlines()[0]}"
        elif int(outcome.get("observations") or 0) != observations:
            measured.extra["invalid"] = (f"{file_name}: {outcome.get('observations')} "
                                         f"observations loaded, {observations} generated")
        else:
            timings = outcome.get("timings") or {}
            if timings and len(expected) == 1:
                result.timings.append({k: float(v) for k, v in timings.items()})
    if measured.extra.get("invalid"):
        result.notes.append(f"{result.label} {result.scale}x: run not counted: "
                            f"{measured.extra['invalid']}")


def ingest(ctx: Context, stage: str, label: str, scale: int, path: Path, observations: int,
           repeats: int, code_records: Path) -> StageResult:
    """``citytiers load --json code_records path`` into an empty warehouse, ``repeats``
    times (the code list loads first, a few thousand rows, as reference releases do)."""
    result = StageResult(stage, label, scale, observations)
    warehouse = ctx.runs_dir / f"{scale}x" / stage
    for attempt in range(repeats):
        fresh(warehouse)
        measured = ctx.measure([*citytiers_command(), "load", "--json", str(code_records),
                                str(path)], f"{scale}x_{stage}_{attempt}", warehouse)
        result.runs.append(measured)
        _check_loaded(result, measured, {path.name: observations})
    if not result.timings and result.ok_runs:
        result.notes.append(f"{label} {scale}x: `citytiers load --json` reported no per-stage "
                            "timings (IngestOutcome.timings is empty): no parse / GX "
                            "validation / load split")
    ctx.discard(warehouse)
    return result


def startup(ctx: Context, repeats: int) -> StageResult:
    """``citytiers load`` of an empty folder into an empty warehouse: the fixed cost
    (interpreter, imports, schema) inside every ingest number, to read small-scale ratios."""
    result = StageResult("load_startup", "citytiers load, nothing to load (fixed cost)", 0,
                         None)  # scale 0: the same at every scale
    warehouse = ctx.runs_dir / "load_startup"
    empty = ctx.runs_dir / "empty_folder"
    for attempt in range(repeats):
        fresh(warehouse)
        fresh(empty)
        measured = ctx.measure([*citytiers_command(), "load", "--json", str(empty)],
                               f"load_startup_{attempt}", warehouse)
        result.runs.append(measured)
        if not measured.ok:
            result.notes.append(f"{result.label}: {measured.failure()}")
    ctx.discard(warehouse)
    ctx.discard(empty)
    return result


def limit(ctx: Context, stage: str, label: str, scale: int, arguments: list[str],
          observations: int, repeats: int, check: tuple[str, int]) -> StageResult:
    """A limit subprocess (``python -m tools.bench.stages ...``) over the same
    ``observations``; ``check`` is (key of its JSON output, the value it must have)."""
    result = StageResult(stage, label, scale, observations)
    scratch = ctx.runs_dir / f"{scale}x" / stage
    for attempt in range(repeats):
        fresh(scratch)
        command = [sys.executable, "-m", "tools.bench.stages", *arguments]
        command = [arg.replace("{scratch}", str(scratch)) for arg in command]
        measured = ctx.measure(command, f"{scale}x_{stage}_{attempt}")
        result.runs.append(measured)
        if not measured.ok:
            result.notes.append(f"{label} {scale}x: {measured.failure()}")
            continue
        reported = (_outcomes(measured.stdout) or [{}])[-1]
        key, expected = check
        if reported.get(key) != expected:
            measured.extra["invalid"] = f"{key} = {reported.get(key)}, expected {expected}"
            result.notes.append(f"{label} {scale}x: run not counted: {measured.extra['invalid']}")
    ctx.discard(scratch)
    return result


def dbt_build(ctx: Context, scale: int, loaded: Path, observations: int,
              repeats: int, engine: str = "duckdb") -> StageResult:
    """``transform.build`` on ``loaded`` (a warehouse with both releases, built once by the
    full rebuild, as on any night after the first) on the dbt target ``engine``, its
    database restored from a copy before every run so that every run starts from the
    same state. A run counts when every node passed (the JSON line's node counts)."""

    stage, label = BUILD_STAGES[engine]
    result = StageResult(stage, label, scale, observations)
    return on_restored_copies(ctx, result, loaded, "dbt-build", repeats, engine)


def on_restored_copies(ctx: Context, result: StageResult, warehouse: Path, command: str,
                       repeats: int, engine: str = "duckdb") -> StageResult:
    """Run ``python -m tools.bench.stages COMMAND`` ``repeats`` times on ``warehouse``,
    its writer's database restored from a copy before every run (every run starts from
    the same state) and after the last."""
    from citytiers.settings import Settings

    build_db = Settings(home=ctx.home, warehouse=warehouse).build_db
    template = build_db.with_name(build_db.name + ".bench-copy")
    shutil.copy2(build_db, template)
    for attempt in range(repeats):
        shutil.copy2(template, build_db)
        measured = ctx.measure([sys.executable, "-m", "tools.bench.stages", command],
                               f"{result.scale}x_{result.stage}_{attempt}", warehouse,
                               engine=engine)
        result.runs.append(measured)
        if not measured.ok:
            result.notes.append(f"{result.label} {result.scale}x: {measured.failure()}")
    shutil.copy2(template, build_db)
    template.unlink(missing_ok=True)
    return result


def dbt_sql_direct(ctx: Context, scale: int, loaded: Path, observations: int,
                   repeats: int) -> StageResult:
    """The limit of ``dbt build``: the SQL dbt compiled in the last build on ``loaded``
    (every model, then every data test), run directly in one DuckDB connection with the
    same memory setting, in the order dbt ran it. The database is restored before every
    run like the build's; the difference to ``dbt_build`` is dbt's own overhead (parsing,
    the DAG, its adapter, a connection per node, run results)."""
    result = StageResult("dbt_sql_direct", "limit: dbt's compiled SQL run directly "
                         "(one DuckDB connection)", scale, observations)
    # The seeds are loaded first, untimed (`dbt seed`, about 1 s): the compiled SQL reads
    # them, and the database restored after the build (or loaded without one) has none.
    seeded = ctx.measure([sys.executable, "-m", "tools.bench.stages", "dbt-seed"],
                         f"{scale}x_dbt_seed", loaded)
    if not seeded.ok:
        result.notes.append(f"dbt seed before {result.label} {scale}x: {seeded.failure()}")
        return result
    return on_restored_copies(ctx, result, loaded, "dbt-sql", repeats)


def full_rebuild(ctx: Context, inputs: Inputs, repeats: int, *,
                 build: bool = True) -> tuple[StageResult, Path]:
    """A fresh warehouse: ``citytiers load --build`` of both releases; returns the result
    and the warehouse of the last run (kept: dbt_build builds on it again). ``build``
    False: load only (``--builds-only`` measures the builds on their own)."""
    total = inputs.tidy_observations + inputs.yearbook_observations
    result = (StageResult("full_rebuild", "full rebuild (load both + dbt build)",
                          inputs.scale, total) if build else
              StageResult("load_both", "load both (no build)", inputs.scale, total))
    warehouse = ctx.runs_dir / f"{inputs.scale}x" / "full_rebuild"
    for attempt in range(repeats):
        fresh(warehouse)
        measured = ctx.measure([*citytiers_command(), "load", "--json",
                                *(["--build"] if build else []),
                                str(inputs.code_records_path), str(inputs.tidy_path),
                                str(inputs.yearbook_path)],
                               f"{inputs.scale}x_full_rebuild_{attempt}", warehouse)
        result.runs.append(measured)
        _check_loaded(result, measured, {inputs.tidy_path.name: inputs.tidy_observations,
                                         inputs.yearbook_path.name: inputs.yearbook_observations})
    return result, warehouse


def nights(ctx: Context, repeats: int) -> list[StageResult]:
    """The nights on the bundled samples: the first ``make run`` into an empty warehouse
    (``first_night``), ``dbt build`` on the warehouse it left (``samples_dbt_build``) and
    the quiet nights after it (``quiet_night``)."""
    first = StageResult("first_night", "first night (make run on the samples)", 1, None)
    quiet = quiet_night(ctx, repeats, first)
    results = [first]
    warehouse = ctx.runs_dir / "quiet_night"
    if first.ok_runs:
        samples = StageResult("samples_dbt_build", "dbt build on the samples "
                              "(transform.build)", 1, None)
        results.append(on_restored_copies(ctx, samples, warehouse, "dbt-build", repeats))
    return [*results, quiet]


def quiet_night(ctx: Context, repeats: int, first_night: StageResult) -> StageResult:
    """``make run WAREHOUSE=<bench warehouse>`` once (loads the samples; recorded in
    ``first_night``), then ``repeats`` more times: the ``DAG run took N s`` of those
    (nothing new arrives)."""
    result = StageResult("quiet_night", "quiet night (make run, nothing new)", 1, None)
    warehouse = fresh(ctx.runs_dir / "quiet_night")
    command = ["make", "--no-print-directory", "-C", str(ctx.home), "run",
               f"WAREHOUSE={warehouse}"]
    first = ctx.measure(command, "quiet_night_first", warehouse)
    first_night.runs.append(first)
    if not first.ok:
        result.notes.append(f"quiet night: the first `make run` failed: {first.failure()}")
        result.seconds_override = []
        first_night.seconds_override = []
        return result
    took = DAG_RUN_TOOK.search(first.stdout)
    first_night.seconds_override = [float(took.group(1))] if took else []
    result.notes.append(f"quiet night: the first `make run` (the sample releases) took "
                        f"{first.seconds:.0f} s wall"
                        + (f", DAG run {took.group(1)} s" if took else ""))
    dag_seconds: list[float] = []
    for attempt in range(repeats):
        measured = ctx.measure(command, f"quiet_night_{attempt}", warehouse)
        result.runs.append(measured)
        took = DAG_RUN_TOOK.search(measured.stdout)
        if not measured.ok or took is None:
            result.notes.append(f"quiet night: run {attempt + 2} failed: {measured.failure()}")
            continue
        summary = RUN_SUMMARY.search(measured.stdout)
        if summary is None:
            result.notes.append(f"quiet night: run {attempt + 2}: no 'this run: N release(s) "
                                "loaded' line in the summary; counted, not confirmed quiet")
        elif summary.groups() != ("0", "0"):
            result.notes.append(f"quiet night: run {attempt + 2} was not quiet "
                                f"({summary.group(0)}): not counted")
            continue
        dag_seconds.append(float(took.group(1)))
    walls = [r.seconds for r in result.ok_runs]
    if walls:
        result.notes.append("quiet night: seconds are Makefile's `DAG run took` (whole "
                            f"seconds); `make run` wall incl. airflow db migrate: median "
                            f"{statistics.median(walls):.1f} s")
    result.seconds_override = dag_seconds
    return result


def run_scale(ctx: Context, inputs: Inputs, repeats: int, log: object = print, *,
              engines: tuple[str, ...] = ("duckdb", "spark"),
              builds_only: bool = False) -> list[StageResult]:
    """Every stage of one scale, in order; ``log`` gets one line per finished stage.
    ``engines``: the dbt targets whose build is measured; ``builds_only``: skip the ingest
    stages and their limits (the full rebuild still runs: the builds build on it)."""
    results: list[StageResult] = []

    def done(result: StageResult) -> StageResult:
        results.append(result)
        median = f"{result.median:.2f} s" if result.median is not None else "failed"
        log(f"  {inputs.scale}x {result.label}: {median}")
        return result

    if not builds_only:
        done(ingest(ctx, "tidy_ingest", "tidy CSV ingest (citytiers load)", inputs.scale,
                    inputs.tidy_path, inputs.tidy_observations, repeats,
                    inputs.code_records_path))
        done(ingest(ctx, "yearbook_ingest", "yearbook XLSX ingest (citytiers load)",
                    inputs.scale, inputs.yearbook_path, inputs.yearbook_observations, repeats,
                    inputs.code_records_path))
        done(limit(ctx, "duckdb_read_csv", "limit: DuckDB read_csv (same CSV)", inputs.scale,
                   ["read-csv", str(inputs.tidy_path), "{scratch}/limit.duckdb"],
                   inputs.tidy_observations, repeats, ("rows", inputs.tidy_observations)))
        done(limit(ctx, "calamine_read", "limit: calamine read (same XLSX)", inputs.scale,
                   ["calamine", str(inputs.yearbook_path)], inputs.yearbook_observations,
                   repeats, ("rows", inputs.yearbook_rows
                             + SHEET_EXTRA_ROWS * len(inputs.yearbook_sheets))))
    rebuilt, warehouse = full_rebuild(ctx, inputs, 1 if builds_only else repeats,
                                      build=not builds_only)
    done(rebuilt)
    total = inputs.tidy_observations + inputs.yearbook_observations
    for engine in engines:
        if rebuilt.ok_runs:
            done(dbt_build(ctx, inputs.scale, warehouse, total, repeats, engine))
            if engine == "duckdb":  # its limit, on the compiled SQL of that build
                done(dbt_sql_direct(ctx, inputs.scale, warehouse, total, repeats))
            continue
        stage, label = BUILD_STAGES[engine]
        results.append(StageResult(stage, label, inputs.scale, total, notes=[
            f"{label} {inputs.scale}x: not run (no full rebuild succeeded to build on)"]))
    ctx.discard(warehouse)
    return results


# --------------------------------------------------------------------------- subprocesses


def _read_csv(csv_path: str, database: str) -> dict[str, object]:
    import duckdb

    connection = duckdb.connect(database)
    try:
        connection.execute("set enable_progress_bar = false")
        connection.execute("create table t as select * from read_csv(?)", [csv_path])
        return {"rows": connection.execute("select count(*) from t").fetchone()[0]}
    finally:
        connection.close()


def _calamine(xlsx_path: str) -> dict[str, object]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(xlsx_path)
    rows = 0
    for name in workbook.sheet_names:
        rows += len(workbook.get_sheet_by_name(name).to_python())
    return {"sheets": len(workbook.sheet_names), "rows": rows}


def _dbt_build() -> dict[str, object]:
    from citytiers.settings import load_settings
    from citytiers.transform.dbt_runner import build

    return build(load_settings())


def _dbt_seed() -> dict[str, object]:
    from citytiers.settings import load_settings
    from citytiers.transform.dbt_runner import run_dbt

    settings = load_settings()
    # A target folder of its own: the build's manifest and run results, which `dbt-sql`
    # reads, stay as the build left them.
    results = run_dbt(settings, ["seed"], target=settings.build_db.parent / "dbt_target_seed")
    return {"seeds": len(results.get("results") or [])}


def _dbt_sql() -> dict[str, object]:
    """dbt's compiled SQL of the last build, run directly (:func:`dbt_sql_direct`)."""
    from citytiers.database import open_duckdb
    from citytiers.settings import load_settings
    from citytiers.transform.build_state import read_json
    from citytiers.transform.dbt_runner import target_dir

    settings = load_settings()
    target = target_dir(settings)
    manifest = read_json(target / "manifest.json")
    run_results = read_json(target / "run_results.json")
    if not isinstance(manifest, dict) or not isinstance(run_results, dict):
        raise SystemExit(f"no manifest.json / run_results.json of a dbt build in {target}")
    nodes = manifest["nodes"]
    statements: list[str] = []
    tests = 0
    # run_results lists the nodes as they finished: an order dbt's DAG allowed.
    for done in run_results["results"]:
        node = nodes.get(done["unique_id"])
        if node is None or not node.get("compiled_code"):
            continue
        sql = node["compiled_code"]
        materialized = node.get("config", {}).get("materialized")
        if node["resource_type"] == "model" and materialized in {"table", "incremental",
                                                                   "view"}:
            kind = "view" if materialized == "view" else "table"
            relation = node["relation_name"]
            statements.append(f"create schema if not exists {relation.rsplit('.', 1)[0]}")
            statements.append(f"create or replace {kind} {relation} as {sql}")
        elif node["resource_type"] == "test":
            tests += 1
            statements.append(f"select count(*) from ({sql}) as failures")
    with open_duckdb(settings.build_db) as connection:
        for statement in statements:
            connection.execute(statement).fetchall()
    return {"statements": len(statements), "tests": tests}


def main(argv: list[str]) -> int:
    """``python -m tools.bench.stages read-csv CSV DB | calamine XLSX | dbt-build |
    dbt-seed | dbt-sql``: one stage in this process; prints one JSON line."""
    command, *arguments = argv
    if command == "read-csv":
        result = _read_csv(*arguments)
    elif command == "calamine":
        result = _calamine(*arguments)
    elif command == "dbt-build":
        result = _dbt_build()
    elif command == "dbt-seed":
        result = _dbt_seed()
    elif command == "dbt-sql":
        result = _dbt_sql()
    else:
        print(f"unknown stage {command!r}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
