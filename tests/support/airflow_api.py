"""The project-local Airflow with a REST client: what the live-scheduler test drives
(unpause, trigger, runs and task instances, clear, wait). The services themselves, and
as much of the API as readiness needs, are
:class:`citytiers.orchestration.airflow_local.AirflowServices`."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from citytiers.orchestration.airflow_local import AirflowError, AirflowServices, tail

TERMINAL_RUN_STATES = frozenset({"success", "failed"})
FAILED_TASK_STATES = frozenset({"failed", "up_for_retry", "upstream_failed"})


class RunFailed(AirflowError):
    """A DAG run ended (or is about to end) in another state than the one expected."""

    def __init__(self, message: str, run: Mapping[str, Any],
                 task_instances: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.run = dict(run)
        self.task_instances = task_instances


def task_log_dir(airflow_home: Path, dag_id: str, run_id: str, task_id: str,
                 map_index: int = -1) -> Path:
    """Folder of one task instance's attempt logs, per Airflow's default
    ``[logging] log_filename_template`` (``attempt=<n>.log`` files)."""
    folder = (Path(airflow_home) / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
              / f"task_id={task_id}")
    return folder / f"map_index={map_index}" if map_index >= 0 else folder


def _render_log_line(line: str) -> tuple[str, str]:
    """``(level, text)`` of a task log line: Airflow 3 writes JSON lines (structlog),
    tracebacks as ``error_detail``."""
    try:
        record = json.loads(line)
    except ValueError:
        return "", line
    if not isinstance(record, dict):
        return "", line
    text = " ".join(str(record[key]) for key in ("timestamp", "level", "event")
                    if record.get(key) is not None)
    for error in record.get("error_detail") or []:
        if not isinstance(error, dict):
            continue
        frames = [f"    {frame.get('filename')}:{frame.get('lineno')} in {frame.get('name')}"
                  for frame in error.get("frames") or [] if isinstance(frame, dict)]
        text += "\n  Traceback (most recent call last):\n" + "\n".join(frames)
        text += f"\n  {error.get('exc_type')}: {error.get('exc_value')}"
    return str(record.get("level") or ""), text


def task_log_tail(airflow_home: Path, dag_id: str, run_id: str, task_id: str,
                  map_index: int = -1, lines: int = 40) -> str:
    """A task instance's latest attempt, readable: its error records (with tracebacks)
    when it has any, else its last ``lines`` lines."""
    folder = task_log_dir(airflow_home, dag_id, run_id, task_id, map_index)
    attempts = sorted(folder.glob("attempt=*.log"),
                      key=lambda p: int(p.stem.removeprefix("attempt=") or 0))
    if not attempts:
        return f"(no log under {folder})"
    records = [_render_log_line(line)
               for line in attempts[-1].read_text(errors="replace").splitlines()]
    errors = [text for level, text in records if level in ("error", "critical")]
    shown = "\n".join(errors or [text for _, text in records]).splitlines()
    return f"{attempts[-1]}:\n" + "\n".join(shown[-lines:])




class AirflowApi(AirflowServices):
    """:class:`AirflowServices` plus the REST calls a test makes against it."""

    def set_paused(self, paused: bool, dag_id: str | None = None) -> dict[str, Any]:
        return dict(self.request("PATCH", f"/api/v2/dags/{dag_id or self.dag_id}",
                                 params={"update_mask": "is_paused"},
                                 json={"is_paused": paused}))

    def unpause(self, dag_id: str | None = None) -> dict[str, Any]:
        return self.set_paused(False, dag_id)

    def pause(self, dag_id: str | None = None) -> dict[str, Any]:
        return self.set_paused(True, dag_id)

    def trigger(self, dag_id: str | None = None, *, conf: Mapping[str, Any] | None = None,
                logical_date: datetime | None = None, run_id: str | None = None,
                note: str | None = None) -> dict[str, Any]:
        """Trigger a manual run. ``logical_date`` None sends ``"logical_date": null``
        (Airflow 3: a run without a logical date, what the UI's trigger does)."""
        body: dict[str, Any] = {
            "logical_date": None if logical_date is None else logical_date.isoformat(),
            "conf": dict(conf or {}),
        }
        if run_id is not None:
            body["dag_run_id"] = run_id
        if note is not None:
            body["note"] = note
        return dict(self.request("POST", f"/api/v2/dags/{dag_id or self.dag_id}/dagRuns",
                                 json=body))

    def runs(self, dag_id: str | None = None, **filters: Any) -> list[dict[str, Any]]:
        """Every run of the DAG, oldest first (extra query filters: ``state``,
        ``run_type``...)."""
        found: list[dict[str, Any]] = []
        while True:
            page = self.request("GET", f"/api/v2/dags/{dag_id or self.dag_id}/dagRuns",
                                params={"order_by": "id", "limit": 100,
                                        "offset": len(found), **filters})
            found += page["dag_runs"]
            if not page["dag_runs"] or len(found) >= page["total_entries"]:
                return found

    def get_run(self, run_id: str, dag_id: str | None = None) -> dict[str, Any]:
        return dict(self.request("GET", f"/api/v2/dags/{dag_id or self.dag_id}/dagRuns/{run_id}"))

    def task_instances(self, run_id: str, dag_id: str | None = None) -> list[dict[str, Any]]:
        """Every task instance of a run, mapped ones included (one per map index)."""
        found: list[dict[str, Any]] = []
        while True:
            page = self.request(
                "GET", f"/api/v2/dags/{dag_id or self.dag_id}/dagRuns/{run_id}/taskInstances",
                params={"limit": 100, "offset": len(found)})
            found += page["task_instances"]
            if not page["task_instances"] or len(found) >= page["total_entries"]:
                return found

    def task_states(self, run_id: str, dag_id: str | None = None) -> dict[str, list[str]]:
        """``task_id -> [state per map index]`` (one element for an unmapped task)."""
        states: dict[str, list[str]] = {}
        for ti in sorted(self.task_instances(run_id, dag_id),
                         key=lambda ti: (ti["task_id"], ti["map_index"])):
            states.setdefault(ti["task_id"], []).append(str(ti["state"]))
        return states

    def clear_task_instances(self, run_id: str, dag_id: str | None = None, *,
                             task_ids: Iterable[str] | None = None,
                             only_failed: bool = False) -> list[dict[str, Any]]:
        """Clear a run's task instances (all, or ``task_ids``) so the scheduler runs them
        again; the run goes back to queued. Returns the cleared task instances."""
        body: dict[str, Any] = {"dry_run": False, "dag_run_id": run_id,
                                "only_failed": only_failed, "reset_dag_runs": True}
        if task_ids is not None:
            body["task_ids"] = list(task_ids)
        answer = self.request(
            "POST", f"/api/v2/dags/{dag_id or self.dag_id}/clearTaskInstances", json=body)
        return list(answer["task_instances"])

    def failure_report(self, run_id: str, dag_id: str | None = None,
                       task_instances: list[dict[str, Any]] | None = None,
                       lines: int = 40) -> str:
        """The failed (or up-for-retry) task instances of a run with the tail of their
        latest attempt's log; the scheduler's log tail when no task failed."""
        dag_id = dag_id or self.dag_id
        tis = task_instances if task_instances is not None else self.task_instances(run_id,
                                                                                     dag_id)
        bad = [ti for ti in tis if ti["state"] in FAILED_TASK_STATES]
        parts = ["task instances not succeeded: " + ", ".join(
            f"{ti['task_id']}[{ti['map_index']}]={ti['state']}" for ti in bad)] if bad else []
        for ti in bad:
            if ti["state"] == "upstream_failed":
                continue
            parts.append(f"--- {ti['task_id']} (map_index {ti['map_index']}, "
                         f"{ti['state']}): " + task_log_tail(
                             self.airflow_home, dag_id, run_id, ti["task_id"],
                             int(ti["map_index"]), lines))
        if not any(ti["state"] in ("failed", "up_for_retry") for ti in bad):
            parts.append("--- scheduler log tail:\n"
                         + tail(self.service_logs / "scheduler.log", lines))
        return "\n".join(parts)

    def wait_for_run(self, run_id: str, dag_id: str | None = None, *,
                     timeout: float = 600.0, poll: float = 1.0,
                     expect: str | None = "success",
                     fail_on_retry: bool = True) -> dict[str, Any]:
        """Wait until the run is in a terminal state and return it. With ``expect``, any
        other end state raises :class:`RunFailed` naming the failed tasks with their log
        tails; so does a task going ``up_for_retry`` when ``fail_on_retry`` (the DAG
        retries after minutes: waiting would only hide the error). Timeout: RunFailed
        with the task states so far."""
        dag_id = dag_id or self.dag_id
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            run = self.get_run(run_id, dag_id)
            state = run["state"]
            if state in TERMINAL_RUN_STATES and (expect is None or state == expect):
                return run
            tis = self.task_instances(run_id, dag_id)
            retrying = [ti for ti in tis if ti["state"] == "up_for_retry"]
            why = None
            if state in TERMINAL_RUN_STATES:
                why = f"ended {state}, expected {expect}"
            elif fail_on_retry and retrying:
                why = "has a task up for retry: " + ", ".join(
                    f"{ti['task_id']}[{ti['map_index']}]" for ti in retrying)
            elif time.monotonic() > deadline:
                why = (f"still {state} after {timeout:.0f} s; task states: "
                       + json.dumps(self.task_states(run_id, dag_id)))
            if why:
                raise RunFailed(f"DAG run {dag_id}/{run_id} {why}\n"
                                + self.failure_report(run_id, dag_id, tis), run, tis)
            time.sleep(poll)

    def wait_for_new_run(self, known: Iterable[str] = (), dag_id: str | None = None, *,
                         timeout: float = 120.0, poll: float = 1.0,
                         **filters: Any) -> dict[str, Any]:
        """The first run whose id is not in ``known`` (e.g. the one the scheduler creates
        after an unpause)."""
        known = set(known)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            new = [run for run in self.runs(dag_id, **filters) if run["dag_run_id"] not in known]
            if new:
                return new[0]
            time.sleep(poll)
        raise AirflowError(f"no new run of {dag_id or self.dag_id} after {timeout:.0f} s; "
                           f"scheduler log tail:\n{tail(self.service_logs / 'scheduler.log')}")
