"""The package's exceptions: one base, terminal (quarantine) vs transient (retry)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class CitytiersError(Exception):
    """Base class of every error this package raises on purpose."""


class TerminalError(CitytiersError):
    """Retrying cannot help: the input itself is wrong (the release is quarantined)."""


class TransientError(CitytiersError):
    """Retrying may help: a locked database file, a file still being written."""


class ReleaseError(TerminalError):
    """A release cannot be loaded; the message names the file and the cell(s) at fault."""

    def __init__(
        self,
        file: Path | str,
        problem: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.problem = problem
        self.sheet = sheet
        self.row = row
        self.column = column
        where = [f"file {Path(self.file).name}"]
        if sheet:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {problem}")


class MetadataMissingError(ReleaseError):
    """Required release metadata is neither in the sidecar nor in the file itself."""

    def __init__(self, file: Path | str, missing: Iterable[str]) -> None:
        self.missing = sorted(missing)
        super().__init__(
            file,
            "release metadata missing: "
            + ", ".join(self.missing)
            + f". Add them to {Path(file).name}.release.yml (see README, 'Adding a release').",
        )


class ReleaseProblems(ReleaseError):
    """Several cells of one release are wrong; all of them are reported at once."""

    def __init__(self, file: Path | str, problems: list[ReleaseError], limit: int = 20,
                 total: int | None = None) -> None:
        # ``total``: how many there are when only the first ones were collected (a bulk
        # check counts every offending cell but fetches a few).
        self.problems = problems
        self.total = max(total or 0, len(problems))
        shown = "\n".join(f"  - {p}" for p in problems[:limit])
        hidden = self.total - min(limit, len(problems))
        more = f"\n  ... and {hidden} more" if hidden > 0 else ""
        super().__init__(file, f"{self.total} problem(s):\n{shown}{more}")


class ValidationFailed(TerminalError):
    """A Great Expectations suite failed; the message lists the failed expectations."""

    def __init__(self, suite: str, summary: str, report_path: Path | None = None, *,
                 file: str | None = None) -> None:
        self.suite = suite
        self.summary = summary
        self.report_path = report_path
        # The GX validation details page (needs the internet for its styles) is the
        # technical record; the reason itself is the steward's sentences.
        where = f"\nGX validation details: {report_path}" if report_path else ""
        named = f"file {file}: " if file else ""
        super().__init__(f"{named}{summary}{where}")


class WarehouseLocked(TransientError):
    """The writer's DuckDB file is locked by another process."""
