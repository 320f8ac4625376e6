"""The package reads like the nightly flow (docs/architecture.md): a stage imports from the
stages before it and from the shared top-level modules, never from a stage after it, and
no stage imports the orchestration or the command line that sit on top of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import citytiers

pytestmark = pytest.mark.unit

PACKAGE = Path(citytiers.__file__).parent
FLOW = ("discover", "parse", "gates", "load", "transform", "audit", "publish", "report")
ON_TOP = ("orchestration", "cli")
# Reads of later stages' tables that docs/architecture.md names and explains.
EXPLAINED = {("discover", "citytiers.load.release_states"), ("discover", "citytiers.parse.layouts")}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {node.module for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module}
    found |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
              for alias in node.names}
    return {name for name in found if name.startswith("citytiers.")}


def test_every_subpackage_says_its_one_job() -> None:
    for stage in (*FLOW, *ON_TOP, "validate", "parse/read", "parse/layouts",
                  "parse/normalize"):
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert doc and len(doc.split()) >= 8, f"{stage}/__init__.py needs a docstring"


def test_no_stage_imports_a_later_stage_or_the_layers_on_top() -> None:
    backwards = []
    for stage in FLOW:
        for path in sorted((PACKAGE / stage).rglob("*.py")):
            for module in imported_modules(path):
                target = module.split(".")[1]
                later = target in FLOW and FLOW.index(target) > FLOW.index(stage)
                if (later or target in ON_TOP) and (stage, module) not in EXPLAINED:
                    backwards.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert backwards == []


def test_the_architecture_page_draws_every_subpackage() -> None:
    page = (PACKAGE.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = {line.split()[0].rstrip("/") for line in page.splitlines()
             if line.strip().endswith(tuple("abcdefghijklmnopqrstuvwxyz)"))
             and line.split() and line.split()[0].endswith("/")}
    drawn |= {line.split()[1].rstrip("/") for line in page.splitlines()
              if line.strip().startswith(("├─", "└─"))}
    subpackages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")} - {"samples"}
    subpackages |= {path.parent.name for path in PACKAGE.glob("*/*/__init__.py")}
    assert subpackages <= drawn
