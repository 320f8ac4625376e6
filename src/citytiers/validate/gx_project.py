"""Open the file-based GX project in ``expectations/``, (re)configure it, run checkpoints.

The project is committed: suites, validation definitions and checkpoints are JSON under
``expectations/``. ``configure_project`` rewrites them from :mod:`citytiers.validate.suites`
(run ``citytiers gx-configure`` after editing a suite). The nightly run only *reads* them,
so a run never changes the working tree. Validation results and Data Docs go to the
warehouse's ``reports/`` through the ``${CITYTIERS_*}`` variables in great_expectations.yml.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from citytiers.dictionary import Dictionary
from citytiers.settings import Settings
from citytiers.validate.suites import SUITES

DATASOURCE = "dataframes"
BATCH_DEFINITION = "whole_frame"
FAILED_EXPECTATIONS_SHOWN = 10
UNEXPECTED_VALUES_SHOWN = 10
UNSAFE_RUN_NAME_CHARS = re.compile(r"[/\\:*?\"<>|\s]+")
RUN_NAME_MAX_CHARS = 120


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

    def summary(self) -> str:
        verdict = "passed" if self.success else "FAILED"
        met = self.evaluated - len(self.failed) - len(self.warnings)
        lines = [f"{self.suite}: {verdict} ({met}/{self.evaluated} expectations met"
                 + (f", {len(self.warnings)} warning(s)" if self.warnings else "") + ")"]
        lines += [f"  - {f}" for f in self.failed[:FAILED_EXPECTATIONS_SHOWN]]
        if len(self.failed) > FAILED_EXPECTATIONS_SHOWN:
            lines.append(f"  ... and {len(self.failed) - FAILED_EXPECTATIONS_SHOWN} more")
        lines += [f"  - warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def open_context(settings: Settings) -> Any:
    """The FileDataContext rooted at ``expectations/``, writing results under ``reports/``."""
    os.environ["CITYTIERS_GX_RESULTS_DIR"] = str(settings.reports / "gx_validations")
    os.environ["CITYTIERS_DATA_DOCS_DIR"] = str(settings.reports / "data_docs")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no network at run time
    import great_expectations as gx

    return gx.get_context(mode="file", context_root_dir=str(settings.expectations))


def configure_project(settings: Settings, dictionary: Dictionary) -> list[str]:
    """(Re)write every suite, validation definition and checkpoint. Idempotent."""
    import great_expectations as gx

    context = open_context(settings)
    datasource = context.data_sources.add_or_update_pandas(DATASOURCE)
    for name, configure in SUITES.items():
        suite = context.suites.add_or_update(configure(dictionary))
        asset = datasource.add_dataframe_asset(name)
        batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite))
        context.checkpoints.add_or_update(gx.Checkpoint(
            name=name,
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
            result_format={"result_format": "SUMMARY",
                           "partial_unexpected_count": UNEXPECTED_VALUES_SHOWN},
        ))
    return list(SUITES)


def _describe_failure(result: Any) -> str:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    details = result.result or {}
    observed = ""
    if "unexpected_count" in details:
        observed = (f": {details['unexpected_count']} unexpected, e.g. "
                    f"{details.get('partial_unexpected_list', [])[:UNEXPECTED_VALUES_SHOWN]}")
    elif "observed_value" in details:
        observed = f": observed {details['observed_value']!r}"
    if result.exception_info and result.exception_info.get("raised_exception"):
        observed += f" (error: {result.exception_info.get('exception_message')})"
    if config.description:  # a steward reads the sentence; the type says where to look
        return f"{config.description} [{config.type} on {kwargs.get('column', 'table')}]{observed}"
    return f"{config.type}({kwargs}){observed}"


def _store_safe(text: str) -> str:
    """GX files results under the run name: no path separators or other unsafe characters
    (a publisher like "github.com/leiii/census" would otherwise break the store)."""
    return UNSAFE_RUN_NAME_CHARS.sub("_", text)[:RUN_NAME_MAX_CHARS]


def run_checkpoint(settings: Settings, name: str, frame: pd.DataFrame,
                   parameters: dict[str, Any] | None = None,
                   run_name: str | None = None) -> ValidationOutcome:
    """Validate ``frame`` with checkpoint ``name``; Data Docs are updated as a side effect.
    ``run_name`` is what Data Docs list the result under (the file, and whether it is a
    synthetic sample, so no steward mistakes sample data for official figures)."""
    from great_expectations.core.run_identifier import RunIdentifier

    context = open_context(settings)
    checkpoint = context.checkpoints.get(name)
    result = checkpoint.run(batch_parameters={"dataframe": frame},
                            expectation_parameters=parameters or {},
                            run_id=RunIdentifier(run_name=_store_safe(run_name))
                            if run_name else None)
    failed: list[str] = []
    warnings: list[str] = []
    evaluated = 0
    for run_result in result.run_results.values():
        for expectation_result in run_result.results:
            evaluated += 1
            if expectation_result.success:
                continue
            severity = str(getattr(expectation_result.expectation_config, "severity", ""))
            target = warnings if severity.lower().endswith("warning") else failed
            target.append(_describe_failure(expectation_result))
    return ValidationOutcome(suite=name, success=not failed, evaluated=evaluated,
                             failed=failed,
                             docs_index=settings.reports / "data_docs" / "index.html",
                             warnings=warnings)
