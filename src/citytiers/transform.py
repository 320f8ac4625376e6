"""Transform: ``dbt build`` (seeds, models, tests) on the writer's database, in-process."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

from citytiers.errors import TerminalError
from citytiers.settings import Settings

IGNORED_DBT_DIRS = frozenset({"target", "logs", "dbt_packages"})
DOCS_FILES = ("index.html", "manifest.json", "catalog.json")
# Beside the docs: the build marker (``last_build.json``) they were generated from.
DOCS_STAMP = "built_from.json"

log = logging.getLogger(__name__)


class DbtFailed(TerminalError):
    """dbt build or docs generation failed; the published database is left untouched."""

    def __init__(self, command: str, failures: list[str]) -> None:
        self.failures = failures
        shown = "\n".join(f"  - {f}" for f in failures[:20]) or "  (see the dbt log)"
        super().__init__(f"dbt {command} failed:\n{shown}")


def _dbt_args(settings: Settings, command: list[str]) -> list[str]:
    build_dir = settings.build_db.parent
    return [*command,
            "--project-dir", str(settings.dbt_project),
            "--profiles-dir", str(settings.dbt_project),
            "--target-path", str(build_dir / "dbt_target"),
            "--log-path", str(build_dir / "dbt_logs")]


def run_dbt(settings: Settings, command: list[str]) -> object:
    """Invoke dbt with the project's profile pointed at the writer's database."""
    from dbt.cli.main import dbtRunner

    os.environ["CITYTIERS_BUILD_DB"] = str(settings.build_db)
    result = dbtRunner().invoke(_dbt_args(settings, command))
    if not result.success:
        failures: list[str] = []
        for node in getattr(result.result, "results", None) or []:
            status = str(getattr(node, "status", ""))
            if status.lower() in {"error", "fail"}:
                failures.append(f"{node.node.unique_id}: {status} {node.message or ''}".strip())
        if result.exception is not None:
            failures.append(f"{type(result.exception).__name__}: {result.exception}")
        raise DbtFailed(" ".join(command), failures)
    return result.result


def project_fingerprint(settings: Settings) -> str:
    """sha256 over the dbt project's sources (models, seeds, macros, yml): a change to a
    seed or model must rebuild the marts even when no new release arrived."""
    digest = hashlib.sha256()
    for path in sorted(settings.dbt_project.rglob("*")):
        relative = path.relative_to(settings.dbt_project)
        if path.is_file() and relative.parts[0] not in IGNORED_DBT_DIRS:
            digest.update(str(relative).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _fingerprint_file(settings: Settings) -> Path:
    return settings.build_db.parent / "last_build.json"


def _published_file(settings: Settings) -> Path:
    return settings.build_db.parent / "last_published.json"


def needs_build(settings: Settings, releases_recorded: int) -> bool:
    """Build when a release was loaded or quarantined, the dbt project changed, nothing is
    published yet, or the last build was never published (its dbt build or mart
    validation failed): a failed night is retried by the next one, not forgotten."""
    marker = _fingerprint_file(settings)
    if releases_recorded or not settings.published_db.exists() or not marker.exists():
        return True
    built = json.loads(marker.read_text(encoding="utf-8"))
    published = _read_json(_published_file(settings))
    if not isinstance(published, dict) or published.get("built_at") != built.get("built_at"):
        return True
    return built.get("fingerprint") != project_fingerprint(settings)


def mark_published(settings: Settings) -> None:
    """Record that the last build is the published one (see :func:`needs_build`)."""
    marker = _fingerprint_file(settings)
    if marker.exists():
        _published_file(settings).write_text(marker.read_text(encoding="utf-8"),
                                             encoding="utf-8")


def build(settings: Settings) -> dict[str, int]:
    """``dbt build``; returns how many nodes ran per resource type."""
    _fingerprint_file(settings).unlink(missing_ok=True)  # a failed build is built again
    results = run_dbt(settings, ["build"])
    counts: dict[str, int] = {}
    for node in getattr(results, "results", []):
        kind = str(node.node.resource_type)
        counts[kind] = counts.get(kind, 0) + 1
    # built_at makes every build's marker unique: the docs stamp compares against it.
    _fingerprint_file(settings).write_text(json.dumps({
        "fingerprint": project_fingerprint(settings),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
    }), encoding="utf-8")
    return counts


def _docs_dir(settings: Settings) -> Path:
    return settings.reports / "dbt_docs"


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def docs_current(settings: Settings) -> bool:
    """True when ``reports/dbt_docs`` is complete and was generated after the latest
    ``dbt build`` (its stamp equals that build's marker, project fingerprint and time).

    dbt docs describe the dbt project (manifest) and the built database (catalog); both
    change only through a ``dbt build`` (a changed project forces one: see
    :func:`needs_build`), so docs stamped with the latest build's marker would come out the
    same. Deciding from the marker rather than from "did transform run tonight" also
    regenerates docs that a failed or interrupted report left behind an earlier build."""
    built = _read_json(_fingerprint_file(settings))
    docs = _docs_dir(settings)
    return (isinstance(built, dict) and _read_json(docs / DOCS_STAMP) == built
            and all((docs / name).is_file() for name in DOCS_FILES))


def generate_docs(settings: Settings) -> Path:
    """``dbt docs generate --static`` into ``reports/dbt_docs/index.html`` (one file,
    opens from disk without a server)."""
    marker = _fingerprint_file(settings)
    built_from = marker.read_text(encoding="utf-8") if marker.exists() else None
    run_dbt(settings, ["docs", "generate", "--static"])
    target = _docs_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    (target / DOCS_STAMP).unlink(missing_ok=True)  # no stamp while the docs are half-copied
    built = settings.build_db.parent / "dbt_target"
    shutil.copy2(built / "static_index.html", target / "index.html")
    for name in ("manifest.json", "catalog.json"):
        shutil.copy2(built / name, target / name)
    if built_from is not None:
        (target / DOCS_STAMP).write_text(built_from, encoding="utf-8")
    return target / "index.html"


def ensure_docs(settings: Settings) -> bool:
    """Generate the dbt docs unless :func:`docs_current`; True when they were generated."""
    if docs_current(settings):
        log.info("dbt docs are current (generated after the latest dbt build): not "
                 "regenerated")
        return False
    generate_docs(settings)
    return True
