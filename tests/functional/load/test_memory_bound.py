"""Peak memory grows with a release's width, not its length (the columnar core).

The row-by-row parser held a Python dict per observation, then pandas copies: about
1.3 KB of RSS per observation (1.3 GB for a million). Here a release of 300 000
observations is loaded by ``citytiers load`` in a fresh process, and its peak RSS is
compared with the same command loading a 24-row release: the difference must stay under
a bound that the old design exceeds twice over. A measurement of memory, not of time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citytiers.settings import PROJECT_ROOT, SAMPLE_RELEASES_DIR
from tools.bench.generate import generate

# Slow: loads a large generated release in a child process (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow

SCALE = 3  # the benchmark's generator at 3x: about 300 000 tidy observations
# What the row-by-row design used per observation (issue "Columnar ingest": 1.3 GB for a
# million); the bound is half of what it would use for this release.
OLD_BYTES_PER_OBSERVATION = 1300
CLI = [sys.executable, "-c", "from citytiers.cli.main import main; main()"]


def peak_rss_of_load(*paths: Path, warehouse: Path) -> tuple[int, list[dict]]:
    """(peak RSS in bytes, the JSON outcomes) of ``citytiers load --json paths``."""
    env = {**os.environ, "CITYTIERS_WAREHOUSE": str(warehouse),
           "CITYTIERS_HOME": str(PROJECT_ROOT)}
    process = subprocess.Popen([*CLI, "load", "--json", *map(str, paths)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out
    outcomes = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return usage.ru_maxrss * 1024, outcomes


@pytest.mark.functional
def test_peak_memory_does_not_grow_with_the_release(tmp_path: Path) -> None:
    inputs = generate(SCALE, tmp_path / "inputs")
    observations = inputs.tidy_observations
    assert observations > 250_000
    bound = observations * OLD_BYTES_PER_OBSERVATION // 2
    small = tmp_path / "small"
    small.mkdir()
    for name in ("sample_communique_2021.csv", "sample_communique_2021.csv.release.yml"):
        shutil.copy(SAMPLE_RELEASES_DIR / name, small / name)

    baseline, [tiny] = peak_rss_of_load(small / "sample_communique_2021.csv",
                                        warehouse=tmp_path / "w1")
    # The synthetic places' code list loads first, in a process of its own (as a reference
    # release does, before the data releases): the gates check every code of the large
    # release against it; the peak measured is the large release's alone.
    _, [records] = peak_rss_of_load(inputs.code_records_path, warehouse=tmp_path / "w2")
    assert records["status"] == "loaded", records["reason"]
    peak, [large] = peak_rss_of_load(tmp_path / "inputs" / inputs.tidy_csv,
                                     warehouse=tmp_path / "w2")

    assert tiny["status"] == "loaded" and large["status"] == "loaded", large["reason"]
    assert large["observations"] == observations
    growth = peak - baseline
    assert growth < bound, (f"peak RSS grew by {growth / 2**20:.0f} MiB for {observations} "
                            f"observations (bound {bound / 2**20:.0f} MiB)")
