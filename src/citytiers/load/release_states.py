"""Release states: withdraw, restore, quarantine after the audit, accept a refused release.

``raw`` is append-only: a decision about a loaded release is a new row of
``raw.release_state_changes`` and the state in force is the latest one, as the view
``raw.release_states`` (``raw_schema.sql``) derives it for dbt and for Python alike. A
release that is withdrawn or quarantined after the audit keeps every row in ``raw``
(queryable) and is left out of the next build; discovery still counts it as loaded, so
it is never loaded again from its file.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from pathlib import Path

from citytiers.database import connect, ensure_raw_schema, has_table
from citytiers.errors import CitytiersError
from citytiers.settings import Settings

WITHDRAW = "withdraw"
RESTORE = "restore"
QUARANTINE_AFTER_AUDIT = "quarantine_after_audit"
# A steward checked a release refused at the gates and vouches for it: the next night
# loads it, its problems kept with it as findings (citytiers.load.ingest).
ACCEPT = "accept"
# The state each action leads to (the view's names), and the states it may start from.
STATE_AFTER = {WITHDRAW: "withdrawn", RESTORE: "loaded",
               QUARANTINE_AFTER_AUDIT: "quarantined_after_audit", ACCEPT: "accepted"}
ALLOWED_FROM = {
    WITHDRAW: {"loaded", "quarantined_after_audit"},
    RESTORE: {"withdrawn", "quarantined_after_audit"},
    QUARANTINE_AFTER_AUDIT: {"loaded"},
    ACCEPT: {"quarantined"},
}
# A release id is a sha256: a prefix this long is enough to type (as with git commits).
MIN_ID_PREFIX = 6
AUDIT_ACTOR = "audit"


class ReleaseNotFound(CitytiersError):
    """No release, or more than one, matches what the user typed."""


class StateChangeRefused(CitytiersError):
    """The release is not in a state the action applies to (e.g. restore a loaded one)."""


@dataclass(frozen=True)
class ReleaseState:
    """A release as ``citytiers releases`` shows it (its latest attempt)."""

    release_id: str
    file_name: str
    state: str
    in_force: bool
    publisher: str | None
    title: str | None
    published_on: dt.date | None
    is_synthetic: bool
    observation_count: int
    record_count: int
    reason: str | None  # the gate's reason (quarantined) or the state change's
    changed_by: str | None
    changed_at: dt.datetime | None


STATE_COLUMNS = ("release_id, file_name, state, in_force, publisher, title, published_on, "
                 "is_synthetic, observation_count, record_count, "
                 "coalesce(state_reason, reason), state_changed_by, state_changed_at")


def _latest_attempts(where: str = "true") -> str:
    """One row per release: the loaded attempt if any, else the latest quarantine."""
    return (f"select {STATE_COLUMNS} from raw.release_states where {where} "
            "qualify row_number() over (partition by release_id "
            "order by status = 'loaded' desc, processed_at desc) = 1")


def list_releases(db: Path, state: str | None = None, *,
                  read_only: bool = False) -> list[ReleaseState]:
    """Every release of ``db`` (the writer's database, or ``read_only`` the published
    one), newest first; only those in ``state`` when given."""
    with connect(db, read_only=read_only) as connection:
        rows = connection.execute(
            f"select * from ({_latest_attempts()}) where $state is null or state = $state "
            "order by published_on desc nulls last, file_name", {"state": state}).fetchall()
    return [ReleaseState(*row) for row in rows]


def resolve(db: Path, typed: str) -> ReleaseState:
    """The release whose id starts with ``typed`` (at least MIN_ID_PREFIX characters), or
    whose file name is ``typed``; exactly one, else ReleaseNotFound naming the matches."""
    typed = typed.strip()
    matches = [r for r in list_releases(db)
               if (len(typed) >= MIN_ID_PREFIX and r.release_id.startswith(typed.lower()))
               or r.file_name == typed]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ReleaseNotFound(
            f"no release matches {typed!r} (give a release id, or at least "
            f"{MIN_ID_PREFIX} of its first characters, or the file name): see "
            "`citytiers releases list`")
    listed = "\n".join(f"  - {r.release_id[:12]} {r.file_name} ({r.state})" for r in matches)
    raise ReleaseNotFound(f"{typed!r} matches {len(matches)} releases; give more of the id:\n"
                          f"{listed}")


def change_state(settings: Settings, typed: str, action: str, reason: str, *,
                 changed_by: str | None = None, run_id: str | None = None
                 ) -> tuple[ReleaseState, bool]:
    """Record ``action`` for the release ``typed`` names; return its state after it, and
    whether anything was recorded.

    A release already in the state the action leads to is left alone (the command is safe
    to repeat); any other state the action does not apply to raises StateChangeRefused."""
    if not reason.strip():
        raise StateChangeRefused("a reason is required: it is shown wherever the state is")
    ensure_raw_schema(settings.build_db)
    release = resolve(settings.build_db, typed)
    if release.state == STATE_AFTER[action]:
        return release, False
    if release.state not in ALLOWED_FROM[action]:
        raise StateChangeRefused(
            f"release {release.release_id[:12]} ({release.file_name}) is {release.state}: "
            f"{action} applies only to a release that is "
            + " or ".join(sorted(ALLOWED_FROM[action]))
            + (". It was never loaded; fix the file or its sidecar and it is tried again, "
               "or accept it (`citytiers releases accept`) if its problems are not errors."
               if release.state == "quarantined" else "."))
    record_changes(settings, {release.release_id: reason}, action,
                   changed_by or getpass.getuser(), run_id)
    return resolve(settings.build_db, release.release_id), True


def record_changes(settings: Settings, reasons: dict[str, str], action: str,
                   changed_by: str, run_id: str | None) -> None:
    """Append one state change per release id (one transaction)."""
    if action not in STATE_AFTER:
        raise ValueError(f"unknown action {action!r}")
    changed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with connect(settings.build_db) as connection:
        connection.execute("begin transaction")
        try:
            for release_id, reason in sorted(reasons.items()):
                connection.execute(
                    "insert into raw.release_state_changes select $id, "
                    "coalesce((select max(change_seq) from raw.release_state_changes), 0) + 1, "
                    "$action, $reason, $by, $run, $at",
                    {"id": release_id, "action": action, "reason": reason, "by": changed_by,
                     "run": run_id, "at": changed_at})
            connection.execute("commit")
        except Exception:
            connection.execute("rollback")
            raise


def in_force_ids(db: Path, *, read_only: bool = False) -> set[str]:
    """Release ids whose figures are in force in ``db`` (empty when it does not exist);
    ``read_only`` for the published database (one published before state changes existed
    counts its loaded releases)."""
    if not db.exists():
        return set()
    with connect(db, read_only=read_only) as connection:
        view = "raw.release_states" if has_table(connection, "raw", "release_states") else (
            "(select *, status = 'loaded' as in_force from raw.releases)")
        return {row[0] for row in connection.execute(
            f"select distinct release_id from {view} where in_force").fetchall()}


@dataclass(frozen=True)
class Acceptance:
    """Who accepted a refused release, when and why (its latest state change)."""

    changed_by: str
    reason: str
    changed_at: dt.datetime

    def sentence(self) -> str:
        return (f"accepted by {self.changed_by} on {self.changed_at:%Y-%m-%d %H:%M} UTC: "
                f"{self.reason}")


def acceptances(db: Path) -> dict[str, tuple[Acceptance, str | None]]:
    """Releases accepted and not loaded yet, by id: the acceptance and the stored copy of
    the file (``quarantine/...``) that the next night loads."""
    if not db.exists():
        return {}
    with connect(db) as connection:
        if not has_table(connection, "raw", "release_states"):
            return {}
        # The latest attempt decides: an acceptance followed by another refusal is not one.
        rows = connection.execute("""
            select release_id, state_changed_by, state_reason, state_changed_at, stored_path
            from (select *, row_number() over (partition by release_id
                                               order by processed_at desc) as recency
                  from raw.release_states)
            where recency = 1 and state = 'accepted'""").fetchall()
    return {row[0]: (Acceptance(row[1], row[2], row[3]), row[4]) for row in rows}


def acceptance_of(db: Path, release_id: str) -> Acceptance | None:
    found = acceptances(db).get(release_id)
    return found[0] if found else None
