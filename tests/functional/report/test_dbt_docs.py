"""The dbt docs after a DuckDB build show that build's manifest (its compiled SQL), without
compiling the project again, and are complete (every model and mart column described)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citytiers.report.dbt_docs import check_docs, compiled_by_duckdb, generate_docs
from citytiers.transform.dbt_runner import target_dir

# Slow: a dbt build on the samples, then dbt docs generate (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow


@pytest.mark.functional
def test_docs_show_the_build_they_follow(load_releases, samples_dir: Path) -> None:
    settings = load_releases("docs", samples_dir, build_marts=True)
    built = json.loads((target_dir(settings) / "manifest.json").read_text(encoding="utf-8"))
    assert compiled_by_duckdb(built)

    index = generate_docs(settings)

    docs = index.parent
    shown = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    # The build's own manifest, not one of a second compile (a new invocation id).
    assert shown["metadata"]["invocation_id"] == built["metadata"]["invocation_id"]
    fact = shown["nodes"]["model.citytiers.fct_city_indicator"]
    assert "from" in fact["compiled_code"].lower()
    assert check_docs(docs) == []
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    assert "city_code" in catalog["nodes"]["model.citytiers.fct_city_indicator"]["columns"]
    assert built["metadata"]["invocation_id"] in index.read_text(encoding="utf-8")

