"""Fixtures of the transform tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citytiers.settings import PROJECT_ROOT, Settings
from citytiers.transform.build_state import IGNORED_DBT_DIRS


@pytest.fixture
def copied_project(tmp_path: Path) -> Settings:
    """Settings of an empty warehouse whose dbt project is a copy of the real one (its
    models, seeds and profiles.yml, not its build output), for a test that changes or
    adds a file of the project."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copytree(PROJECT_ROOT / "dbt_project", home / "dbt_project",
                    ignore=shutil.ignore_patterns(*IGNORED_DBT_DIRS))
    settings = Settings(home=home, warehouse=tmp_path / "warehouse")
    settings.ensure_dirs()
    return settings
