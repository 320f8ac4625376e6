"""Where everything lives: one frozen object built from the environment.

Every path is derived from two roots so a test can point the whole pipeline at a
temporary folder: ``CITYTIERS_HOME`` (the project checkout: dbt project, GX project,
seeds) and ``CITYTIERS_WAREHOUSE`` (runtime state, default ``<home>/warehouse``).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RELEASES_DIR = Path(__file__).resolve().parent / "samples" / "releases"
PUBLISHED_DB_NAME = "citytiers.duckdb"
BUILD_DB_NAME = "citytiers_build.duckdb"
STAGING_DB_NAME = "staging.duckdb"
CANDIDATE_DB_NAME = "candidate.duckdb"
HISTORY_DB_NAME = "history.duckdb"
DBT_PROJECT_FILE = PROJECT_ROOT / "dbt_project" / "dbt_project.yml"


@cache
def dbt_vars(project_file: Path = DBT_PROJECT_FILE) -> dict[str, Any]:
    """The dbt project's vars (each rule and threshold is written once there; Python reads
    them, never copies them)."""
    return yaml.safe_load(project_file.read_text(encoding="utf-8"))["vars"]


def _rehash_after_days(default: float = 7.0) -> float:
    raw = os.environ.get("CITYTIERS_REHASH_AFTER_DAYS", "").strip()
    if not raw:
        return default
    try:
        days = float(raw)
    except ValueError:
        days = -1.0
    if not days >= 0:  # also rejects nan
        logging.getLogger(__name__).warning(
            "CITYTIERS_REHASH_AFTER_DAYS=%r is not a number of days >= 0; using %s",
            raw, default)
        return default
    return days


REHASH_AFTER_DAYS: float = _rehash_after_days()
"""Days after which discovery re-reads and re-hashes a source file even though its size and
mtime are unchanged (``Settings.source_cache``): the stat cache trusts (size, mtime_ns) on
other nights, and this bounds how long a change that kept both (a tool that restores
mtimes, a coarse-clock filesystem) can go unnoticed. Set by the environment variable
``CITYTIERS_REHASH_AFTER_DAYS`` (read at import; fractions allowed, ``0`` re-hashes every
file every night); default 7. An invalid value is logged and the default is used."""


DUCKDB_MEMORY_LIMIT_VARIABLE = "CITYTIERS_DUCKDB_MEMORY_LIMIT"
DUCKDB_MEMORY_LIMIT_DEFAULT = "1GB"
_MEMORY_LIMIT_PATTERN = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.I)


def duckdb_memory_limit() -> str:
    """The memory limit of every DuckDB connection the project opens, dbt's included
    (``CITYTIERS_DUCKDB_MEMORY_LIMIT``, default 1GB): DuckDB's own default is 80 % of RAM
    per database instance, and a night opens several (staging, GX's engine, the writer,
    dbt), so each is bounded and spills to its temporary directory beyond the limit. A
    value that is not a size (``512MB``, ``2GB``) stops with a message naming the
    setting."""
    raw = os.environ.get(DUCKDB_MEMORY_LIMIT_VARIABLE, "").strip() or DUCKDB_MEMORY_LIMIT_DEFAULT
    if not _MEMORY_LIMIT_PATTERN.fullmatch(raw):
        raise ValueError(f"{DUCKDB_MEMORY_LIMIT_VARIABLE}={raw!r} is not a memory size such "
                         f"as 512MB or 2GB (default {DUCKDB_MEMORY_LIMIT_DEFAULT})")
    return raw


PUBLISH_STORAGE_VERSION = "v1.0.0"
"""The DuckDB storage format the published ``citytiers.duckdb`` is written in (``ATTACH
... (STORAGE_VERSION ...)``, :mod:`citytiers.publish.swap`), so that clients bundling an older
DuckDB open it: a file in DuckDB 2.x's own format is refused by every DuckDB 1.x ("Trying
to read a database file with version number 69"). The default is the oldest format that
keeps every type the published tables use (VARCHAR, INTEGER, BIGINT, DOUBLE, BOOLEAN, DATE,
TIMESTAMP): ``v1.0.0``, which DuckDB 1.0 and every later version read (tried: Python duckdb
1.1.3 and 2.0.1, the DuckDB CLI 1.5.6). ``v1.2.0`` gives a file about a sixth smaller
(newer compression) that DuckDB 1.2 and later read; ``latest`` the running DuckDB's own
format. Set by ``CITYTIERS_PUBLISH_STORAGE_VERSION``: ``vX.Y.Z`` or ``latest``, a version
DuckDB knows (it says which when it does not)."""
PUBLISH_STORAGE_VERSION_VARIABLE = "CITYTIERS_PUBLISH_STORAGE_VERSION"
_STORAGE_VERSION_PATTERN = re.compile(r"v\d+\.\d+\.\d+|latest")


@dataclass(frozen=True)
class Settings:
    """Paths of one warehouse. Build it with :func:`load_settings`."""

    home: Path
    warehouse: Path
    # The dbt target that builds the marts (dbt_project/profiles.yml): "duckdb" (the
    # writer's file, in process) or "spark" (citytiers.transform.spark). Environment variable
    # CITYTIERS_DBT_TARGET; the marts are served from DuckDB either way.
    dbt_target: str = "duckdb"
    # The DuckDB storage format of the published file (:data:`PUBLISH_STORAGE_VERSION`);
    # environment variable CITYTIERS_PUBLISH_STORAGE_VERSION. The writer's, the candidate's
    # and the history's files are on the running DuckDB's newest format.
    publish_storage_version: str = PUBLISH_STORAGE_VERSION

    @property
    def landing(self) -> Path:
        return self.warehouse / "landing"

    @property
    def archive(self) -> Path:
        return self.warehouse / "archive"

    @property
    def quarantine(self) -> Path:
        return self.warehouse / "quarantine"

    @property
    def build_db(self) -> Path:
        """The writer's database: only the pipeline opens it."""
        return self.warehouse / "build" / BUILD_DB_NAME

    @property
    def candidate_db(self) -> Path:
        """The night's build: a copy of the writer's database that dbt builds and the
        audit checks; published (copied to :attr:`published_db`) only when the audit
        passes. Rebuilt from the writer's database every night."""
        return self.warehouse / "build" / CANDIDATE_DB_NAME

    @property
    def staging_db(self) -> Path:
        """One release at a time, parsed into columnar tables before it is validated and
        loaded: a file (not memory), so a release larger than RAM spills to disk and GX's SQL
        engine can read it. Emptied after each release."""
        return self.warehouse / "build" / STAGING_DB_NAME

    @property
    def source_cache(self) -> Path:
        """The stat cache of source files (resolved path -> size, mtime_ns, sha256,
        hashed_at): a quiet night re-reads no unchanged file (see
        :data:`REHASH_AFTER_DAYS` and :mod:`citytiers.discover.candidates`). Safe to delete: it is
        rebuilt by the next discovery."""
        return self.warehouse / "build" / "source_cache.json"

    @property
    def published_db(self) -> Path:
        """The analysts' copy, replaced atomically after a validated build."""
        return self.warehouse / PUBLISHED_DB_NAME

    @property
    def history_db(self) -> Path:
        """The run history (schema ``audit``): what every night did, for the quality
        report and ``citytiers status`` (citytiers/report/history_schema.sql)."""
        return self.warehouse / HISTORY_DB_NAME

    @property
    def exports(self) -> Path:
        return self.warehouse / "exports"

    @property
    def reports(self) -> Path:
        return self.warehouse / "reports"

    @property
    def dbt_project(self) -> Path:
        return self.home / "dbt_project"

    @property
    def seeds(self) -> Path:
        return self.dbt_project / "seeds"

    @property
    def expectations(self) -> Path:
        return self.home / "expectations"

    def ensure_dirs(self) -> None:
        """Create the runtime folders (idempotent)."""
        for path in (self.landing, self.archive, self.quarantine, self.build_db.parent,
                     self.exports, self.reports):
            path.mkdir(parents=True, exist_ok=True)


DBT_TARGETS = ("duckdb", "spark")


class UnknownDbtTarget(ValueError):
    """CITYTIERS_DBT_TARGET names no target of dbt_project/profiles.yml."""


class InvalidPublishStorageVersion(ValueError):
    """CITYTIERS_PUBLISH_STORAGE_VERSION is no DuckDB storage version."""


def publish_storage_version() -> str:
    """:data:`PUBLISH_STORAGE_VERSION`, or ``CITYTIERS_PUBLISH_STORAGE_VERSION`` when set;
    raises :class:`InvalidPublishStorageVersion` for a value that is not ``vX.Y.Z`` or
    ``latest`` (DuckDB itself checks that it knows the version, at publish)."""
    raw = os.environ.get(PUBLISH_STORAGE_VERSION_VARIABLE, "").strip()
    if not raw:
        return PUBLISH_STORAGE_VERSION
    if not _STORAGE_VERSION_PATTERN.fullmatch(raw):
        raise InvalidPublishStorageVersion(
            f"{PUBLISH_STORAGE_VERSION_VARIABLE}={raw!r}: the published database's storage "
            f"version is a DuckDB version, e.g. {PUBLISH_STORAGE_VERSION!r} (the default, "
            "read by DuckDB 1.0 and later), 'v1.2.0', or 'latest'")
    return raw


# ---------------------------------------------------------------- switches of single steps
# Each environment variable the package reads is read here, at the call (a test sets it
# with monkeypatch); the step that uses it imports the function.

MAX_RELEASE_BYTES_VARIABLE = "CITYTIERS_MAX_RELEASE_BYTES"
# A release larger than this is quarantined at once, unread and not copied (the copy alone
# could fill the disk). Generous: county-level yearbooks with decades of back data are a
# few hundred MB.
DEFAULT_MAX_RELEASE_BYTES = 2 << 30


def max_release_bytes() -> int:
    """``CITYTIERS_MAX_RELEASE_BYTES`` (a whole number), else 2 GiB."""
    raw = os.environ.get(MAX_RELEASE_BYTES_VARIABLE, "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_MAX_RELEASE_BYTES


AUDIT_MAX_ROUNDS_VARIABLE = "CITYTIERS_AUDIT_MAX_ROUNDS"


def max_audit_rounds() -> int:
    """Builds per night, the first included (each round quarantines the releases its
    failures name, then builds again). ``CITYTIERS_AUDIT_MAX_ROUNDS``, default 3: a second
    round catches a culprit the first one's failures hid (a failed dbt test skips the
    models after it), a third is the margin; more would only repeat a failure no release
    explains."""
    raw = os.environ.get(AUDIT_MAX_ROUNDS_VARIABLE, "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 3


ALERT_CALLBACK_VARIABLE = "CITYTIERS_ALERT_CALLBACK"


def alert_callback_spec() -> str:
    """``CITYTIERS_ALERT_CALLBACK`` (``package.module:function``), or ``""``: log only."""
    return os.environ.get(ALERT_CALLBACK_VARIABLE, "").strip()


PAUSE_AT_VARIABLE = "CITYTIERS_PAUSE_AT"


def pause_at() -> str | None:
    """``CITYTIERS_PAUSE_AT``: the crash point the crash-safety tests stop at (unset
    outside them)."""
    return os.environ.get(PAUSE_AT_VARIABLE)


TEST_DAGS_FOLDER_VARIABLE = "CITYTIERS_TEST_DAGS_FOLDER"


def dags_folder_override() -> Path | None:
    """``CITYTIERS_TEST_DAGS_FOLDER``: a test-only DAGs folder (a patched scratch copy of
    ``dags/``); ``None`` when unset or empty."""
    override = os.environ.get(TEST_DAGS_FOLDER_VARIABLE, "").strip()
    return Path(override).resolve() if override else None


def project_home() -> Path:
    """``CITYTIERS_HOME`` when set and not empty, else the checkout (:data:`PROJECT_ROOT`)."""
    return Path(os.environ.get("CITYTIERS_HOME") or PROJECT_ROOT).resolve()


def load_settings() -> Settings:
    """Settings from ``CITYTIERS_HOME`` / ``CITYTIERS_WAREHOUSE`` /
    ``CITYTIERS_DBT_TARGET`` / ``CITYTIERS_PUBLISH_STORAGE_VERSION`` or the checkout."""
    home = project_home()
    warehouse = Path(os.environ.get("CITYTIERS_WAREHOUSE", home / "warehouse")).resolve()
    target = os.environ.get("CITYTIERS_DBT_TARGET", "").strip() or "duckdb"
    if target not in DBT_TARGETS:
        raise UnknownDbtTarget(f"CITYTIERS_DBT_TARGET={target!r}: the dbt target is one of "
                               f"{', '.join(DBT_TARGETS)} (dbt_project/profiles.yml)")
    return Settings(home=home, warehouse=warehouse, dbt_target=target,
                    publish_storage_version=publish_storage_version())
