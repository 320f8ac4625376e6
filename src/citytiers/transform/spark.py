"""The dbt build on Apache Spark (target ``spark``): what runs around ``dbt build``.

Spark computes, DuckDB serves. Before the build the candidate's raw layer is written as
Parquet (:mod:`citytiers.transform.raw_parquet`); dbt builds seeds, models and tests in a Spark
session (pyspark in local mode, the ``spark`` target of ``dbt_project/profiles.yml``);
after it, every mart Spark wrote is loaded into the candidate's ``marts`` schema, so the
Great Expectations audit, the publish step, the exports and the reports read one DuckDB
file whichever engine built it. See docs/scale_out.md.

Spark's working folder (``<dbt target folder>/spark``) holds the raw Parquet and the
table files (``warehouse/<schema>.db/<table>``). The session's catalog is in memory: each
dbt invocation starts from an empty folder of tables (:func:`prepare`), registers the raw
layer and builds what it selects, and nothing of an earlier build is read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from citytiers.database import connect
from citytiers.transform.raw_parquet import write_raw_layer

SPARK_TARGET = "spark"
CONF_DIR = Path(__file__).resolve().parent / "spark_conf"


def spark_dir(dbt_target_dir: Path) -> Path:
    """Spark's working folder for builds whose dbt target folder is ``dbt_target_dir``."""
    return dbt_target_dir / "spark"


def spark_env(work: Path) -> dict[str, str]:
    """The environment of a dbt process on the Spark target (read by profiles.yml)."""
    return {"CITYTIERS_SPARK_DIR": str(work), "SPARK_CONF_DIR": str(CONF_DIR)}


def prepare(database: Path, work: Path) -> dict[str, int]:
    """An empty working folder with ``database``'s raw layer in it, as Parquet; returns
    the rows written per raw table."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return write_raw_layer(database, work / "raw")


def table_files(work: Path, relation: str) -> Path:
    """The folder of Parquet files of a table Spark built (``schema.table``, quoted or
    not): a managed table of the default catalog, under ``spark.sql.warehouse.dir``."""
    schema, table = (part.strip("`\"") for part in relation.split(".")[-2:])
    return work / "warehouse" / f"{schema}.db" / table


def read_table_sql(work: Path, relation: str) -> str:
    """A DuckDB expression reading the table Spark built, e.g. for ``select * from``."""
    files = (table_files(work, relation) / "*.parquet").as_posix().replace("'", "''")
    return f"read_parquet('{files}')"


def built_marts(work: Path) -> list[str]:
    """The marts Spark built, by name (one folder each)."""
    marts = work / "warehouse" / "marts.db"
    return sorted(path.name for path in marts.iterdir() if path.is_dir()) \
        if marts.is_dir() else []


def load_marts(database: Path, work: Path) -> list[str]:
    """Replace ``database``'s ``marts`` schema with the marts Spark built, in one
    transaction (a failure leaves it as it was); returns their names."""
    marts = built_marts(work)
    with connect(database) as connection:
        connection.execute("begin transaction")
        connection.execute("drop schema if exists marts cascade")
        connection.execute("create schema marts")
        for mart in marts:
            connection.execute(f"create table marts.{mart} as select * from "
                               f"{read_table_sql(work, 'marts.' + mart)}")
        connection.execute("commit")
    return marts
