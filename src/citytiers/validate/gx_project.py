"""Open the file-based GX project in ``expectations/``, (re)configure it, run checkpoints.

Two data sources: ``staging``, GX's SQL engine over the file-backed staging database
(``${CITYTIERS_STAGING_DB}``) for the raw suites, which validate a release where it was
parsed (no copy into pandas, whatever its size); ``dataframes`` (pandas) for the mart
suites. The project is committed: suites, validation definitions and checkpoints are JSON
under ``expectations/``. ``configure_project`` rewrites them from :mod:`citytiers.validate.suites`
(run ``citytiers gx-configure`` after editing a suite). The nightly run only *reads* them,
so a run never changes the working tree. Validation results and Data Docs go to the
warehouse's ``reports/`` through the ``${CITYTIERS_*}`` variables in great_expectations.yml.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from citytiers.database import duckdb_config, open_duckdb
from citytiers.parse.normalize.dictionary import Dictionary
from citytiers.settings import DUCKDB_MEMORY_LIMIT_DEFAULT, Settings
from citytiers.validate.steward_words import SUBJECT, condition, number, row_words, sentence
from citytiers.validate.suites import SUITES, mart_column_labels, mart_columns

DATASOURCE = "dataframes"
BATCH_DEFINITION = "whole_frame"
STAGING_DATASOURCE = "staging"
STAGING_BATCH_DEFINITION = "whole_table"
# Suites named raw_<table> guard staged table <table> (raw_observations -> observations).
RAW_SUITE_PREFIX = "raw_"
FAILED_EXPECTATIONS_SHOWN = 10
UNEXPECTED_VALUES_SHOWN = 10
UNSAFE_RUN_NAME_CHARS = re.compile(r"[/\\:*?\"<>|\s]+")
RUN_NAME_MAX_CHARS = 120
# Where a staged row came from, per staged table (the others carry source_row only).
LINEAGE_COLUMNS = {
    "observations": ("source_sheet", "source_row", "source_column"),
    "census_prefecture_totals": ("source_sheet", "source_row", "source_column"),
}


@dataclass(frozen=True)
class ValidationOutcome:
    """A checkpoint's verdict in words a data steward can act on."""

    suite: str
    success: bool
    evaluated: int
    failed: list[str]
    docs_index: Path
    # Failed expectations of severity "warning": reported, named, but they do not block a
    # load (e.g. a publisher's own totals that do not add up in 7 of 333 prefectures).
    warnings: list[str] = field(default_factory=list)
    # Per failed expectation (in the order of ``failed``): the lineage columns of every row
    # it found (a mart suite: the release ids the audit blames), empty for table checks.
    failed_rows: list[list[dict[str, Any]]] = field(default_factory=list)
    # The Data Docs page of this validation (a file: URL), for the quality report's links.
    docs_page: str | None = None
    # GX's own description of each failure and warning (type, kwargs, values as GX has
    # them), in the order of ``failed`` then ``warnings``: the detail behind the steward's
    # sentences (citytiers.validate.steward_words), never the main text.
    technical: list[str] = field(default_factory=list)

    def to_check(self) -> dict[str, Any]:
        """What the quality report keeps of it: counts, the first failures, the page."""
        return {"suite": self.suite, "success": self.success, "evaluated": self.evaluated,
                "failed_count": len(self.failed),
                "first_failures": self.failed[:FAILED_EXPECTATIONS_SHOWN],
                "warnings": self.warnings, "docs_page": self.docs_page,
                "technical": self.technical}

    def summary(self) -> str:
        """The verdict in words, then each failure and warning as a steward reads it."""
        warned = f", {len(self.warnings)} with a warning" if self.warnings else ""
        if self.success:
            head = f"all {self.evaluated} checks of {self.suite} passed{warned}"
        else:
            head = (f"{len(self.failed)} of the {self.evaluated} checks of {self.suite} "
                    f"failed{warned}")
        lines = [head + (":" if self.failed or self.warnings else "")]
        lines += [f"  - {f}" for f in self.failed[:FAILED_EXPECTATIONS_SHOWN]]
        if len(self.failed) > FAILED_EXPECTATIONS_SHOWN:
            lines.append(f"  ... and {len(self.failed) - FAILED_EXPECTATIONS_SHOWN} more")
        lines += [f"  - warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def open_context(settings: Settings) -> Any:
    """The FileDataContext rooted at ``expectations/``, writing results under ``reports/``:
    opened once per process and warehouse, then the same one (:func:`_file_context`)."""
    os.environ["CITYTIERS_GX_RESULTS_DIR"] = str(settings.reports / "gx_validations")
    os.environ["CITYTIERS_DATA_DOCS_DIR"] = str(settings.reports / "data_docs")
    os.environ["CITYTIERS_STAGING_DB"] = str(settings.staging_db)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no network at run time
    return _file_context(str(settings.expectations), str(settings.reports),
                         str(settings.staging_db))


# Opening the context reads and checks the whole project, about 0.1 s: once per
# checkpoint it was paid 25 times in a night of 13 releases (one raw suite each, then 12
# mart suites). The key is everything the context substitutes from the ${CITYTIERS_*}
# variables above, so a process that validates for two warehouses (the tests) gets one
# context each; a few are kept.
@functools.lru_cache(maxsize=4)
def _file_context(root: str, reports: str, staging_db: str) -> Any:
    import great_expectations as gx

    patch_sql_result_fetching()
    context = gx.get_context(mode="file", context_root_dir=root)
    # The staging engine opens DuckDB like every other connection (database.duckdb_config:
    # the memory setting of this process, a temp directory beside the staging file). GX
    # does not substitute variables inside kwargs, so the committed file keeps the
    # defaults and the configuration is put in here, before any engine is created.
    if STAGING_DATASOURCE in context.data_sources.all():
        connect_args = context.data_sources.get(STAGING_DATASOURCE).kwargs.setdefault(
            "connect_args", {})
        connect_args["config"] = duckdb_config(staging_db)
    return context


def patch_sql_result_fetching() -> None:
    """GX's SQL engine closes its connection and *then* fetches the result
    (``with get_connection(): result = execute(...)``; ``result.fetchall()`` after), which
    works where the driver buffers results; duckdb-engine does not, so every metric came
    back empty ("list index out of range", GX issue #11579). Buffer the result while the
    connection is open (``freeze()``). Idempotent; a test with bad data proves the suites
    fail where they must (tests/functional/validate/test_gx_project.py)."""
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    if getattr(SqlAlchemyExecutionEngine.execute_query, "_citytiers_buffered", False):
        return

    def execute_query(self: Any, query: Any) -> Any:
        with self.get_connection() as connection:
            return self._execute_query_with_recovery(connection, query).freeze()()

    execute_query._citytiers_buffered = True  # type: ignore[attr-defined]
    SqlAlchemyExecutionEngine.execute_query = execute_query


def stage_frame(settings: Settings, table: str, frame: pd.DataFrame) -> None:
    """Put ``frame`` into a new staging database as ``table``, to validate rows that did
    not come from a parser (tests, a steward's re-check); ``observation_seq`` is added in
    frame order when missing."""
    from citytiers.parse.buffer import Staging

    if table == "observations" and "observation_seq" not in frame.columns:
        frame = frame.assign(observation_seq=range(1, len(frame) + 1))
    staging = Staging(settings.staging_db)
    try:
        staging.put(table, frame)
    finally:
        staging.close()
    if table == "observations":
        from citytiers.gates.reference import stage_gate_reference
        from citytiers.parse.normalize.dictionary import cached_dictionary

        stage_gate_reference(settings,
                             cached_dictionary(settings.seeds).with_name_history(
                                 settings.build_db))


def staged_table(suite: str) -> str:
    """The staging table a raw suite guards: ``raw_observations`` -> ``observations``."""
    return suite.removeprefix(RAW_SUITE_PREFIX)


def release_engines(context: Any) -> None:
    """Close the SQL engines' connections: DuckDB lets one process open a file with one
    configuration at a time, and the loader opens the staging file next."""
    for datasource in context.data_sources.all().values():
        execution = getattr(datasource, "execution_engine", None)
        for engine in (getattr(execution, "engine", None), getattr(datasource, "_engine", None)):
            if engine is not None and hasattr(engine, "dispose"):
                engine.dispose()


def configure_project(settings: Settings, dictionary: Dictionary) -> list[str]:
    """(Re)write every suite, validation definition and checkpoint. Idempotent."""
    import great_expectations as gx

    context = open_context(settings)
    # GX test-reads every table asset when it is added: give it empty staged tables.
    settings.staging_db.parent.mkdir(parents=True, exist_ok=True)

    from citytiers.database import THREADS, raw_schema_sql
    from citytiers.gates.reference import create_empty

    with open_duckdb(settings.staging_db) as connection:
        connection.execute(raw_schema_sql())
        create_empty(connection)
        for name in SUITES:
            if name.startswith(RAW_SUITE_PREFIX):
                connection.execute(f"create or replace table {staged_table(name)} as "
                                   f"select * from raw.{staged_table(name)} where false")
    datasource = context.data_sources.add_or_update_pandas(DATASOURCE)
    staging = context.data_sources.add_or_update_sql(
        STAGING_DATASOURCE, connection_string="duckdb:///${CITYTIERS_STAGING_DB}",
        kwargs={"connect_args": {"config": {"memory_limit": DUCKDB_MEMORY_LIMIT_DEFAULT,
                                            "threads": THREADS}}})
    for name, configure in SUITES.items():
        suite = context.suites.add_or_update(configure(dictionary))
        if name.startswith(RAW_SUITE_PREFIX):
            asset = staging.add_table_asset(name, table_name=staged_table(name))
            batch_definition = asset.add_batch_definition_whole_table(STAGING_BATCH_DEFINITION)
        else:
            asset = datasource.add_dataframe_asset(name)
            batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite))
        context.checkpoints.add_or_update(gx.Checkpoint(
            name=name,
            validation_definitions=[definition],
            # No UpdateDataDocsAction: rebuilding the Data Docs site cost about 1 s per
            # validation, per release, growing with the history. They are built once per
            # night (the report step) or per `citytiers load` (build_data_docs).
            actions=[],
            result_format=_result_format(name),
        ))
    release_engines(context)
    return list(SUITES)


def _result_format(suite: str) -> dict[str, Any]:
    """SUMMARY (counts and the first values); for a raw suite also the lineage columns of
    the first offending rows (GX's ``partial_unexpected_index_list`` on SQL), so that
    every reason names the sheet, row and column."""
    result_format: dict[str, Any] = {"result_format": "SUMMARY",
                                     "partial_unexpected_count": UNEXPECTED_VALUES_SHOWN}
    if suite.startswith(RAW_SUITE_PREFIX):
        result_format["unexpected_index_column_names"] = list(
            LINEAGE_COLUMNS.get(staged_table(suite), ("source_row",)))
    else:
        from citytiers.validate.suites import mart_lineage_columns

        # COMPLETE: every offending row's lineage, so that the audit can name each release
        # whose rows fail (citytiers.audit.verdict); only failures carry rows.
        result_format["result_format"] = "COMPLETE"
        # The release ids name the culprits; the city and year name the row to a steward.
        named = [c for c in SUBJECT if c in mart_columns(suite)]
        result_format["unexpected_index_column_names"] = list(dict.fromkeys(
            [*mart_lineage_columns(suite), *named]))
    return result_format


def _in_steward_words(suite: str, result: Any, rows: list[dict] | None) -> str:
    """A failed expectation as one sentence a steward reads (steward_words)."""
    config = result.expectation_config
    details = result.result or {}
    found = (details.get("unexpected_index_list") or details.get("partial_unexpected_index_list")
             or rows or (details.get("details") or {}).get("unexpected_rows") or [])
    found = [dict(row) for row in found if isinstance(row, dict)]
    count = details.get("unexpected_count")
    if count is None and rows is not None:
        count = details.get("observed_value", len(rows))
    labels = {} if suite.startswith(RAW_SUITE_PREFIX) else mart_column_labels(suite)
    table = staged_table(suite) if suite.startswith(RAW_SUITE_PREFIX) else suite
    return sentence(table, config.type, dict(config.kwargs), config.description, found,
                    count, labels, details.get("observed_value"))


def _offending_rows(settings: Settings, suite: str, result: Any) -> list[dict] | None:
    """The first rows a failed SQL check found, read again from the staging database
    (GX's SUMMARY results carry only their count, and COMPLETE would carry every value of
    every expectation): so the reason names the rows and columns at fault."""
    query = result.expectation_config.kwargs.get("unexpected_rows_query")
    if not query:
        return None

    sql = query.format(batch=f"(select * from {staged_table(suite)})")
    with open_duckdb(settings.staging_db, read_only=True) as connection:
        cursor = connection.execute(f"select * from ({sql}) limit {UNEXPECTED_VALUES_SHOWN}")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _plain(value: Any) -> str:
    """A value of GX's result as text without Python reprs (no np.float64(...), no
    dict braces): the technical detail stays readable."""
    if isinstance(value, dict):
        if value.get("type") == "comparison":
            return condition(value).strip(" ()").removeprefix("where ")
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return number(value)


def _describe_failure(result: Any, rows: list[dict] | None = None) -> str:
    """GX's own account of a failed expectation (its type, arguments and what it
    observed), in plain text: the technical detail behind the steward's sentence."""
    config = result.expectation_config
    kwargs = ", ".join(f"{k}={_plain(v)}" for k, v in config.kwargs.items()
                       if k not in ("batch_id",))
    details = result.result or {}
    observed = ""
    rows = rows if rows is not None else (details.get("details") or {}).get("unexpected_rows")
    if details.get("partial_unexpected_index_list"):
        # A column check on SQL: the first offending rows with their lineage and value.
        shown = [_row_lineage(row)
                 for row in details["partial_unexpected_index_list"][:UNEXPECTED_VALUES_SHOWN]]
        observed = (f": {details.get('unexpected_count', len(shown))} unexpected, e.g."
                    + _listed(shown))
    elif "unexpected_count" in details:
        observed = (f": {details['unexpected_count']} unexpected, e.g. "
                    + _plain(details.get("partial_unexpected_list", [])[:UNEXPECTED_VALUES_SHOWN]))
    elif rows is not None:
        # A SQL check's offending rows: name them by their lineage where they carry it.
        shown = [_row_lineage(row) for row in list(rows)[:UNEXPECTED_VALUES_SHOWN]]
        observed = (f": {details.get('observed_value', len(rows))} unexpected row(s), e.g."
                    + _listed(shown))
    elif "observed_value" in details:
        observed = f": observed {_plain(details['observed_value'])}"
    # GX files an error under the expectation, or under each metric it could not compute.
    info = result.exception_info or {}
    errors = [info] if "raised_exception" in info else [
        value for value in info.values() if isinstance(value, dict)]
    messages = {str(e.get("exception_message")).split("\n")[0] for e in errors
                if e.get("raised_exception")}
    if messages:
        observed += f" (error: {'; '.join(sorted(messages))})"
    if config.description:  # a steward reads the sentence; the type says where to look
        column = config.kwargs.get("column", "table")
        return f"{config.description} [{config.type} on {column}]{observed}"
    return f"{config.type}({kwargs}){observed}"


def _listed(lines: list[str]) -> str:
    """Offending rows, one per line under their expectation (no Python quoting)."""
    return "".join(f"\n      {line}" for line in lines)


def _row_lineage(row: Any) -> str:
    """One offending row in words (steward_words.row_words), or its value."""
    return row_words(dict(row)) if isinstance(row, dict) else _plain(row)


def _store_safe(text: str) -> str:
    """GX files results under the run name: no path separators or other unsafe characters
    (a publisher like "github.com/leiii/census" would otherwise break the store)."""
    return UNSAFE_RUN_NAME_CHARS.sub("_", text)[:RUN_NAME_MAX_CHARS]


def build_data_docs(settings: Settings) -> Path:
    """Rebuild GX's Data Docs site (``reports/data_docs``) from every validation result
    kept: once per night or per ``citytiers load``, not once per validation."""
    context = open_context(settings)
    try:
        context.build_data_docs()
    finally:
        release_engines(context)
    return settings.reports / "data_docs" / "index.html"


def run_checkpoint(settings: Settings, name: str, frame: pd.DataFrame | None = None,
                   parameters: dict[str, Any] | None = None,
                   run_name: str | None = None) -> ValidationOutcome:
    """Validate with checkpoint ``name``: a mart suite validates ``frame``; a raw suite
    (``frame`` None) the staged table of the release in the staging database. The result
    is kept in the validations store; Data Docs show it after :func:`build_data_docs`.
    ``run_name`` is what Data Docs list the result under
    (the file, and whether it is a synthetic sample, so no steward mistakes sample data
    for official figures)."""
    from great_expectations.core.run_identifier import RunIdentifier

    if frame is not None and name.startswith(RAW_SUITE_PREFIX):
        stage_frame(settings, staged_table(name), frame)
        frame = None
    if not name.startswith(RAW_SUITE_PREFIX):
        from citytiers.validate.suites import MIN_MART_ROWS

        # Unless the audit says otherwise (nothing in force yet), the fact table has rows.
        parameters = {MIN_MART_ROWS: 1, **(parameters or {})}
    context = open_context(settings)
    checkpoint = context.checkpoints.get(name)
    try:
        result = checkpoint.run(
            batch_parameters={"dataframe": frame} if frame is not None else None,
            expectation_parameters=parameters or {},
            run_id=RunIdentifier(run_name=_store_safe(run_name)) if run_name else None)
    finally:
        release_engines(context)
    failed: list[str] = []
    failed_rows: list[list[dict[str, Any]]] = []
    warnings: list[str] = []
    technical: list[str] = []
    warning_technical: list[str] = []
    evaluated = 0
    pages = [site.get("site_url") for key in result.run_results
             for site in context.get_docs_sites_urls(resource_identifier=key,
                                                     only_if_exists=False)]
    for run_result in result.run_results.values():
        for expectation_result in run_result.results:
            evaluated += 1
            if expectation_result.success:
                continue
            severity = str(getattr(expectation_result.expectation_config, "severity", ""))
            target = warnings if severity.lower().endswith("warning") else failed
            rows = (_offending_rows(settings, name, expectation_result)
                    if name.startswith(RAW_SUITE_PREFIX) else None)
            target.append(_in_steward_words(name, expectation_result, rows))
            (warning_technical if target is warnings else technical).append(
                _describe_failure(expectation_result, rows))
            if target is failed:
                failed_rows.append(list(
                    (expectation_result.result or {}).get("unexpected_index_list") or []))
    return ValidationOutcome(suite=name, success=not failed, evaluated=evaluated,
                             failed=failed,
                             docs_index=settings.reports / "data_docs" / "index.html",
                             warnings=warnings, failed_rows=failed_rows,
                             docs_page=next((page for page in pages if page), None),
                             technical=technical + warning_technical)
