"""The dbt project on its second engine: the bundled SYNTHETIC samples built on Apache Spark
(pyspark in local mode) as the night builds its candidate, compared with the DuckDB build
of the same releases mart by mart, row by row (docs/scale_out.md).

The GX audit is not run again here: its suites check values, not column types, and the
comparison proves every value equal to the DuckDB build's, which the other tests audit."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from tests.conftest import _missing

from citytiers.engine_compare import compare_marts
from citytiers.raw_parquet import raw_tables
from citytiers.settings import Settings
from citytiers.spark_build import built_marts, spark_dir
from citytiers.transform import (
    NIGHTLY_BUILD,
    copy_of_writer,
    last_run_results,
    prepare_candidate,
    run_build,
)

pytestmark = pytest.mark.functional

YI = 1e8  # 亿元 -> yuan


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
def builds(load_releases, samples_dir: Path) -> tuple[Settings, Path, dict[str, int]]:
    """(Spark settings, the DuckDB build, the Spark build's nodes per kind): the samples
    loaded once; the marts built on DuckDB in a copy of the writer's database (models
    only: its tests run in every other build of the suite); the night's candidate built
    on Spark: seeds, models, data tests and unit tests."""
    _java_17_or_later()
    settings = load_releases("spark_target", samples_dir)
    on_duckdb = settings.build_db.with_name("on_duckdb.duckdb")
    copy_of_writer(settings, on_duckdb).rename(on_duckdb)
    run_build(settings, [*NIGHTLY_BUILD, "--exclude-resource-type", "test"], on_duckdb)
    on_spark = dataclasses.replace(settings, dbt_target="spark")
    # Everything on Spark, the dbt unit tests too (the nightly build leaves them out: they
    # check the models' SQL, which is the point here).
    results = run_build(on_spark, ["build"], prepare_candidate(on_spark))
    nodes: dict[str, int] = {}
    for node in results["results"]:
        kind = node["unique_id"].split(".")[0]
        nodes[kind] = nodes.get(kind, 0) + 1
    return on_spark, on_duckdb, nodes


def test_every_mart_built_on_spark_equals_the_duckdb_build(builds) -> None:
    on_spark, on_duckdb, _ = builds
    differences = compare_marts(on_duckdb, on_spark.candidate_db)
    assert differences == [], "\n".join(map(str, differences))
    with duckdb.connect(str(on_spark.candidate_db), read_only=True) as connection:
        marts = {name for (name,) in connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts'").fetchall()}
    project = {path.stem for path in (on_spark.dbt_project / "models" / "marts").glob("*.sql")}
    # Every mart model, and the candidate's marts are the ones Spark wrote.
    assert marts == project == set(built_marts(spark_dir(on_spark.build_db.parent / "dbt_target")))


def test_spark_marts_hold_the_samples_published_figures(builds) -> None:
    on_spark, _, _ = builds
    with duckdb.connect(str(on_spark.candidate_db), read_only=True) as connection:
        club = dict(connection.execute(
            "select data_year, count(*) from marts.mart_trillion_club_year "
            "where is_member group by data_year").fetchall())
        suzhou = connection.execute(
            "select value from marts.fct_city_indicator where city_code = '320500' "
            "and data_year = 2023 and indicator_code = 'gdp' and scope = 'whole_city'"
        ).fetchall()
    # The samples follow the published trillion club (DOMAIN.md), 16 members in 2018 to
    # 26 in 2023; 苏州's 2023 GDP is the latest of its four vintages (README, "Revisions").
    assert club == {2018: 16, 2019: 17, 2020: 23, 2021: 24, 2022: 24, 2023: 26}
    assert suzhou == [(pytest.approx(17666.10 * YI, rel=1e-12),)]


def test_every_seed_model_and_test_ran_and_passed_on_spark(builds) -> None:
    on_spark, _, nodes_per_kind = builds
    results = last_run_results(on_spark)
    nodes = {node["unique_id"]: node["status"] for node in results["results"]}
    assert set(nodes.values()) == {"success", "pass"}, {
        unique_id: status for unique_id, status in nodes.items()
        if status not in {"success", "pass"}}
    assert results["args"]["target"] == "spark"
    manifest = json.loads((on_spark.build_db.parent / "dbt_target" / "manifest.json")
                          .read_text(encoding="utf-8"))
    in_project = {kind: sum(node.startswith(f"{kind}.") for node in manifest["nodes"])
                  for kind in ("seed", "model", "test")}
    in_project["unit_test"] = len(manifest["unit_tests"])
    assert nodes_per_kind == {"operation": 1, **in_project}
    assert in_project["test"] > 300 and in_project["unit_test"] > 20


def test_spark_read_the_raw_layer_from_parquet(builds) -> None:
    on_spark, _, _ = builds
    raw = spark_dir(on_spark.build_db.parent / "dbt_target") / "raw"
    assert sorted(path.name for path in raw.iterdir()) == raw_tables(on_spark.candidate_db)
    tables = raw_tables(on_spark.candidate_db)
    with duckdb.connect(str(on_spark.candidate_db), read_only=True) as connection:
        for table in tables:
            files = raw / table / "*.parquet"
            assert connection.execute(
                f"select count(*) from (select * from raw.{table} except all "
                f"select * from read_parquet('{files}'))").fetchone()[0] == 0, table
            written, loaded = connection.execute(
                f"select (select count(*) from read_parquet('{files}')), "
                f"(select count(*) from raw.{table})").fetchone()
            assert written == loaded, table
        observations = connection.execute(
            f"select count(*) from read_parquet('{raw / 'observations' / '*.parquet'}')"
        ).fetchone()[0]
    assert observations == 5679  # the 13 sample releases (README, "make run")
