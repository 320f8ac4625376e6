"""Alerts: the default log line, a configured callback, and a broken one."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from citytiers.report import alerts


@pytest.mark.unit
def test_the_default_is_one_log_line(monkeypatch, caplog) -> None:
    monkeypatch.delenv(alerts.CALLBACK_VARIABLE, raising=False)
    with caplog.at_level(logging.WARNING, logger="citytiers.report.alerts"):
        alerts.notify("degraded", "night x is degraded: a.csv", {})
        alerts.notify("failed", "night y failed", {})
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "night x is degraded: a.csv"), (logging.ERROR, "night y failed")]


@pytest.mark.unit
def test_a_configured_callback_receives_the_alert(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "my_pager.py").write_text(
        "received = []\n"
        "def page(event, message, details):\n    received.append((event, message, details))\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(alerts.CALLBACK_VARIABLE, "my_pager:page")
    alerts.notify("degraded", "night x is degraded", {"quarantined": ["a"]})
    assert sys.modules["my_pager"].received == [
        ("degraded", "night x is degraded", {"quarantined": ["a"]})]


@pytest.mark.unit
def test_a_broken_callback_never_fails_the_night(tmp_path: Path, monkeypatch, caplog) -> None:
    (tmp_path / "broken_pager.py").write_text(
        "def page(event, message, details):\n    raise RuntimeError('pager down')\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(alerts.CALLBACK_VARIABLE, "broken_pager:page")
    with caplog.at_level(logging.ERROR, logger="citytiers.report.alerts"):
        alerts.notify("failed", "night y failed", {})
        monkeypatch.setenv(alerts.CALLBACK_VARIABLE, "no_such_module:page")
        alerts.notify("failed", "night z failed", {})
    messages = [r.getMessage() for r in caplog.records]
    assert any("pager down" in m and "night y failed" in m for m in messages)
    assert any("cannot be loaded" in m for m in messages)
    assert "night z failed" in messages  # logged instead
