"""Nothing heavy is imported before it is needed (issue 24): a night that publishes nothing
reaches the report step, which asks where the analytics page is, and must not pay for
matplotlib; a CLI command that loads nothing imports neither Great Expectations nor dbt.
Each case runs in a fresh interpreter, so that no other test's imports count."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "great_expectations", "dbt")


def imported_after(code: str) -> set[str]:
    """The heavy top-level packages in ``sys.modules`` after running ``code``."""
    probe = (f"import sys\n{code}\n"
             f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.mark.unit
def test_the_report_step_imports_matplotlib_only_to_draw() -> None:
    assert imported_after(
        "import citytiers.orchestration.steps\n"
        "from citytiers.report.analytics import analytics_dir, write_analytics") == set()
    # Drawing a chart imports it (citytiers.report.charts, on the first chart).
    assert "matplotlib" in imported_after(
        "from citytiers.report import charts\n"
        "assert charts.line([2023], {'GDP': [1.0]}, title='t', ylabel='y', "
        "synthetic=False).startswith('<svg')")


@pytest.mark.unit
@pytest.mark.parametrize("arguments", [["--help"], ["status", "--help"], ["load", "--help"]])
def test_a_cli_command_that_loads_nothing_imports_neither_gx_nor_dbt(arguments) -> None:
    assert imported_after(
        "from click.testing import CliRunner\n"
        "from citytiers.cli.main import main\n"
        f"result = CliRunner().invoke(main, {arguments!r})\n"
        "assert result.exit_code == 0, result.output") == set()
