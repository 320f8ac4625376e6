"""The nightly DAG end to end, through Airflow's own runner (`make run` = `airflow dags test`).

Two real runs on one temporary warehouse: the first loads every bundled sample release
and builds the marts on Apache Spark (`make run DBT_TARGET=spark`: the DAG picks the dbt
target from its configuration), and its marts are compared with a DuckDB build of the
same releases, row for row; the second, on DuckDB, gets two bad releases in landing/ (one
the gates refuse, one that fails the mart audit after it loaded) while an analyst queries
the published file: it is degraded, publishes the rest and changes no mart. Assertions are
on the published database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from citytiers.discover.metadata import sidecar_path
from citytiers.publish.swap import storage_version
from citytiers.settings import PROJECT_ROOT, PUBLISH_STORAGE_VERSION, Settings
from citytiers.transform.candidate import copy_of_writer
from citytiers.transform.dbt_runner import NIGHTLY_BUILD, run_build
from citytiers.transform.raw_parquet import raw_tables
from citytiers.transform.spark import built_marts, spark_dir
from tests.conftest import _missing
from tests.support.engine_compare import compare_marts

CASES = Path(__file__).resolve().parents[1] / "cases"
SUZHOU = "320500"
YI = 1e8  # 亿元 -> yuan


# A short Spark build: C1-only JIT and the serial collector spend a fifth less CPU on
# a two-minute JVM than the defaults (docs/scale_out.md); the marts are the same. C1
# alone reserves a 48 MB code cache, which Spark filled ("Out of space in CodeCache"):
# the tiered default of 240 MB is kept.
SHORT_SPARK_BUILD = {"CITYTIERS_SPARK_JAVA_OPTIONS": "-XX:TieredStopAtLevel=1 "
                                                     "-XX:ReservedCodeCacheSize=240m "
                                                     "-XX:+UseSerialGC",
                     "CITYTIERS_SPARK_SHUFFLE_PARTITIONS": "1"}


def make_run(warehouse: Path, *, expect_success: bool = True, engine: str = "duckdb") -> str:
    env = {**os.environ, **(SHORT_SPARK_BUILD if engine == "spark" else {})}
    done = subprocess.run(["make", "-s", "run", f"WAREHOUSE={warehouse}",
                           f"DBT_TARGET={engine}"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert (done.returncode == 0) == expect_success, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


class ReaderThroughTheNight(threading.Thread):
    """Holds one read-only connection to the published file and queries it until told to
    stop; counts queries and keeps every error."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.connection = duckdb.connect(str(db), read_only=True)
        self.stop = threading.Event()
        self.queries = 0
        self.errors: list[str] = []
        self.seen: set[int] = set()
        self.releases_on_held_connection = -1

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.seen.add(self.connection.execute(
                    "select count(*) from marts.fct_city_indicator").fetchone()[0])
                self.queries += 1
            except duckdb.Error as exc:
                self.errors.append(str(exc))
            time.sleep(0.01)

    def __enter__(self) -> ReaderThroughTheNight:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.join(timeout=30)
        self.releases_on_held_connection = self.connection.execute(
            "select count(*) from raw.releases").fetchone()[0]
        self.connection.close()


def _java_17_or_later() -> None:
    java = shutil.which("java")
    if java is None:
        _missing("no java on PATH: Spark needs a Java 17+ runtime (apt-get install "
                 "openjdk-17-jre-headless; .ci/run does)")
    shown = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    major = shown.split('"')[1].split(".")[0] if '"' in shown else "0"
    if int(major) < 17:
        _missing(f"Spark 4 needs Java 17 or later, found: {shown.splitlines()[0]}")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The first night, its marts built on Spark."""
    _java_17_or_later()
    warehouse = tmp_path_factory.mktemp("warehouse")
    return warehouse, make_run(warehouse, engine="spark")


@pytest.mark.e2e
def test_first_run_loads_every_sample_release(first_run, samples_dir: Path) -> None:
    warehouse, output = first_run
    samples = [p for p in samples_dir.iterdir() if not p.name.endswith(".release.yml")]
    assert f"this run: {len(samples)} release(s) loaded, 0 quarantined" in output
    assert "SYNTHETIC SAMPLE" in output
    db = warehouse / "citytiers.duckdb"
    loaded = {r[0] for r in query(db, "select release_id from marts.dim_release")}
    assert len(loaded) == len(samples)
    in_fact = {r[0] for r in query(db, "select distinct release_id from marts.fct_city_indicator")}
    # Every sample release contributes a latest figure but the preliminary accounting, whose
    # figures the communiqué, the yearbook and the revision have all replaced.
    superseded = query(db, "select file_name from marts.dim_release "
                           "where latest_observation_count = 0")
    assert superseded == [("sample_preliminary_2023_jiangsu.csv",)]
    assert len(in_fact) == len(loaded) - 1 and in_fact <= loaded
    assert query(db, "select bool_and(is_synthetic) from marts.fct_city_indicator") == [(True,)]
    assert (warehouse / "exports" / "marts.fct_city_indicator.parquet").exists()
    assert (warehouse / "reports" / "data_docs" / "index.html").exists()
    assert (warehouse / "reports" / "dbt_docs" / "index.html").exists()


@pytest.mark.e2e
def test_every_mart_is_filled_and_guarded_by_a_suite(first_run) -> None:
    from citytiers.audit.verdict import MART_TABLES

    warehouse, output = first_run
    db = warehouse / "citytiers.duckdb"
    tables = [name for (name,) in query(
        db, "select table_name from information_schema.tables where table_schema = 'marts'")]
    marts = {name for name in tables if name.startswith(("mart_", "fct_"))}
    assert len(marts) >= 9
    assert marts <= set(MART_TABLES)  # every mart has Great Expectations
    for name in tables:
        [(count,)] = query(db, f"select count(*) from marts.{name}")
        assert count > 0, name
    assert f"marts audit: {len(MART_TABLES)} suite(s) passed" in output


@pytest.mark.e2e
def test_sample_tiers_answer_the_two_questions(first_run) -> None:
    """The two questions of docs/tiers.md ("Two questions, one query each": waist cities
    that overtook a provincial peer, trillion-club joiners) run on the published file and
    return rows."""
    warehouse, _ = first_run
    db = warehouse / "citytiers.duckdb"
    joined = query(db, "select data_year, city_name from marts.mart_trillion_club_year "
                       "where joined_this_year order by data_year")
    assert joined and all(year > 2018 for year, _ in joined)  # 2018: no previous year
    waist_overtakes = query(db, """
        select o.city_code, o.peer_city_code from marts.mart_overtakes as o
        join marts.mart_city_tier_year as t
          on t.city_code = o.city_code and t.data_year = o.data_year
        where o.comparison = 'province' and o.data_year = 2022 and t.tier = 'waist'""")
    # The samples script one such story (GROWTH_NUDGES_PCT): 镇江 passes 徐州 in 2022.
    assert ("321100", "320300") in waist_overtakes
    tiers = dict(query(db, "select tier, count(*) from marts.mart_city_tier_year "
                           "where data_year = 2022 group by tier"))
    assert set(tiers) == {"head", "waist", "tail"}


# Published facts (../shared/docs/DOMAIN.md: press reports of official figures, the Jiangsu
# statistics bureau), written here as the expectation; the generator copies them as its input.
PUBLISHED_CLUB_SIZES = {2018: 16, 2019: 17, 2020: 23, 2021: 24, 2022: 24, 2023: 26}
PUBLISHED_CLUB_JOINERS = {2019: {"佛山市"},
                          2020: {"南通市", "泉州市", "福州市", "西安市", "合肥市", "济南市"},
                          2021: {"东莞市"}, 2022: set(), 2023: {"常州市", "烟台市"}}
PUBLISHED_CLUB_2019 = {"上海市", "北京市", "深圳市", "广州市", "重庆市", "苏州市", "成都市",
                       "武汉市", "杭州市", "天津市", "南京市", "宁波市", "无锡市", "青岛市",
                       "郑州市", "长沙市", "佛山市"}


@pytest.mark.e2e
def test_sample_trillion_club_follows_the_published_memberships(first_run) -> None:
    """The synthetic panel is built to the published club (sizes, joiners, the 2019 list)."""
    warehouse, _ = first_run
    db = warehouse / "citytiers.duckdb"
    rows = query(db, "select data_year, city_name, member_count, joined_this_year "
                     "from marts.mart_trillion_club_year")
    assert {year: count for year, _, count, _ in rows} == PUBLISHED_CLUB_SIZES
    joiners = {year: {name for y, name, _, joined in rows if y == year and joined}
               for year in PUBLISHED_CLUB_JOINERS}
    assert joiners == PUBLISHED_CLUB_JOINERS
    assert {name for year, name, _, _ in rows if year == 2019} == PUBLISHED_CLUB_2019


@pytest.mark.e2e
def test_sample_suqian_and_changzhou_stories_match_the_published_figures(first_run) -> None:
    """宿迁 first passes 连云港 in 2022 (Jiangsu figures pinned in the panel); 常州 joins in
    2023."""
    warehouse, _ = first_run
    db = warehouse / "citytiers.duckdb"
    overtakes = query(db, """
        select data_year, first_time from marts.mart_overtakes
        where comparison = 'province' and city_code = '321300' and peer_city_code = '320700'""")
    assert overtakes == [(2022, True)]
    gdp = dict(query(db, """
        select city_code || ':' || data_year, round(gdp_yuan / 1e8, 2)
        from marts.mart_growth_ranking_year
        where city_code in ('321300', '320700', '320400') and data_year between 2021 and 2022"""))
    assert gdp == {"321300:2021": 3719.01, "320700:2021": 3727.92, "321300:2022": 4112.0,
                   "320700:2022": 4005.0, "320400:2021": 8807.58, "320400:2022": 9550.0}
    [(changzhou_joined,)] = query(db, "select min(data_year) from marts.mart_trillion_club_year "
                                      "where city_code = '320400'")
    assert changzhou_joined == 2023


@pytest.mark.e2e
def test_latest_vintage_wins_and_history_is_kept(first_run) -> None:
    warehouse, _ = first_run
    db = warehouse / "citytiers.duckdb"
    [(value, vintages, file_name)] = query(
        db, "select value, vintage_count, file_name from marts.fct_city_indicator "
            "where city_code = ? and data_year = 2023 and indicator_code = 'gdp' "
            "and scope = 'whole_city'", SUZHOU)
    # Jiangsu's preliminary accounting -> communiqué -> 2024 yearbook (final) ->
    # economic-census revision
    assert vintages == 4
    assert file_name == "sample_revision_2023_gdp.csv"
    assert value == pytest.approx(17666.10 * YI)
    # "As published on 2024-06-30": the communiqué was in force then.
    [(as_of,)] = query(
        db, "select value from marts.fct_city_indicator_vintage where city_code = ? "
            "and data_year = 2023 and indicator_code = 'gdp' and scope = 'whole_city' "
            "and valid_from <= date '2024-06-30' "
            "and (valid_to is null or valid_to > date '2024-06-30')", SUZHOU)
    assert as_of == pytest.approx(17195.69 * YI)


@pytest.mark.e2e
def test_a_mart_figure_traces_back_to_its_cell(first_run) -> None:
    warehouse, _ = first_run
    db = warehouse / "citytiers.duckdb"
    [(value, release_id, sheet, row, column)] = query(
        db, "select f.value, f.release_id, f.source_sheet, f.source_row, f.source_column "
            "from marts.fct_city_indicator f where f.city_code = ? and f.data_year = 2019 "
            "and f.indicator_code = 'population_registered' and f.scope = 'whole_city'", SUZHOU)
    [archived] = list((warehouse / "archive").rglob(f"{release_id}.xlsx"))
    cell = openpyxl.load_workbook(archived)[sheet][f"{column}{row}"].value
    assert value == pytest.approx(float(cell) * 10_000)  # 万人 -> persons


COUNT_SQL = ("select (select count(*) from marts.fct_city_indicator), "
             "(select count(*) from marts.fct_city_indicator_vintage), "
             "(select count(*) from marts.dim_release)")


@pytest.mark.e2e
def test_the_spark_night_built_every_node_on_spark(first_run) -> None:
    warehouse, _ = first_run
    target = warehouse / "build" / "dbt_target"
    audit = json.loads((warehouse / "build" / "last_audit.json").read_text(encoding="utf-8"))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert audit["dbt_target"] == "spark" and audit["rounds"] == 1
    # Every seed, model and data test of the project ran, and passed.
    assert audit["dbt_nodes"] == {kind: sum(node.startswith(f"{kind}.")
                                            for node in manifest["nodes"])
                                  for kind in ("operation", "seed", "model", "test")
                                  } | {"operation": 1}
    assert audit["dbt_nodes"]["test"] > 200
    assert {test["status"] for test in audit["dbt_tests"]} == {"pass"}
    # The project's own generic tests ran on Spark too (not only dbt's built-in ones).
    assert {"not_null_fct_city_indicator", "not_null_mart_city_tier_year"} <= {
        test["name"] for test in audit["dbt_tests"]}
    # The published marts are the tables Spark wrote.
    assert built_marts(spark_dir(target)) == sorted(
        name for (name,) in query(warehouse / "citytiers.duckdb",
                                  "select table_name from information_schema.tables "
                                  "where table_schema = 'marts'"))
    # Spark read the raw layer from the Parquet written for it: every raw row, no other.
    raw = spark_dir(target) / "raw"
    candidate = warehouse / "build" / "candidate.duckdb"
    tables = raw_tables(candidate)
    assert sorted(path.name for path in raw.iterdir()) == tables
    with duckdb.connect(str(candidate), read_only=True) as connection:
        for table in tables:
            files = raw / table / "*.parquet"
            assert connection.execute(
                f"select (select count(*) from raw.{table}), (select count(*) from ("
                f"select * from raw.{table} except all select * from read_parquet('{files}')))"
            ).fetchone() == (connection.execute(
                f"select count(*) from read_parquet('{files}')").fetchone()[0], 0), table


@pytest.mark.e2e
def test_the_spark_night_equals_a_duckdb_build_of_its_releases(first_run, tmp_path) -> None:
    """Every published mart of the Spark night, compared with the same releases built on
    DuckDB (models only; the data tests passed on Spark above)."""
    warehouse, _ = first_run
    settings = Settings(home=PROJECT_ROOT, warehouse=warehouse)
    on_duckdb = tmp_path / "on_duckdb.duckdb"
    copy_of_writer(settings, on_duckdb).rename(on_duckdb)
    run_build(settings, [*NIGHTLY_BUILD, "--exclude-resource-type", "test"], on_duckdb,
              target=tmp_path / "dbt_target")
    published = warehouse / "citytiers.duckdb"
    differences = compare_marts(on_duckdb, published)
    assert differences == [], "\n".join(map(str, differences))
    marts = {name for (name,) in query(
        published, "select table_name from information_schema.tables "
                   "where table_schema = 'marts'")}
    assert marts == {path.stem for path in (PROJECT_ROOT / "dbt_project" / "models" / "marts")
                     .glob("*.sql")}


@pytest.fixture(scope="module")
def second_night(first_run) -> dict:
    """The second night: a release the gates refuse, and one that passes them but fails
    the mart audit, while an analyst queries the published file throughout."""
    warehouse, _ = first_run
    db = warehouse / "citytiers.duckdb"
    before = query(db, COUNT_SQL)
    for bad in (CASES / "bad" / "negative_gdp.csv",
                CASES / "audit" / "beijing_2024_implausible_growth.csv"):
        shutil.copy2(bad, warehouse / "landing" / bad.name)
        shutil.copy2(sidecar_path(bad), sidecar_path(warehouse / "landing" / bad.name))
    # An analyst keeps a read-only connection open and queries through the whole night,
    # which publishes a new version (its raw.releases records the two bad releases).
    with ReaderThroughTheNight(db) as reader:
        output = make_run(warehouse, expect_success=False)  # on DuckDB
    return {"warehouse": warehouse, "db": db, "before": before, "reader": reader,
            "output": output}


@pytest.mark.e2e
def test_a_night_with_bad_releases_publishes_the_rest_and_names_them(second_night) -> None:
    """The first bad release is quarantined at the gates, the second after it loaded; the
    night is degraded (`make run` prints the summary and exits 1); the rest is published,
    and the marts are what they were."""
    warehouse, db, reader = second_night["warehouse"], second_night["db"], second_night["reader"]
    output = second_night["output"]
    assert reader.errors == []
    assert reader.queries > 100
    assert reader.seen == {second_night["before"][0][0]}  # the old file, throughout
    assert reader.releases_on_held_connection == 13  # the version it opened
    assert query(db, "select count(*) from raw.releases") == [(15,)]  # a new connection

    assert "this run: 1 release(s) loaded, 1 quarantined" in output
    assert "negative_gdp.csv" in output  # named, with the reason
    assert "DEGRADED: 1 release(s) quarantined after the audit" in output
    assert "quarantined after the audit: beijing_2024_implausible_growth.csv" in output
    assert "The night was DEGRADED" in output
    assert query(db, COUNT_SQL) == second_night["before"]
    assert list((warehouse / "quarantine").glob("*negative_gdp.csv.reason.txt"))
    assert query(db, "select state, count(*) from raw.release_states group by 1 order by 1") \
        == [("loaded", 13), ("quarantined", 1), ("quarantined_after_audit", 1)]
    log = (warehouse / "airflow" / "last-run.log").read_text(encoding="utf-8")
    assert "degraded night (the rest was published)" in log  # night_verdict's failure


def open_read_write_as_analyst(db: Path) -> str:
    """DuckDB's error when a user other than the pipeline's opens ``db`` read-write (a
    forked child that drops root to user nobody, when run as root); "" if it opened."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        message = ""
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            duckdb.connect(str(db)).close()
        except BaseException as exc:  # reported to the parent, whatever it is
            message = str(exc)
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    return message


@pytest.mark.e2e
def test_the_published_file_is_read_only_for_analysts(first_run, tmp_path: Path) -> None:
    """The published file's mode is read-only: an analyst (any user but root) who opens
    it read-write gets DuckDB's "Permission denied"; a read-only connection refuses
    writes with a clear message. As root, the check runs as user nobody."""
    import stat

    warehouse, _ = first_run
    db = warehouse / "citytiers.duckdb"
    assert stat.S_IMODE(db.stat().st_mode) == 0o444
    with duckdb.connect(str(db), read_only=True) as connection, \
            pytest.raises(duckdb.Error, match="read-only mode"):
        connection.execute("create table marts.mine as select 1")
    # Where user nobody can reach it (pytest's own folders are private to root).
    shared = Path(tempfile.mkdtemp(prefix="citytiers-published-", dir="/tmp"))
    try:
        shared.chmod(0o755)
        copy = shared / db.name
        shutil.copy2(db, copy)
        assert open_read_write_as_analyst(copy).startswith("IO Error: Cannot open file")
        assert "Permission denied" in open_read_write_as_analyst(copy)
    finally:
        shutil.rmtree(shared, ignore_errors=True)


# The DuckDB 1.x CLI from the package registry, in a virtual environment of its own
# (Makefile: `make duckdb-cli`, which `make test` runs).
DUCKDB_CLI = PROJECT_ROOT / ".venv-duckdb-cli" / "bin" / "duckdb"


def readme_cli_session() -> tuple[str, str]:
    """(SQL, printed output) of the DuckDB 1.x CLI session in the README's analyst
    section."""
    import re

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    [(sql, output)] = re.findall(
        r"\$ \.venv-duckdb-cli/bin/duckdb -readonly -csv warehouse/citytiers\.duckdb <<'SQL'\n"
        r"(.*?\n)SQL\n(.*?)```", readme, flags=re.S)
    return sql, output


@pytest.mark.e2e
def test_the_published_file_opens_in_the_duckdb_1_cli(first_run, tmp_path: Path) -> None:
    """The registry's DuckDB 1.x CLI opens the published file read-only and prints exactly
    the README's session: its own version, the file's storage version (the configured one,
    though the writer's file is on DuckDB's newest), the releases in force and a mart's row
    count, the same as through the project's DuckDB. A write through it is refused."""
    if not DUCKDB_CLI.exists():
        _missing(f"the DuckDB 1.x CLI is not installed at {DUCKDB_CLI} "
                 "(`make duckdb-cli`; `make test` installs it)")
    warehouse, _ = first_run
    db = warehouse / "citytiers.duckdb"
    cli_version = subprocess.run([str(DUCKDB_CLI), "--version"], capture_output=True,
                                 text=True, timeout=60).stdout.split()[0]
    assert cli_version.startswith("v1."), cli_version
    sql, shown = readme_cli_session()
    session = subprocess.run([str(DUCKDB_CLI), "-readonly", "-csv", str(db)], input=sql,
                             capture_output=True, text=True, timeout=120)
    assert session.returncode == 0, session.stderr
    assert session.stdout == shown
    header, row = session.stdout.splitlines()
    printed = dict(zip(header.split(","), row.split(","), strict=True))
    assert printed["client"] == cli_version
    assert int(printed["releases_in_force"]) == 13 == query(
        db, "select count(*) from raw.release_states where in_force")[0][0]
    assert int(printed["fct_city_indicator_rows"]) == query(
        db, "select count(*) from marts.fct_city_indicator")[0][0]
    # The writer's format does not leak into the published file.
    newest = tmp_path / "newest.duckdb"
    duckdb.connect(str(newest)).close()
    assert storage_version(warehouse / "build" / "citytiers_build.duckdb") \
        == storage_version(newest) != f"{PUBLISH_STORAGE_VERSION}+"
    assert printed["file_readable_by"] == storage_version(db) == f"{PUBLISH_STORAGE_VERSION}+"
    refused = subprocess.run([str(DUCKDB_CLI), "-readonly", str(db), "-c",
                              "create table marts.mine as select 1"],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "read-only mode" in refused.stderr, refused


def citytiers(warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI, as a user runs it against this warehouse."""
    return subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "citytiers"), *args],
                          env={**os.environ, "CITYTIERS_WAREHOUSE": str(warehouse)},
                          capture_output=True, text=True, timeout=300)


def open_offline(browser, page: Path, screenshot: str, width: int = 1200):
    """``page`` in headless Chromium with the network blocked; every request it made (a
    self-contained page makes none but file: ones). A full-page screenshot is kept in
    tests/artifacts/ (the images of the README and docs/ are copied from there)."""
    from tests.conftest import ARTIFACTS

    tab = browser.new_page(viewport={"width": width, "height": 900})
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    tab.goto(page.as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    return tab, requested


@pytest.mark.e2e
def test_the_quality_report_names_the_quarantined_releases_offline(second_night,
                                                                   browser) -> None:
    """The latest run's page, opened with the network blocked: the night's state, both
    quarantined files with their reasons, the synthetic banner, the suites with their
    counts, and the past runs (both nights) in the index."""
    warehouse = second_night["warehouse"]
    tab, requested = open_offline(browser, warehouse / "reports" / "quality" / "index.html",
                                  "quality_report.png")
    text = tab.inner_text("body")
    assert {url.split(":")[0] for url in requested} == {"file"}
    assert tab.inner_text("#night-state") == "DEGRADED"
    assert "WARNING: this warehouse contains SYNTHETIC SAMPLE releases" in tab.inner_text(
        "#synthetic-banner")
    releases = tab.inner_text("#releases + div")
    assert "negative_gdp.csv\nc27c95f8ce63" in releases
    assert "gdp of 苏州市 2022 is -2.39583e+12 yuan (printed -23958.34 亿元)" in releases
    assert "beijing_2024_implausible_growth.csv" in releases
    assert "quarantined_after_audit" in releases
    # The culprit's sentence: city, year, figure, value, the rule's bound, the release.
    [culprit] = [line for line in releases.splitlines()
                 if "mart_growth_ranking_year: 北京市 110000, 2024: " in line]
    assert "[gdp_growth_nominal_pct] is " in culprit
    assert "outside the allowed -50 to 100 (where boundary_break is false)" in culprit
    assert "from release beijing_2024_implausible_growth.csv" in releases
    html = tab.content()
    assert "np.float64" not in html and "{'column'" not in html and "np.int64" not in html
    rows = tab.locator("#expectations + p + div table tr").all_inner_texts()
    assert any(r.startswith("negative_gdp.csv\traw_observations\tFAILED\t16\t1") for r in rows)
    assert any(r.startswith("marts.mart_growth_ranking_year\tmart_growth_ranking_year\t"
                            "passed") for r in rows)  # the round after the culprit left
    assert "dbt tests" in text and " pass (the nightly build" in text
    freshness = tab.inner_text("#freshness + table")
    assert words_stay_whole(tab)
    assert "sample\t13\t2024-12-30" in freshness
    tab.goto((warehouse / "reports" / "quality" / "runs.html").as_uri())
    runs = tab.locator("table tr").all_inner_texts()
    assert len(runs) == 3 and "degraded" in runs[1] and "clean" in runs[2]
    tab.close()
    with duckdb.connect(str(warehouse / "history.duckdb"), read_only=True) as history:
        assert history.execute(
            "select state, loaded, quarantined, quarantined_after_audit from audit.runs "
            "order by recorded_at").fetchall() == [("clean", 13, 0, 0), ("degraded", 0, 1, 1)]
    # The first night revised figures of earlier samples: the largest are its highlights.
    first_revision = query(warehouse / "citytiers.duckdb", """
        select max(abs(revision_pct)) from marts.fct_city_indicator_vintage
        where previous_value is not null and value <> previous_value""")[0][0]
    with duckdb.connect(str(warehouse / "history.duckdb"), read_only=True) as history:
        shown = history.execute("select max(abs(revision_pct)) from audit.run_revisions"
                                ).fetchone()[0]
        wholesale = history.execute("""
            select file_name, indicator_code, cities_revised_materially, cities_republished
            from audit.run_wholesale_revisions where summary_level = 'release'""").fetchall()
    assert shown == pytest.approx(first_revision)
    # The economic-census revision restated every city by 2.5-3.5 %: a wholesale revision,
    # on the first night's page (and no other).
    assert wholesale == [("sample_revision_2023_gdp.csv", "gdp", 106, 106)]
    pages = [page.read_text(encoding="utf-8")
             for page in (warehouse / "reports" / "quality" / "runs").glob("*.html")]
    assert len(pages) == 2
    assert sum("Wholesale revisions" in page and "106 of 106" in page for page in pages) == 1


def words_stay_whole(tab) -> bool:
    """Every status cell of the page on one line (no "quaranti/ned"), and no header
    broken inside a word."""
    return tab.evaluate("""() => Array.from(document.querySelectorAll('td.status, th'))
        .every(cell => { const range = document.createRange(); range.selectNodeContents(cell);
                         return range.getClientRects().length <= 1; })""")


@pytest.mark.e2e
def test_the_quality_report_reads_at_desktop_and_phone_widths(second_night, browser) -> None:
    """The degraded night's report at 1280 px and at 400 px (a phone): the words of its
    tables stay whole (a wide table scrolls sideways), the culprit's sentence is there;
    both screenshots are kept as artefacts (the README's image comes from the first)."""
    index = second_night["warehouse"] / "reports" / "quality" / "index.html"
    for width, shot in ((1280, "quality_report_1280.png"), (400, "quality_report_400.png")):
        tab, _ = open_offline(browser, index, shot, width=width)
        assert words_stay_whole(tab), width
        assert "北京市 110000, 2024" in tab.inner_text("#releases + div")
        tab.close()


@pytest.mark.e2e
def test_the_analytics_report_draws_the_marts_offline(second_night, browser) -> None:
    """The analytics page, offline: charts whose text is the marts' (the top riser's name
    in the risers chart, the latest trillion club in its table), each marked synthetic."""
    warehouse = second_night["warehouse"]
    db = warehouse / "citytiers.duckdb"
    tab, requested = open_offline(browser, warehouse / "reports" / "analytics" / "index.html",
                                  "analytics_report.png")
    assert {url.split(":")[0] for url in requested} == {"file"}
    assert "SYNTHETIC SAMPLE" in tab.inner_text("#synthetic-banner")
    year, riser = query(db, """
        select data_year, city_name from marts.mart_growth_ranking_year
        where data_year = (select max(data_year) from marts.mart_growth_ranking_year)
        order by rank_change desc, gdp_rank_national limit 1""")[0]
    chart_text = tab.locator("#movers + .chart svg text").all_text_contents()
    assert any(text.startswith(riser) for text in chart_text), chart_text
    assert any("SYNTHETIC SAMPLE" in text for text in chart_text)
    members = query(db, """select data_year, count(*) from marts.mart_trillion_club_year
                           where is_member group by 1 order by 1 desc limit 1""")[0]
    latest = tab.locator("#trillion + .chart + table tr").nth(-1).inner_text().split("\t")
    assert latest[:2] == [str(members[0]), str(members[1])]
    assert tab.locator("svg").count() == 4  # tiers, trillion club, movers, provinces
    entries = tab.locator("#top-entries + p + table tr").all_inner_texts()[1:]
    assert [tuple(row.split("\t")[:4]) for row in entries] == [
        (str(y), m, p, c) for y, m, p, c in query(db, """
            select data_year, measure, province_name, city_name
            from marts.mart_city_measure_rank_year
            where first_time_province_top_n and measure <> 'gdp'
            order by data_year desc, measure, province_name, rank_province""")]
    assert len(entries) > 0
    assert str(year) in tab.inner_text("#movers")
    tab.close()


@pytest.mark.e2e
def test_report_and_status_commands(second_night, browser) -> None:
    """`citytiers report --city 苏州` writes the city's page (its GDP as in the mart);
    an unknown city fails with a clear message; `citytiers status` names the degraded
    night and its quarantined files (exit status 1); `citytiers docs` passes the
    description check on this build."""
    warehouse = second_night["warehouse"]
    done = citytiers(warehouse, "report", "--city", "苏州")
    assert done.returncode == 0, done.stderr
    page = warehouse / "reports" / "analytics" / "city" / f"{SUZHOU}.html"
    assert str(page) in done.stdout
    gdp = query(warehouse / "citytiers.duckdb", """
        select gdp_yuan / 1e8 from marts.mart_growth_ranking_year
        where city_code = ? order by data_year desc limit 1""", SUZHOU)[0][0]
    tab, requested = open_offline(browser, page, "city_profile.png")
    assert {url.split(":")[0] for url in requested} == {"file"}
    assert f"{gdp:,.2f}" in tab.inner_text("table")
    assert any("苏州市 GDP" in t for t in tab.locator("svg text").all_text_contents())
    tab.close()

    unknown = citytiers(warehouse, "report", "--city", "不存在")
    assert unknown.returncode == 1
    assert "no city named '不存在'" in unknown.stdout

    status = citytiers(warehouse, "status")
    assert status.returncode == 1, status.stdout + status.stderr
    assert "DEGRADED" in status.stdout
    assert "negative_gdp.csv" in status.stdout
    assert "beijing_2024_implausible_growth.csv" in status.stdout
    assert "SYNTHETIC SAMPLE" in status.stdout

    documented = citytiers(warehouse, "docs")
    assert documented.returncode == 0, documented.stdout + documented.stderr
    assert "every model and mart column described" in documented.stdout


ANALYSTS_PAGE = PROJECT_ROOT / "docs" / "analysts.md"


def analyst_questions() -> list[tuple[str, str]]:
    """(SQL, printed answer) of each question in the "Five questions" and "Revisions"
    sections of docs/analysts.md (each section ends at the next heading)."""
    import re

    page = ANALYSTS_PAGE.read_text(encoding="utf-8")
    found = []
    for heading in ("## Five questions, answered on the samples",
                    "## Revisions, answered on the samples"):
        section = re.split(r"\n#+ ", page.split(f"\n{heading}\n", 1)[1], maxsplit=1)[0]
        found += re.findall(r"```sql\n(.*?)```\s+```text\n(.*?)```", section, flags=re.S)
    return found


@pytest.mark.e2e
def test_the_documented_answers_are_the_samples(second_night) -> None:
    """Each question of docs/analysts.md, run with `citytiers query --format csv` on the
    sample warehouse, prints exactly the answer the page shows."""
    questions = analyst_questions()
    assert len(questions) == 6
    for sql, answer in questions:
        done = citytiers(second_night["warehouse"], "query", sql, "--format", "csv")
        assert done.returncode == 0, done.stderr
        assert done.stdout == answer, sql


# -- a release refused at the gates, accepted by a steward, loaded the next night --------
# These run after every test of the second night: the accepted night changes the warehouse.

ACCEPTED_CASE = CASES / "accept" / "lianyungang_2023_restated.csv"
ACCEPT_REASON = "checked against the bureau's notice: 2023 was restated"


@pytest.fixture(scope="module")
def accepted_night(second_night) -> dict:
    """`citytiers load` refuses the restatement at the gates; a steward reads the problem
    (`releases show`) and accepts it; the next night (`make run`) loads it."""
    warehouse = second_night["warehouse"]
    refused = citytiers(warehouse, "load", str(ACCEPTED_CASE), "--json")
    [outcome] = [json.loads(line) for line in refused.stdout.splitlines() if line.strip()]
    assert outcome["status"] == "quarantined", outcome
    shown = citytiers(warehouse, "releases", "show", outcome["release_id"][:12])
    accepted = citytiers(warehouse, "releases", "accept", outcome["release_id"][:12],
                         "--reason", ACCEPT_REASON)
    assert accepted.returncode == 0, accepted.stderr
    output = make_run(warehouse)
    return {"warehouse": warehouse, "release_id": outcome["release_id"], "shown": shown,
            "accepted": accepted, "output": output}


@pytest.mark.e2e
def test_an_accepted_release_loads_the_next_night(accepted_night, browser) -> None:
    """Before: `releases show` lists the problem row by row. After the night: the figure
    is published, the problem is kept with the loaded release, and the data-quality report
    says who accepted it and why."""
    import getpass

    warehouse, release_id = accepted_night["warehouse"], accepted_night["release_id"]
    shown = accepted_night["shown"].stdout
    assert "state: quarantined" in shown
    assert "1 problem(s)" in shown and "row 2, column F" in shown
    assert "1.51866 times the previous vintage" in shown
    assert "accepted (" + ACCEPT_REASON in accepted_night["accepted"].stdout

    assert "lianyungang_2023_restated.csv" in accepted_night["output"]
    db = warehouse / "citytiers.duckdb"
    assert query(db, "select state, in_force, state_changed_by, state_reason from "
                     "raw.release_states where release_id = ? and status = 'loaded'",
                 release_id) == [("loaded", True, getpass.getuser(), ACCEPT_REASON)]
    assert query(db, """select value / 1e8 from marts.fct_city_indicator
                        where city_code = '320700' and data_year = 2023
                          and indicator_code = 'gdp' and scope = 'whole_city'""") \
        == [(pytest.approx(6800.0),)]
    [(severity, row, column, message)] = query(
        warehouse / "build" / "citytiers_build.duckdb",
        "select severity, source_row, source_column, message from raw.release_findings "
        "where release_id = ? and processed_at = (select max(processed_at) from "
        "raw.releases where release_id = ?) and severity = 'problem'", release_id, release_id)
    assert (severity, row, column) == ("problem", 2, "F")
    assert "times the previous vintage" in message

    tab, _ = open_offline(browser, warehouse / "reports" / "quality" / "index.html",
                          "quality_report_accepted.png")
    releases = tab.inner_text("#releases + div")
    assert "lianyungang_2023_restated.csv" in releases
    assert f"accepted by {getpass.getuser()}" in releases and ACCEPT_REASON in releases
    tab.close()
