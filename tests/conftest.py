"""Shared fixtures and the suite's rules.

- Every test carries exactly one layer marker (unit, functional, e2e); an unmarked test
  fails collection, so no test silently lands in the wrong layer.
- Tests that need ``../shared/data`` use the ``shared_data`` fixture: skipped with a
  reason on a user's fresh clone, a failure in CI (``CI=true``), where every test runs.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Airflow reads its home at import time: never let a test touch ~/airflow.
if "AIRFLOW_HOME" not in os.environ:
    _AIRFLOW_HOME = tempfile.mkdtemp(prefix="citytiers-airflow-home-")
    os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
    atexit.register(shutil.rmtree, _AIRFLOW_HOME, ignore_errors=True)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from citytiers.parse.normalize.dictionary import Dictionary, load_dictionary
from citytiers.settings import PROJECT_ROOT, SAMPLE_RELEASES_DIR, Settings

LAYER_MARKERS = {"unit", "functional", "e2e"}
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
CASES = Path(__file__).resolve().parent / "cases"
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = [item.nodeid for item in items
                if not LAYER_MARKERS & {m.name for m in item.iter_markers()}]
    if unmarked:
        raise pytest.UsageError(
            "tests without a layer marker (" + ", ".join(sorted(LAYER_MARKERS)) + "): "
            + ", ".join(unmarked))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if IN_CI and skipped:
        terminalreporter.write_line(
            f"CI=true: {len(skipped)} test(s) skipped; in CI every test must run.", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (real public datasets); skip where absent, fail in CI."""
    if not SHARED_DATA.is_dir():
        message = f"real datasets not found at {SHARED_DATA} (they sit beside the repo in CI)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


def _missing(message: str) -> None:
    """Skip where a system package is absent; fail in CI, which installs it (.ci/run)."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's ``chromium``, driven by Playwright) with the network
    blocked: every host name resolves to nothing, so a page that needs a CDN shows it.
    Needs ``chromium`` and a CJK font (``fonts-noto-cjk``) for the Chinese labels."""
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        _missing("chromium is not installed (apt-get install chromium; .ci/run does)")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    if "CJK" not in fonts.stdout:
        _missing("no CJK font (apt-get install fonts-noto-cjk; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            args=["--host-resolver-rules=MAP * ~NOTFOUND", "--no-sandbox"])
        yield launched
        launched.close()


# Screenshots the tests take (the README and docs/ show copies of them: docs/images/).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def dictionary() -> Dictionary:
    return load_dictionary(PROJECT_ROOT / "dbt_project" / "seeds")


@pytest.fixture()
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh warehouse in a temporary folder, using this checkout's dbt and GX projects."""
    warehouse = tmp_path / "warehouse"
    monkeypatch.setenv("CITYTIERS_HOME", str(PROJECT_ROOT))
    monkeypatch.setenv("CITYTIERS_WAREHOUSE", str(warehouse))
    built = Settings(home=PROJECT_ROOT, warehouse=warehouse)
    built.ensure_dirs()
    return built


@pytest.fixture(scope="session")
def load_releases(tmp_path_factory: pytest.TempPathFactory):
    """``load_releases(name, *sources, build_marts=False) -> Settings``: a new warehouse in a
    temporary folder with every release found in ``sources`` (folders or single files, read
    where they are, like the DAG's extra_source_dirs) loaded through the normal ingestion
    path; every one must load. Optionally ``dbt build`` on top."""
    from citytiers.discover.candidates import discover
    from citytiers.load.ingest import ingest
    from citytiers.transform.dbt_runner import build

    def load(name: str, *sources: Path, build_marts: bool = False) -> Settings:
        settings = Settings(home=PROJECT_ROOT, warehouse=tmp_path_factory.mktemp(name))
        settings.ensure_dirs()
        # Reference releases (code lists, change events) first, as the DAG loads them.
        candidates = sorted(discover(settings, list(sources)),
                            key=lambda candidate: candidate.kind != "reference")
        outcomes = [ingest(settings, candidate) for candidate in candidates]
        assert outcomes and {o.status for o in outcomes} == {"loaded"}, [
            (o.file_name, o.reason) for o in outcomes]
        if build_marts:
            build(settings)
        return settings

    return load


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLE_RELEASES_DIR
