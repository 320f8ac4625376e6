"""The dbt docs site (``reports/dbt_docs``): generated after a build, regenerated only when
that build changed, and its completeness check (as dagster-open-platform checks its own
dbt project): every model has a description, and every column that a mart model (a model
under ``models/marts/``: ``dim_``, ``fct_``, ``mart_``, ``rpt_``) actually has in the
warehouse has one too. Read from the docs' own ``manifest.json`` and ``catalog.json``, so a
column added in SQL but not in the YAML is caught, not only an empty description."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from citytiers.settings import Settings
from citytiers.transform.build_state import build_marker, read_json
from citytiers.transform.dbt_runner import run_dbt, target_dir

MART_MODELS_DIR = "models/marts/"
DOCS_FILES = ("index.html", "manifest.json", "catalog.json")
# Beside the docs: the build marker (``last_build.json``) they were generated from.
DOCS_STAMP = "built_from.json"

log = logging.getLogger(__name__)


def _described(entry: dict[str, Any] | None) -> bool:
    return bool(entry and str(entry.get("description") or "").strip())


def undocumented(manifest: dict[str, Any], catalog: dict[str, Any]) -> list[str]:
    """What lacks a description, one line each (empty: the docs are complete)."""
    project = manifest.get("metadata", {}).get("project_name")
    problems: list[str] = []
    for unique_id, node in sorted(manifest.get("nodes", {}).items()):
        if node.get("resource_type") != "model" or node.get("package_name") != project:
            continue
        where = node.get("original_file_path", unique_id)
        if not _described(node):
            problems.append(f"model {node['name']} ({where}) has no description")
        if not str(node.get("original_file_path", "")).startswith(MART_MODELS_DIR):
            continue
        documented = {name.lower(): column for name, column in node.get("columns", {}).items()}
        built = (catalog.get("nodes", {}).get(unique_id) or {}).get("columns", {})
        if not built:
            problems.append(f"mart {node['name']} is not in the catalog: build it before "
                            "checking its columns")
        for name in built:
            if not _described(documented.get(name.lower())):
                problems.append(f"column {node['name']}.{name} has no description (add it "
                                f"to the model's YAML beside {where})")
    return problems


def check_docs(docs: Path) -> list[str]:
    """:func:`undocumented` for a generated docs folder (``reports/dbt_docs``)."""
    manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    return undocumented(manifest, catalog)


def docs_dir(settings: Settings) -> Path:
    """Where the dbt docs site is written (``reports/dbt_docs``)."""
    return settings.reports / "dbt_docs"


def docs_current(settings: Settings) -> bool:
    """True when ``reports/dbt_docs`` is complete and was generated after the latest
    ``dbt build`` (its stamp equals that build's marker, project fingerprint and time).

    dbt docs describe the dbt project (manifest) and the built database (catalog); both
    change only through a ``dbt build`` (a changed project forces one: see
    :func:`needs_build`), so docs stamped with the latest build's marker would come out the
    same. Deciding from the marker rather than from "did transform run tonight" also
    regenerates docs that a failed or interrupted report left behind an earlier build."""
    built = read_json(build_marker(settings))
    docs = docs_dir(settings)
    return (isinstance(built, dict) and read_json(docs / DOCS_STAMP) == built
            and all((docs / name).is_file() for name in DOCS_FILES))


def compiled_by_duckdb(manifest: object) -> bool:
    """True when a dbt target's ``manifest.json`` (read as JSON) was written by a DuckDB
    invocation of this project: the docs can show it as it is, without compiling again."""
    metadata = manifest.get("metadata", {}) if isinstance(manifest, dict) else {}
    return metadata.get("adapter_type") == "duckdb" and bool(manifest.get("nodes"))


def generate_docs(settings: Settings) -> Path:
    """``dbt docs generate --static`` into ``reports/dbt_docs/index.html`` (one file,
    opens from disk without a server)."""
    marker = build_marker(settings)
    built_from = marker.read_text(encoding="utf-8") if marker.exists() else None
    # The catalog describes the database last built: the night's candidate (what was
    # published), else the writer's (`citytiers load --build`).
    database = settings.candidate_db if settings.candidate_db.exists() else None
    command = ["docs", "generate", "--static"]
    # The build just wrote its manifest, every model's compiled SQL in it, to the target
    # folder: the docs show that one (`--no-compile`) instead of compiling every node
    # again, 5 of the first night's 14 s of report. After a Spark build the manifest is
    # Spark's SQL: the docs compile for DuckDB.
    if compiled_by_duckdb(read_json(target_dir(settings) / "manifest.json")):
        command.append("--no-compile")
    # Always from DuckDB: that is where the marts are served, whichever engine built them.
    run_dbt(settings, command, database, engine="duckdb")
    target = docs_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    (target / DOCS_STAMP).unlink(missing_ok=True)  # no stamp while the docs are half-copied
    built = target_dir(settings)
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
