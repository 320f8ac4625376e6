"""Crash points for the crash-safety tests: stop a step where a crash would hurt most.

``CITYTIERS_PAUSE_AT=<point>`` makes the process that reaches ``<point>`` write the file
``<warehouse>/build/paused_at_<point>`` and sleep until it is killed; the tests then
``SIGKILL`` it there (tests/functional/load/test_crash_safety.py) and check that the writer's
and the published databases are exactly as before. Unset (always, outside those tests) a
point costs one environment lookup.
"""

from __future__ import annotations

import os
import time

from citytiers.settings import PAUSE_AT_VARIABLE, Settings, pause_at

PAUSE_VARIABLE = PAUSE_AT_VARIABLE
# Inside a release's load transaction, after its rows are inserted, before the commit.
LOAD_BEFORE_COMMIT = "load_before_commit"
# The candidate copied beside the published file, before the os.replace that publishes it.
PUBLISH_BEFORE_REPLACE = "publish_before_replace"
POINTS = (LOAD_BEFORE_COMMIT, PUBLISH_BEFORE_REPLACE)


def marker(settings: Settings, point: str) -> os.PathLike[str]:
    return settings.build_db.parent / f"paused_at_{point}"


def crash_point(settings: Settings, point: str) -> None:
    """Pause here for ever when ``CITYTIERS_PAUSE_AT`` names ``point``."""
    if pause_at() != point:
        return
    with open(marker(settings, point), "w", encoding="utf-8") as out:
        out.write(str(os.getpid()))
    while True:
        time.sleep(1)
