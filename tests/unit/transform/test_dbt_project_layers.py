"""The dbt layers only point down: staging reads sources and staging models (and seeds),
intermediate models read staging and intermediate models (and seeds), never a mart. Scans
the model SQL for ref() calls, so it needs no dbt parse."""

from __future__ import annotations

import re

import pytest

from citytiers.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit

MODELS = PROJECT_ROOT / "dbt_project" / "models"
REF = re.compile(r"""\bref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)""")


def _models(layer: str) -> set[str]:
    return {path.stem for path in (MODELS / layer).glob("**/*.sql")}


def _refs(layer: str) -> dict[str, set[str]]:
    return {path.stem: set(REF.findall(path.read_text(encoding="utf-8")))
            for path in sorted((MODELS / layer).glob("**/*.sql"))}


def _upward_refs(layer: str, above: set[str]) -> list[str]:
    return [f"{model} refs {name}"
            for model, names in _refs(layer).items() for name in sorted(names & above)]


def test_the_scan_sees_every_layer() -> None:
    assert "int_releases_in_force" in _models("intermediate")
    assert "mart_city_size_class" in _models("marts")
    assert "stg_raw__releases" in _models("staging")
    assert "int_observations_ranked" in _refs("marts")["fct_city_indicator"]


def test_no_intermediate_model_refs_a_mart() -> None:
    assert _upward_refs("intermediate", _models("marts")) == []


def test_no_staging_model_refs_an_intermediate_model_or_a_mart() -> None:
    assert _upward_refs("staging", _models("intermediate") | _models("marts")) == []
