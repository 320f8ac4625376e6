"""The dbt docs' completeness check on manifests shaped like dbt's own."""

from __future__ import annotations

import pytest

from citytiers.report.dbt_docs import undocumented


def _manifest(description: str, columns: dict[str, str]) -> dict:
    def model(name: str, folder: str, text: str, cols: dict[str, str]) -> dict:
        return {"resource_type": "model", "package_name": "citytiers", "name": name,
                "original_file_path": f"models/{folder}/{name}.sql", "description": text,
                "columns": {c: {"name": c, "description": d} for c, d in cols.items()}}

    return {"metadata": {"project_name": "citytiers"}, "nodes": {
        "model.citytiers.mart_x": model("mart_x", "marts", description, columns),
        "model.citytiers.int_y": model("int_y", "intermediate", "Job y.", {}),
        "model.dbt_utils.z": {"resource_type": "model", "package_name": "dbt_utils",
                              "name": "z", "description": ""},
        "test.citytiers.t": {"resource_type": "test", "package_name": "citytiers"}}}


CATALOG = {"nodes": {"model.citytiers.mart_x": {"columns": {"city_code": {}, "gdp": {}}},
                     "model.citytiers.int_y": {"columns": {"anything": {}}}}}


@pytest.mark.unit
def test_complete_docs_pass() -> None:
    assert undocumented(_manifest("One row per city.", {"city_code": "Code.", "gdp": "GDP."}),
                        CATALOG) == []


@pytest.mark.unit
def test_a_missing_model_or_mart_column_description_is_named() -> None:
    problems = undocumented(_manifest("  ", {"city_code": "Code."}), CATALOG)
    assert problems == [
        "model mart_x (models/marts/mart_x.sql) has no description",
        "column mart_x.gdp has no description (add it to the model's YAML beside "
        "models/marts/mart_x.sql)"]


@pytest.mark.unit
def test_a_mart_missing_from_the_catalog_is_named() -> None:
    problems = undocumented(_manifest("Rows.", {}), {"nodes": {}})
    assert problems == ["mart mart_x is not in the catalog: build it before checking its "
                        "columns"]
