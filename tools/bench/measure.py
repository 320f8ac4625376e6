"""Run one command in a fresh process; measure its wall time and peak RSS.

Peak RSS is the kernel's ``ru_maxrss`` from ``os.wait4``: the largest resident set of the
process or of any descendant it waited for. The kernel keeps that high-water mark across
``exec`` and starts it from the parent's resident set at ``fork``, so the command is not
started from this (large: pandas, DuckDB) process but by a tiny launcher (``python -S``, a
few MiB) that forks it, waits for it with ``wait4`` and hands back its ``ru_maxrss``: the
number is the stage's own, not the benchmark's.

A watchdog thread polls the process tree with psutil: it kills the tree (its own session)
past ``timeout`` seconds or when the tree's summed RSS passes ``max_rss_mib``, so a stage
that cannot cope with a scale fails alone instead of starving the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024
# argv: RSS_FILE COMMAND...; runs COMMAND in a forked child, writes its ru_maxrss (KiB, as
# Linux reports it) to RSS_FILE and exits with its exit status.
LAUNCHER = """
import os, sys
rss_file, command = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        sys.stderr.write(f"cannot run {command[0]}: {exc}\\n")
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(rss_file, "w") as handle:
    handle.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


@dataclass
class Run:
    """One measured run of one command."""

    command: list[str]
    seconds: float
    peak_rss_mib: float        # ru_maxrss: the largest single process of the tree
    tree_rss_mib: float        # polled: the largest sum over the tree at one moment
    returncode: int
    stdout: str
    stderr: str
    killed: str | None = None  # "timeout after N s" / "RSS over N MiB"
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.killed is None

    def failure(self) -> str:
        """A one-paragraph account of why the run failed (for the report's notes)."""
        if self.killed:
            return f"killed: {self.killed}"
        tail = (self.stderr.strip() or self.stdout.strip()).splitlines()[-5:]
        return f"exit {self.returncode}: " + " | ".join(line.strip() for line in tail)


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def run(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 3600.0, max_rss_mib: float | None = None,
        log_dir: Path | None = None, name: str = "run") -> Run:
    """Run ``command`` to completion in its own session; stdout/stderr go to files under
    ``log_dir`` (kept, for post-mortems) and are returned as text."""
    log_dir = log_dir or Path.cwd()
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.stdout", log_dir / f"{name}.stderr"
    rss_path = log_dir / f"{name}.maxrss"
    rss_path.unlink(missing_ok=True)
    killed: list[str] = []
    tree_peak = [0]
    done = threading.Event()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER, str(rss_path),
                                    *command], stdout=out, stderr=err, env=env, cwd=cwd,
                                   start_new_session=True)

        def watch() -> None:
            while not done.wait(0.25):
                rss = _tree_rss(process.pid)
                tree_peak[0] = max(tree_peak[0], rss)
                reason = None
                if time.perf_counter() - start > timeout:
                    reason = f"timeout after {timeout:.0f} s"
                elif max_rss_mib is not None and rss > max_rss_mib * MIB:
                    reason = f"RSS over {max_rss_mib:.0f} MiB"
                if reason:
                    killed.append(reason)
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C: never leave a stage running in its own session
            done.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            raise
        seconds = time.perf_counter() - start
        done.set()
        watcher.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    try:  # the command's own high-water mark; else the launcher's (which includes it)
        maxrss_kib = int(rss_path.read_text())
    except (OSError, ValueError):
        maxrss_kib = usage.ru_maxrss
    # Linux reports ru_maxrss in KiB.
    return Run(command, seconds, maxrss_kib / 1024, tree_peak[0] / MIB,
               process.returncode, out_path.read_text(encoding="utf-8", errors="replace"),
               err_path.read_text(encoding="utf-8", errors="replace"),
               killed[0] if killed else None)
