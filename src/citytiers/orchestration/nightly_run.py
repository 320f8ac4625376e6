"""One run of the nightly DAG through Airflow's own runner (``airflow dags test``): what
``make run`` and ``citytiers run`` do. The metadata database is migrated (when it needs
to be: AirflowServices.migrate) and the writer pool set first; the run's output goes to
``<warehouse>/airflow/last-run.log``."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from citytiers.orchestration.airflow_local import (
    DAG_ID,
    AirflowServices,
)
from citytiers.settings import SAMPLE_RELEASES_DIR, Settings

# Lines of the run's output that say which task runs, and that one has finished.
TASK_LINE = re.compile(r"task_id='(?P<task>\w+)'.*?map_index=(?P<index>-?\d+)")
FINISHED_LINE = re.compile(r"Task instance state updated .*new_state=(?P<state>\w+)")
RUN_FAILED_LINE = re.compile(r"DagRun Finished.*state=failed")


@dataclass(frozen=True)
class NightlyRun:
    """How the run ended: Airflow's exit status, whether the DAG run failed, the log."""

    returncode: int
    run_failed: bool
    log: Path
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.run_failed


def source_dirs(sources: list[Path], *, samples: bool) -> list[str]:
    """The folders the night reads besides ``landing/``: the bundled SYNTHETIC samples
    (unless ``samples`` is False, for a warehouse of real data only) and ``sources``."""
    chosen = ([SAMPLE_RELEASES_DIR] if samples else []) + [p.resolve() for p in sources]
    return [str(p) for p in chosen]


def run_nightly(settings: Settings, dirs: list[str],
                on_progress: Callable[[str, int], None] | None = None) -> NightlyRun:
    """Run the DAG once on ``dirs``; ``on_progress(task, finished)`` is called as tasks
    start and finish (the task running, how many have finished)."""
    services = AirflowServices(settings.warehouse)  # its environment and CLI; no server
    services.airflow_home.mkdir(parents=True, exist_ok=True)
    services.migrate()
    services.set_writer_pool()
    log = services.airflow_home / "last-run.log"
    started = time.monotonic()
    finished, failed = 0, False
    command = [services.airflow, "dags", "test", DAG_ID,
               "--conf", json.dumps({"extra_source_dirs": dirs})]
    with log.open("w", encoding="utf-8") as out, subprocess.Popen(
            command, env=services.env, cwd=settings.warehouse, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace") as process:
        assert process.stdout is not None
        task = "starting Airflow"
        for line in process.stdout:
            out.write(line)
            if match := TASK_LINE.search(line):
                index = int(match["index"])
                task = match["task"] + (f"[{index}]" if index >= 0 else "")
            if FINISHED_LINE.search(line):
                finished += 1
            failed = failed or bool(RUN_FAILED_LINE.search(line))
            if on_progress is not None:
                on_progress(task, finished)
    return NightlyRun(process.returncode, failed, log, time.monotonic() - started)


ERROR_LINE = re.compile(r"\[error\s*\]|^\w*Error\b|^ERROR|DagRun failed")
SHOWN_LINE_CHARS = 300


def error_lines(log: Path, limit: int = 40) -> list[str]:
    """The last error lines of a run's log, each cut short, for the console (the whole
    log is named beside them)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    found = [line if len(line) <= SHOWN_LINE_CHARS else line[:SHOWN_LINE_CHARS] + " ..."
             for line in lines if ERROR_LINE.search(line)]
    return found[-limit:]
