"""The dbt docs' completeness check (as dagster-open-platform checks its own dbt project):
every model has a description, and every column that a mart model (a model under
``models/marts/``: ``dim_``, ``fct_``, ``mart_``, ``rpt_``) actually has in the warehouse
has one too. Read from the docs' own ``manifest.json`` and ``catalog.json``, so a column
added in SQL but not in the YAML is caught, not only an empty description."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MART_MODELS_DIR = "models/marts/"


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
