"""Whether tonight needs a build: the marts are rebuilt only when what they are built from
(the raw layer's releases and states, the dbt project) changed since the published build."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from citytiers.database import connect, has_table
from citytiers.settings import Settings

IGNORED_DBT_DIRS = frozenset({"target", "logs", "dbt_packages"})


def read_json(path: Path) -> object:
    """A JSON file's value, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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


def build_marker(settings: Settings) -> Path:
    """The last build's marker: the project fingerprint and raw state it was built from."""
    return settings.build_db.parent / "last_build.json"


def _published_file(settings: Settings) -> Path:
    return settings.build_db.parent / "last_published.json"


def raw_state(settings: Settings) -> list[int]:
    """What the marts are built from, as two numbers: release attempts recorded (a load or
    a quarantine) and the latest release state change (a withdraw, a restore, a quarantine
    after the audit). A build records them; a night whose raw state equals the published
    build's has nothing to build, whatever Airflow's task results say (a cleared and
    re-run DAG run still hands the first attempt's results downstream)."""
    if not settings.build_db.exists():
        return [0, 0]
    with connect(settings.build_db) as connection:
        attempts = connection.execute("select count(*) from raw.releases").fetchone()[0] \
            if has_table(connection, "raw", "releases") else 0
        last_change = connection.execute(
            "select coalesce(max(change_seq), 0) from raw.release_state_changes"
        ).fetchone()[0] if has_table(connection, "raw", "release_state_changes") else 0
    return [int(attempts), int(last_change)]


def needs_build(settings: Settings) -> bool:
    """Build when a release was loaded or quarantined, or withdrawn or restored, since the
    last build (:func:`raw_state`), the dbt project changed, nothing is published yet, or
    the last build was never published (its dbt build or audit failed): a failed night is
    retried by the next one, not forgotten."""
    marker = build_marker(settings)
    if not settings.published_db.exists() or not marker.exists():
        return True
    built = json.loads(marker.read_text(encoding="utf-8"))
    published = read_json(_published_file(settings))
    if not isinstance(published, dict) or published.get("built_at") != built.get("built_at"):
        return True
    return (built.get("fingerprint") != project_fingerprint(settings)
            or built.get("raw_state") != raw_state(settings))


def mark_published(settings: Settings) -> None:
    """Record that the last build is the published one (see :func:`needs_build`)."""
    marker = build_marker(settings)
    if marker.exists():
        _published_file(settings).write_text(marker.read_text(encoding="utf-8"),
                                             encoding="utf-8")




def forget_build(settings: Settings) -> None:
    """Drop the last build's marker before a build: a build that fails is built again."""
    build_marker(settings).unlink(missing_ok=True)


def record_build(settings: Settings) -> None:
    """Write the marker of a build that just succeeded; ``built_at`` makes every build's
    marker unique (the dbt docs' stamp compares against it)."""
    build_marker(settings).write_text(json.dumps({
        "fingerprint": project_fingerprint(settings),
        "raw_state": raw_state(settings),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
    }), encoding="utf-8")
