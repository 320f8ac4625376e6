"""Alerts: what a degraded or failed night tells someone.

By default one log line (WARNING for a degraded night, ERROR for a failed one) in the task
log and the scheduler's. Set ``CITYTIERS_ALERT_CALLBACK=package.module:function`` to call
your own function instead (a chat webhook, a pager): it receives ``(event, message,
details)`` with ``event`` ``"degraded"`` or ``"failed"``. A callback that raises is logged
and the night goes on: an alert must never be the reason a night fails.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from citytiers.settings import ALERT_CALLBACK_VARIABLE as CALLBACK_VARIABLE
from citytiers.settings import alert_callback_spec

log = logging.getLogger(__name__)
EVENTS = ("degraded", "failed")

AlertCallback = Callable[[str, str, dict[str, Any]], None]


def log_line(event: str, message: str, details: dict[str, Any]) -> None:
    """The default: one log line."""
    log.log(logging.ERROR if event == "failed" else logging.WARNING, "%s", message)


def configured_callback() -> AlertCallback:
    """The callback ``CITYTIERS_ALERT_CALLBACK`` names, else :func:`log_line`."""
    spec = alert_callback_spec()
    if not spec:
        return log_line
    module_name, _, attribute = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        log.error("%s=%r cannot be loaded (%s: %s); logging the alert instead",
                  CALLBACK_VARIABLE, spec, type(exc).__name__, exc)
        return log_line


def notify(event: str, message: str, details: dict[str, Any]) -> None:
    """Send one alert; never raises."""
    if event not in EVENTS:
        raise ValueError(f"unknown alert event {event!r}")
    callback = configured_callback()
    try:
        callback(event, message, details)
    except Exception as exc:
        log.error("alert callback %s failed (%s: %s); the alert was: %s",
                  getattr(callback, "__name__", callback), type(exc).__name__, exc, message)
