"""The run history: what each night did, kept in ``warehouse/history.duckdb`` (schema
``audit``, history_schema.sql) so that the quality pages are rendered from a table, not
from a growing pile of files, and any past night can be looked up with SQL."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from citytiers.database import connect, has_table
from citytiers.settings import Settings

SCHEMA_SQL = Path(__file__).with_name("history_schema.sql")
TABLES = ("runs", "run_releases", "run_checks", "run_dbt_tests", "run_freshness",
          "run_revisions", "run_wholesale_revisions")
# The largest revisions of figures already published that a run's report shows.
REVISIONS_SHOWN = 20


def night_state(kept: dict[str, Any] | None) -> str:
    """``unchanged`` (no build: nothing new), ``failed`` (nothing published),
    ``degraded`` (releases quarantined after the audit, the rest published) or ``clean``,
    from the audit's kept verdict (pipeline.last_audit)."""
    if kept is None:
        return "unchanged"
    if kept.get("failed"):
        return "failed"
    return "degraded" if kept.get("degraded") else "clean"


@dataclass(frozen=True)
class NightFacts:
    """What the report task knows of its night."""

    run_id: str
    logical_date: str
    outcomes: list[dict[str, Any]]  # IngestOutcome.to_dict() per release
    audit: dict[str, Any] | None  # the kept verdict of tonight's build (None: no build)


def _frame(rows: list[dict[str, Any]], run_id: str) -> pd.DataFrame:
    return pd.DataFrame([{"run_id": run_id, **row} for row in rows])


def _releases(facts: NightFacts, state_changes: list[dict[str, Any]]) -> list[dict]:
    """One row per release the night touched; a release loaded and then quarantined by
    the audit shows as the latter, with the audit's reason."""
    audit = facts.audit or {}
    after_audit = audit.get("quarantined") or {}
    rows = [{"release_id": o["release_id"], "file_name": o["file_name"],
             "status": "quarantined_after_audit" if o["release_id"] in after_audit
             else o["status"],
             "reason": after_audit.get(o["release_id"], o.get("reason")),
             "warnings": list(o.get("warnings") or []),
             "is_synthetic": o.get("is_synthetic"), "stored_path": o.get("stored_path"),
             "findings": json.dumps(o.get("findings") or [], ensure_ascii=False)}
            for o in facts.outcomes]
    seen = {row["release_id"] for row in rows}
    # A cleared and re-run night's ingest skipped them: the audit's own record names them.
    rows += [{"release_id": release_id, "file_name": audit.get("file_names", {}).get(release_id),
              "status": "quarantined_after_audit", "reason": reason, "warnings": [],
              "is_synthetic": audit.get("synthetic"), "stored_path": None}
             for release_id, reason in sorted(after_audit.items()) if release_id not in seen]
    return rows + state_changes


def _checks(facts: NightFacts) -> list[dict[str, Any]]:
    rows = [{"target": o["file_name"], **check}
            for o in facts.outcomes for check in o.get("checks") or []]
    rows += [{"target": f"marts.{check['suite']}", **check}
             for check in (facts.audit or {}).get("checks") or []]
    return [{"target": r["target"], "suite": r["suite"], "success": r["success"],
             "evaluated": r["evaluated"], "failed_count": r["failed_count"],
             "first_failures": list(r.get("first_failures") or []),
             "warnings": list(r.get("warnings") or []), "docs_page": r.get("docs_page"),
             "technical": list(r.get("technical") or [])}
            for r in rows]


def _state_changes_since(settings: Settings, since: dt.datetime | None) -> list[dict]:
    """Withdrawals, restores and acceptances by hand since the previous recorded run (the
    audit's own quarantines are tonight's, from the kept verdict)."""
    if not settings.build_db.exists():
        return []
    with connect(settings.build_db) as con:  # the writer's file: see database.connect
        if not has_table(con, "raw", "release_state_changes"):
            return []
        found = con.execute("""
            select c.release_id, r.file_name,
                   case c.action when 'withdraw' then 'withdrawn'
                                 when 'accept' then 'accepted' else 'restored' end,
                   c.reason || ' (by ' || c.changed_by || ', '
                     || strftime(c.changed_at, '%Y-%m-%d %H:%M') || ' UTC)',
                   r.is_synthetic, r.stored_path
            from raw.release_state_changes c
            join (select * from raw.releases
                  qualify row_number() over (partition by release_id
                                             order by processed_at desc) = 1) r
              on r.release_id = c.release_id
            where c.action in ('withdraw', 'restore', 'accept')
              and ($since::timestamp is null or c.changed_at > $since::timestamp)
            order by c.change_seq""", {"since": since}).fetchall()
    return [{"release_id": r[0], "file_name": r[1], "status": r[2], "reason": r[3],
             "warnings": [], "is_synthetic": r[4], "stored_path": r[5]} for r in found]


def _published_facts(settings: Settings, facts: NightFacts
                     ) -> tuple[dict[str, Any], list[dict], list[dict], list[dict]]:
    """From the published database: its totals, the freshness per publisher against
    seeds/publisher_cadence.csv, the largest revisions tonight's releases made, and their
    wholesale revisions (rpt_release_revision_summary)."""
    totals = {"releases_in_force": 0, "observations": 0, "synthetic_in_force": False,
              "official_in_force": False}
    if not settings.published_db.exists():
        return totals, [], [], []
    day = str(facts.logical_date)[:10]
    loaded = [o["release_id"] for o in facts.outcomes if o["status"] == "loaded"]
    with connect(settings.published_db, read_only=True) as con:
        in_force, observations, synthetic, official = con.execute("""
            select count(*), coalesce(sum(observation_count), 0),
                   coalesce(bool_or(is_synthetic), false),
                   coalesce(bool_or(not is_synthetic), false)
            from raw.release_states where in_force""").fetchone()
        totals = {"releases_in_force": in_force, "observations": observations,
                  "synthetic_in_force": synthetic, "official_in_force": official}
        freshness = con.execute(f"""
            with cadence as (
                select * from read_csv('{settings.seeds / "publisher_cadence.csv"}',
                                       header = true, all_varchar = true)),
            publishers as (
                select coalesce(publisher, '(none)') as publisher, count(*) as releases,
                       max(published_on) as latest_published_on
                from raw.release_states where in_force group by all),
            matched as (
                select p.*, c.expected_every_days::integer as expected_every_days,
                       c.cadence,
                       row_number() over (partition by p.publisher
                                          order by c.priority::integer) as pick
                from publishers p join cadence c
                  on regexp_matches(p.publisher, c.publisher_pattern))
            select publisher, releases, latest_published_on,
                   date_diff('day', latest_published_on, $day::date) as age_days,
                   expected_every_days, cadence,
                   coalesce(date_diff('day', latest_published_on, $day::date)
                            > expected_every_days, true) as is_overdue
            from matched where pick = 1 order by publisher""", {"day": day}).df()
        revisions = con.execute(f"""
            select v.file_name, v.city_code, c.city_name, v.data_year, v.indicator_code,
                   v.scope, v.previous_value, v.value, v.revision_pct,
                   p.file_name as previous_file_name
            from marts.fct_city_indicator_vintage v
            left join marts.dim_release p on p.release_id = v.previous_release_id
            left join (select distinct city_code, city_name, data_year
                       from marts.fct_city_indicator) c using (city_code, data_year)
            where list_contains($loaded, v.release_id) and v.previous_value is not null
              and v.value <> v.previous_value
            order by abs(v.revision_pct) desc nulls last, v.city_code, v.indicator_code
            limit {REVISIONS_SHOWN}""", {"loaded": loaded}).df()
        wholesale = con.execute("""
            select summary_level, file_name, indicator_code, province_name,
                   cities_republished, cities_revised_materially, max_abs_revision_pct
            from marts.rpt_release_revision_summary
            where is_wholesale and list_contains($loaded, release_id)
            order by published_on, file_name, indicator_code, summary_level desc,
                     province_code""", {"loaded": loaded}).df()
    return (totals, freshness.to_dict("records"), revisions.to_dict("records"),
            wholesale.to_dict("records"))


def _insert(con: Any, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("history_rows", frame)
    try:
        con.execute(f"insert into audit.{table} by name select * from history_rows")
    finally:
        con.unregister("history_rows")


def record_run(settings: Settings, facts: NightFacts) -> None:
    """Record the night (replacing a record of the same run: a cleared and re-run DAG run
    is one night), in one transaction."""
    with connect(settings.history_db) as con:
        con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        since = con.execute("select max(recorded_at) from audit.runs where run_id <> ?",
                            [facts.run_id]).fetchone()[0]
        since_utc = since.astimezone(dt.UTC).replace(tzinfo=None) if since else None
        releases = _releases(facts, _state_changes_since(settings, since_utc))
        totals, freshness, revisions, wholesale = _published_facts(settings, facts)
        audit = facts.audit or {}
        count = {status: sum(r["status"] == status for r in releases)
                 for status in ("loaded", "quarantined", "skipped",
                                "quarantined_after_audit", "withdrawn")}
        run = {"logical_date": facts.logical_date, "recorded_at": dt.datetime.now(dt.UTC),
               "state": night_state(facts.audit),
               "summary": audit.get("summary")
               or "no build: nothing new since the last publish",
               **count, **totals}
        rows = dict(zip(TABLES, ([run], releases, _checks(facts),
                                 audit.get("dbt_tests") or [], freshness, revisions,
                                 wholesale),
                        strict=True))
        con.execute("begin")
        for table, table_rows in rows.items():
            con.execute(f"delete from audit.{table} where run_id = ?", [facts.run_id])
            _insert(con, table, _frame(table_rows, facts.run_id))
        con.execute("commit")


def _rows(con: Any, sql: str, parameters: Any = None) -> list[dict[str, Any]]:
    """Rows as dicts of Python values (lists stay lists, unlike a pandas frame's)."""
    cursor = con.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_run(settings: Settings, run_id: str | None = None) -> dict[str, Any] | None:
    """One recorded run (the latest when ``run_id`` is None): ``run`` (its row) and one
    list of rows per other history table; None when no run was recorded."""
    if not settings.history_db.exists():
        return None
    with connect(settings.history_db, read_only=True) as con:
        if not has_table(con, "audit", "runs"):
            return None
        picked = _rows(con, "select * from audit.runs where $run::varchar is null or "
                            "run_id = $run order by recorded_at desc limit 1", {"run": run_id})
        if not picked:
            return None
        detail: dict[str, Any] = {"run": picked[0]}
        for table in TABLES[1:]:
            detail[table] = _rows(con, f"select * exclude (run_id) from audit.{table} "
                                       "where run_id = ?", [picked[0]["run_id"]])
    return detail


def list_runs(settings: Settings) -> list[dict[str, Any]]:
    """Every recorded run, the latest first."""
    if not settings.history_db.exists():
        return []
    with connect(settings.history_db, read_only=True) as con:
        if not has_table(con, "audit", "runs"):
            return []
        return _rows(con, "select * from audit.runs order by recorded_at desc")
