"""The Airflow pool every task of the nightly DAG runs in: one slot, because DuckDB allows one
writing process per file. Named here once: the DAG puts its tasks in it, the project-local
Airflow (``citytiers run``, ``citytiers airflow``) creates it."""

from __future__ import annotations

WRITER_POOL = "citytiers_writer"
WRITER_POOL_SLOTS = 1
WRITER_POOL_DESCRIPTION = "One writer for the DuckDB warehouse"
