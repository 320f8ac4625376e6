"""The audit before publish, and culprit isolation (write-audit-publish).

Every night the marts are built in a copy of the writer's database (the candidate:
:func:`citytiers.transform.candidate.prepare_candidate`) and audited there: ``dbt build``'s tests,
then the GX mart suites. When a check fails, its offending rows name the releases they were
computed from (lineage columns: :func:`citytiers.validate.suites.mart_lineage_columns`).

The rule (docs/write-audit-publish.md):

* Only a release that is **new since the last publish** can be blamed: in force in the
  candidate, not in force in the published database. Figures that were audited and
  published before do not become wrong overnight; if a failing row names none of the new
  releases, the cause is a changed rule or model, and nothing is published.
* Every new release a failing row names is quarantined after the fact (a state change in
  ``raw``, its rows kept), the candidate is rebuilt without it and audited again, at most
  :func:`max_audit_rounds` times. The night is then *degraded*: the rest is published.
* A failure no new release explains (a table-level check, a model error, a test whose rows
  carry no lineage), or one still there after the last round, fails the audit: nothing is
  published, and the reason lists every failing check.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from citytiers.database import connect
from citytiers.errors import TerminalError
from citytiers.load.release_states import (
    AUDIT_ACTOR,
    QUARANTINE_AFTER_AUDIT,
    in_force_ids,
    record_changes,
)
from citytiers.settings import Settings, max_audit_rounds
from citytiers.transform.candidate import prepare_candidate
from citytiers.transform.dbt_runner import (
    DbtFailed,
    build,
    last_run_results,
    store_test_failures,
    stored_relation,
)
from citytiers.validate.gx_project import RAW_SUITE_PREFIX
from citytiers.validate.suites import (
    CITY_YEAR_COLUMNS,
    MIN_MART_ROWS,
    RELEASE_ID_COLUMN,
    RELEASE_ID_SUFFIX,
    SUITES,
)

log = logging.getLogger(__name__)

# Suite name = table name; each suite validates the whole table after `dbt build`. The
# suites are declared once (validate.suites.SUITES); the marts are those not of raw tables.
MART_TABLES = tuple(name for name in SUITES if not name.startswith(RAW_SUITE_PREFIX))


# The column macros/generic_tests/not_null_columns.sql adds to its rows: which columns
# of the row are null.
NULL_COLUMNS = "null_columns"


class AuditFailed(TerminalError):
    """The audit failed for a reason no new release explains: nothing was published."""


@dataclass(frozen=True)
class Failure:
    """One failed check, and per offending row the releases it was computed from."""

    check: str  # "dbt test <id>: ..." or "<suite>: <expectation> ..."
    row_releases: tuple[frozenset[str], ...]  # empty: a check that names no rows


@dataclass
class AuditVerdict:
    """What the audit decided: ``clean``, or ``degraded`` (releases quarantined after
    the audit, the rest published)."""

    rounds: int = 0
    dbt_target: str = "duckdb"  # the engine that built the marts (Settings.dbt_target)
    expectations: int = 0
    dbt_nodes: dict[str, int] = field(default_factory=dict)
    quarantined: dict[str, str] = field(default_factory=dict)  # release id -> reason
    file_names: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    synthetic: bool = False
    # The last round's mart suites (ValidationOutcome.to_check()) and dbt tests
    # (dbt_tests_of): what the quality report shows.
    checks: list[dict[str, Any]] = field(default_factory=list)
    dbt_tests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def degraded(self) -> bool:
        return bool(self.quarantined)

    def summary(self) -> str:
        label = " (marts include SYNTHETIC SAMPLE releases)" if self.synthetic else ""
        text = (f"{len(MART_TABLES)} suite(s) passed ({self.expectations} expectations) "
                f"after {self.rounds} build(s){label}")
        if self.degraded:
            text = (f"DEGRADED: {len(self.quarantined)} release(s) quarantined after the "
                    f"audit, the rest published; " + text)
            text += "".join(f"\n  - quarantined after the audit: {self.file_names[r]} "
                            f"({r[:12]}): {reason.splitlines()[0]}"
                            for r, reason in sorted(self.quarantined.items()))
        return text + "".join(f"\n  - warning: {w}" for w in self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "degraded": self.degraded, "summary": self.summary()}


def _release_ids(row: dict[str, Any]) -> frozenset[str]:
    return frozenset(str(value) for key, value in row.items()
                     if (key == RELEASE_ID_COLUMN or key.endswith(RELEASE_ID_SUFFIX))
                     and isinstance(value, str) and value)


def _row_releases(connection: Any, rows: list[dict[str, Any]]) -> tuple[frozenset[str], ...]:
    """Per offending row (its lineage columns), the releases it comes from: its release-id
    columns, else every vintage of its city and year (fct_city_indicator_vintage)."""
    keys = sorted({(str(row["city_code"]), int(row["data_year"])) for row in rows
                   if not _release_ids(row)
                   and all(row.get(c) is not None for c in CITY_YEAR_COLUMNS)})
    vintages: dict[tuple[str, int], set[str]] = {}
    if keys:
        connection.register("offending_keys",
                            pd.DataFrame(keys, columns=list(CITY_YEAR_COLUMNS)))
        try:
            for city, year, release_id in connection.execute(
                    "select distinct v.city_code, v.data_year, v.release_id "
                    "from marts.fct_city_indicator_vintage v "
                    "join offending_keys k using (city_code, data_year)").fetchall():
                vintages.setdefault((city, int(year)), set()).add(release_id)
        finally:
            connection.unregister("offending_keys")
    found = []
    for row in rows:
        named = _release_ids(row)
        if not named and row.get("city_code") is not None and row.get("data_year") is not None:
            named = frozenset(vintages.get((str(row["city_code"]), int(row["data_year"])), ()))
        found.append(named)
    return tuple(found)


def dbt_tests_of(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The data tests of one dbt invocation's run_results: name, status, failing rows."""
    return [{"name": str(node.get("unique_id", "")).split(".")[2],
             "status": str(node.get("status")), "failures": node.get("failures"),
             "message": node.get("message")}
            for node in results.get("results") or []
            if str(node.get("unique_id", "")).startswith("test.")]


def dbt_test_failures(settings: Settings, candidate: Path,
                      failed: DbtFailed) -> list[tuple[str, list[dict[str, Any]]]]:
    """Run the failed tests again with ``--store-failures`` and read their offending rows:
    (check, rows) per failed test; a test whose rows carry no lineage gets no rows."""
    # test.<project>.<name>[.<hash>]: dbt selects a test by its name.
    names = [unique_id.split(".")[2] for unique_id in failed.failed_tests
             if unique_id.startswith("test.")]
    if not names:
        return [(f"dbt {unique_id}", []) for unique_id in failed.failed_tests]
    try:
        results = store_test_failures(settings, names, candidate)
    except DbtFailed:  # the tests fail again, as expected: their rows are stored
        results = last_run_results(settings)
    found: list[tuple[str, list[dict[str, Any]]]] = []
    with connect(candidate) as connection:
        for node in results.get("results") or []:
            if str(node.get("status")) != "fail":
                continue
            check = f"dbt {node.get('unique_id')}: {node.get('message') or 'failed'}"
            relation = node.get("relation_name")
            rows: list[dict[str, Any]] = []
            if relation:
                cursor = connection.execute(f"select * from {stored_relation(settings, relation)}")
                columns = [c[0] for c in cursor.description]
                rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            found.append((check + _null_columns_named(rows), rows))
    return found or [(f"dbt {unique_id}", []) for unique_id in failed.failed_tests]


def _null_columns_named(rows: list[dict[str, Any]]) -> str:
    """`` (null in a, b)`` for the stored rows of a ``not_null_columns`` test (one test
    per model: its rows name the null columns, dbt's message only counts them)."""
    named = sorted({str(row[NULL_COLUMNS]) for row in rows if row.get(NULL_COLUMNS)})
    return f" (null in {'; '.join(named)})" if named else ""


def _gx_failures(settings: Settings, candidate: Path, verdict: AuditVerdict,
                 run_name: str) -> list[tuple[str, list[dict[str, Any]]]]:
    from citytiers.validate.gx_project import run_checkpoint

    failures: list[tuple[str, list[dict[str, Any]]]] = []
    verdict.expectations = 0
    verdict.warnings = []
    verdict.checks = []
    with connect(candidate) as connection:
        observed = connection.execute(
            "select coalesce(sum(observation_count), 0), coalesce(bool_or(is_synthetic), false) "
            "from raw.release_states where in_force").fetchone()
    verdict.synthetic = bool(observed[1])
    parameters = {MIN_MART_ROWS: 1 if observed[0] else 0}
    label = "marts, including SYNTHETIC SAMPLE releases" if verdict.synthetic else "marts"
    for suite in MART_TABLES:
        with connect(candidate) as connection:
            frame = connection.execute(f"select * from marts.{suite}").df()
        outcome = run_checkpoint(settings, suite, frame, parameters,
                                 run_name=f"{suite} ({label}, {run_name})")
        verdict.expectations += outcome.evaluated
        verdict.checks.append(outcome.to_check())
        verdict.warnings += [_of(suite, warning) for warning in outcome.warnings]
        failures += [(_of(suite, text), rows)
                     for text, rows in zip(outcome.failed, outcome.failed_rows, strict=True)]
    return failures


def _of(suite: str, text: str) -> str:
    """``<suite>: <sentence>`` (the sentence of a column check already starts so)."""
    return text if text.startswith(f"{suite}: ") else f"{suite}: {text}"


def attribute(candidate: Path, checks: list[tuple[str, list[dict[str, Any]]]]
              ) -> tuple[list[Failure], dict[str, tuple]]:
    """The failures with their rows' releases, and every loaded release's publication
    order key (published_on, processed_at)."""
    with connect(candidate) as connection:
        failures = [Failure(check, _row_releases(connection, rows)) for check, rows in checks]
        order = {r[0]: (r[1], r[2]) for r in connection.execute(
            "select release_id, coalesce(published_on, date '1900-01-01'), processed_at "
            "from raw.releases where status = 'loaded'").fetchall()}
    return failures, order


def culprits_of(failures: list[Failure], new: set[str],
                order: dict[str, tuple]) -> tuple[dict[str, list[str]], list[Failure]]:
    """The rule: every offending row blames the new release it names that was published
    last (a row that compares two new releases, this year's and last year's, blames the
    later one, which broke what the earlier agreed with); a failure with a row that names
    no new release, or with no rows, is unexplained. Returns (release id -> checks that
    blame it, unexplained failures)."""
    blamed: dict[str, list[str]] = {}
    unexplained: list[Failure] = []
    for failure in failures:
        suspects = [ids & new for ids in failure.row_releases]
        if not suspects or not all(suspects):
            unexplained.append(failure)
            continue
        for release_id in {max(s, key=lambda r: (order.get(r, ()), r)) for s in suspects}:
            blamed.setdefault(release_id, []).append(failure.check)
    return blamed, unexplained


def _file_names(candidate: Path, ids: set[str]) -> dict[str, str]:
    with connect(candidate) as connection:
        return dict(connection.execute(
            "select distinct release_id, file_name from raw.releases "
            "where status = 'loaded' and list_contains($ids, release_id)",
            {"ids": sorted(ids)}).fetchall())


def _add_earlier_quarantines(settings: Settings, run_id: str | None,
                             verdict: AuditVerdict) -> None:
    """A task run again (cleared in Airflow) finds tonight's culprits already out: they
    still make tonight degraded."""
    if run_id is None:
        return
    with connect(settings.build_db) as connection:
        rows = connection.execute(
            "select distinct release_id, file_name, state_reason from raw.release_states "
            "where state = 'quarantined_after_audit' and state_run_id = $run",
            {"run": run_id}).fetchall()
    for release_id, file_name, reason in rows:
        verdict.quarantined.setdefault(release_id, reason)
        verdict.file_names.setdefault(release_id, file_name)


def build_and_audit(settings: Settings, run_id: str | None = None) -> AuditVerdict:
    """Build the candidate, audit it, quarantine what fails and build again (at most
    max_audit_rounds() builds); return the verdict of a candidate that passed, ready to
    publish. Raises AuditFailed (nothing to publish) otherwise."""
    verdict = AuditVerdict(dbt_target=settings.dbt_target)
    published = in_force_ids(settings.published_db, read_only=True)
    failures: list[Failure] = []
    most = max_audit_rounds()
    for round_number in range(1, most + 1):
        verdict.rounds = round_number
        candidate = prepare_candidate(settings)
        new = in_force_ids(candidate) - published
        try:
            verdict.dbt_nodes = build(settings, candidate)
            verdict.dbt_tests = dbt_tests_of(last_run_results(settings))
        except DbtFailed as failed:
            verdict.dbt_tests = dbt_tests_of(last_run_results(settings))
            if failed.errors:
                raise AuditFailed(f"dbt build failed (a model or the run itself, which no "
                                  f"release explains); nothing was published.\n{failed}"
                                  ) from failed
            checks = dbt_test_failures(settings, candidate, failed)
        else:
            checks = _gx_failures(settings, candidate, verdict, run_id or "manual run")
        if not checks:
            _add_earlier_quarantines(settings, run_id, verdict)
            return verdict
        failures, order = attribute(candidate, checks)
        culprits, unexplained = culprits_of(failures, new, order)
        if unexplained or not culprits:
            raise AuditFailed(_unexplained_reason(unexplained or failures, new))
        names = _file_names(candidate, set(culprits))
        reasons = {release_id: f"the mart audit failed on rows computed from release "
                   f"{names.get(release_id, '?')} ({release_id[:12]}), run "
                   f"{run_id or 'manual'}:\n" + "\n".join(f"  - {c}" for c in checks_)
                   for release_id, checks_ in culprits.items()}
        record_changes(settings, reasons, QUARANTINE_AFTER_AUDIT, AUDIT_ACTOR, run_id)
        verdict.quarantined.update(reasons)
        verdict.file_names.update(names)
        for release_id, reason in reasons.items():
            log.error("quarantined after the audit: %s (%s): %s",
                      verdict.file_names.get(release_id), release_id[:12], reason)
    raise AuditFailed(
        f"the audit still failed after {most} build(s) (CITYTIERS_AUDIT_MAX_"
        "ROUNDS); nothing was published. Releases quarantined after the audit so far: "
        + (", ".join(sorted(verdict.file_names.values())) or "none") + ". Last failures:\n"
        + "\n".join(f"  - {f.check}" for f in failures))


def _unexplained_reason(unexplained: list[Failure], new: set[str]) -> str:
    lines = [f"the mart audit failed and no release new since the last publish ({len(new)} "
             "of them) explains it: nothing was published, the analysts' database is "
             "unchanged. A failure whose rows name only releases published before comes "
             "from a changed rule or model; a table-level check names no rows at all.",
             "Unexplained failures:"]
    for failure in unexplained:
        old = sum(not ids & new for ids in failure.row_releases)
        named = (f" ({old} of its {len(failure.row_releases)} row(s) name no new release)"
                 if failure.row_releases else " (a check that names no rows)")
        lines.append(f"  - {failure.check}{named}")
    return "\n".join(lines)
