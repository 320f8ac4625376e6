"""Write-audit-publish with culprit isolation, on real dbt, GX and DuckDB.

One night, four SYNTHETIC releases: the 2022 and 2023 sample communiqués, a good 2024
communiqué (唐山, 秦皇岛: +5 %) and a bad one (北京 2024 at 2.5 times 2023). The bad one
passes its own gates (a fivefold jump is the adjacent-year gate's limit) but its growth
(+150 %) fails the mart audit: it is quarantined after the fact and the rest is published.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from citytiers.audit import verdict as audit
from citytiers.cli.main import main
from citytiers.discover.candidates import discover
from citytiers.orchestration import steps
from citytiers.settings import PROJECT_ROOT, SAMPLE_RELEASES_DIR, Settings
from citytiers.transform.build_state import needs_build
from citytiers.transform.dbt_runner import run_dbt

# Slow: builds the marts with dbt several times (`make test-fast` leaves it out).
pytestmark = pytest.mark.slow

RUN = "scheduled__2026-12-01T02:00:00+08:00"
BASE = ("sample_communique_2022.csv", "sample_communique_2023.csv")
HEADER = "city_code,city_name,data_year,indicator,scope,value,unit\n"
SIDECAR = """# SYNTHETIC test release (test_verdict_isolation.py): invented figures.
publisher: sample
title: "SYNTHETIC SAMPLE - {title}"
edition_year: 2025
data_year: 2024
published_on: {published_on}
license: CC0-1.0
format: tidy_csv
is_synthetic: true
"""


def gdp_2023(city_code: str) -> float:
    """The 2023 sample communiqué's GDP of ``city_code`` (亿元, as printed)."""
    for line in (SAMPLE_RELEASES_DIR / BASE[1]).read_text(encoding="utf-8").splitlines():
        fields = line.split(",")
        if fields[0] == city_code and fields[3] == "gdp":
            return float(fields[5])
    raise AssertionError(city_code)


def write_release(folder: Path, name: str, rows: list[tuple[str, str, float]],
                  published_on: str) -> Path:
    path = folder / name
    path.write_text(HEADER + "".join(f"{code},{city},2024,gdp,全市,{value:.2f},亿元\n"
                                     for code, city, value in rows), encoding="utf-8")
    path.with_name(name + ".release.yml").write_text(
        SIDECAR.format(title=name, published_on=published_on), encoding="utf-8")
    return path


def make_sources(folder: Path) -> Path:
    folder.mkdir()
    for name in BASE:
        for suffix in ("", ".release.yml"):
            shutil.copy(SAMPLE_RELEASES_DIR / (name + suffix), folder / (name + suffix))
    write_release(folder, "good_2024.csv", [
        ("130200", "唐山市", gdp_2023("130200") * 1.05),
        ("130300", "秦皇岛市", gdp_2023("130300") * 1.05)], "2025-03-01")
    write_release(folder, "bad_2024.csv", [("110000", "北京市", gdp_2023("110000") * 2.5)],
                  "2025-03-02")
    return folder


def build_facts(settings: Settings) -> None:
    """``dbt build`` of the fact table and what it needs, on the writer's database (the
    withdraw test needs no more, and half a build is half the time)."""
    run_dbt(settings, ["build", "--select", "+fct_city_indicator", "--indirect-selection",
                       "cautious", "--exclude-resource-type", "unit_test"])


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def published_marts(db: Path) -> dict[str, list[tuple]]:
    tables = [t for (t,) in query(db, "select table_name from information_schema.tables "
                                      "where table_schema = 'marts' order by 1")]
    return {t: sorted(query(db, f"select * from marts.{t}"), key=repr) for t in tables}


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory):
    """The degraded night: loaded, built, audited (culprit isolated), published."""
    root = tmp_path_factory.mktemp("isolation")
    settings = Settings(home=PROJECT_ROOT, warehouse=root / "warehouse")
    sources = make_sources(root / "sources")
    outcomes = steps.load_paths([sources], settings, RUN)
    assert {o["file_name"]: o["status"] for o in outcomes} == {
        **dict.fromkeys(BASE, "loaded"), "good_2024.csv": "loaded", "bad_2024.csv": "loaded"}
    verdict = steps.build_and_audit(RUN, settings)
    steps.publish(settings)
    return settings, sources, outcomes, verdict


@pytest.mark.functional
def test_the_release_whose_rows_fail_the_audit_is_quarantined_and_the_rest_published(
        night) -> None:
    settings, _, outcomes, verdict = night
    bad = next(o["release_id"] for o in outcomes if o["file_name"] == "bad_2024.csv")
    assert verdict["degraded"] is True
    assert verdict["rounds"] == 2  # the failing build, then the one without the culprit
    assert set(verdict["quarantined"]) == {bad}
    reason = verdict["quarantined"][bad]
    assert "mart_growth_ranking_year" in reason and "gdp_growth_nominal_pct" in reason
    # In a steward's words: the release, the city and year, the value and the bound.
    assert f"rows computed from release bad_2024.csv ({bad[:12]})" in reason
    assert "outside the allowed -50 to 100" in reason
    assert "np.float64" not in reason and "{'" not in reason

    db = settings.published_db
    assert query(db, "select city_code, round(value / 1e8, 2) from marts.fct_city_indicator "
                     "where data_year = 2024 and indicator_code = 'gdp' order by 1") == [
        ("130200", round(gdp_2023("130200") * 1.05, 2)),
        ("130300", round(gdp_2023("130300") * 1.05, 2))]
    assert query(db, "select count(*) from marts.dim_release") == [(3,)]
    # Still in raw, queryable, with its state and the reason.
    assert query(db, f"select count(*) from raw.observations where release_id = '{bad}'") \
        == [(1,)]
    [(state, changed_by, state_reason)] = query(
        db, "select distinct state, state_changed_by, state_reason from raw.release_states "
            f"where release_id = '{bad}'")
    assert (state, changed_by) == ("quarantined_after_audit", "audit")
    assert state_reason == reason


@pytest.mark.functional
def test_the_night_is_degraded_and_says_so(night, caplog: pytest.LogCaptureFixture) -> None:
    settings, _, outcomes, _ = night
    with caplog.at_level(logging.WARNING, logger="citytiers.report.alerts"):
        verdict = steps.night_verdict(RUN, settings)
    assert verdict["state"] == "degraded"
    assert list(verdict["quarantined"].values()) == ["bad_2024.csv"]
    [alert] = [r for r in caplog.records if r.name == "citytiers.report.alerts"]
    assert alert.levelno == logging.WARNING and "bad_2024.csv" in alert.getMessage()
    summary = Path(steps.report(RUN, "2026-12-01", outcomes, settings)).read_text(
        encoding="utf-8")
    assert "DEGRADED: 1 release(s) quarantined after the audit" in summary
    assert "quarantined after the audit: bad_2024.csv" in summary
    assert "1 quarantined after the audit" in summary


@pytest.mark.functional
def test_running_the_night_again_changes_nothing(night) -> None:
    settings, sources, _, first = night
    before = published_marts(settings.published_db)
    assert steps.load_paths([sources], settings, RUN) == []  # nothing is loaded twice
    again = steps.build_and_audit(RUN, settings)
    assert again["rounds"] == 1  # the culprit is already out
    assert again["quarantined"] == first["quarantined"]  # still tonight's, still degraded
    steps.publish(settings)
    assert published_marts(settings.published_db) == before


@pytest.mark.functional
def test_withdraw_and_restore_round_trip(night) -> None:
    """Withdraw the good 2024 release: its figures leave the next build but stay in raw,
    and discovery never loads its file again; restore brings them back."""
    settings, sources, _, _ = night
    env = {"CITYTIERS_WAREHOUSE": str(settings.warehouse), "CITYTIERS_HOME": str(PROJECT_ROOT)}
    runner = CliRunner()

    def tangshan_2024() -> list[tuple]:
        return query(settings.build_db, "select count(*) from marts.fct_city_indicator "
                                        "where city_code = '130200' and data_year = 2024")

    assert needs_build(settings) is False  # published, current
    done = runner.invoke(main, ["releases", "withdraw", "good_2024.csv",
                                "--reason", "publisher recalled the table"], env=env)
    assert done.exit_code == 0, done.output
    assert needs_build(settings) is True  # a quiet night rebuilds
    assert "withdrawn (publisher recalled the table)" in done.output
    listed = runner.invoke(main, ["releases", "list", "--state", "withdrawn"], env=env)
    assert "good_2024.csv" in listed.output and "bad_2024.csv" not in listed.output
    assert discover(settings, [sources]) == []  # never loaded again
    build_facts(settings)
    assert tangshan_2024() == [(0,)]
    assert query(settings.build_db, "select count(*) from raw.observations o join "
                 "raw.releases r using (release_id) where r.file_name = 'good_2024.csv'") \
        == [(2,)]

    again = runner.invoke(main, ["releases", "withdraw", "good_2024.csv", "--reason", "x"],
                          env=env)
    assert again.exit_code == 0 and "already withdrawn; nothing recorded" in again.output
    unknown = runner.invoke(main, ["releases", "withdraw", "nope.csv", "--reason", "x"],
                            env=env)
    assert unknown.exit_code == 1 and "no release matches 'nope.csv'" in unknown.output

    restored = runner.invoke(main, ["releases", "restore", "good_2024.csv"], env=env)
    assert restored.exit_code == 0, restored.output
    build_facts(settings)
    assert tangshan_2024() == [(1,)]
    assert query(settings.build_db, "select action from raw.release_state_changes "
                                    "order by change_seq") == [
        ("quarantine_after_audit",), ("withdraw",), ("restore",)]


@pytest.mark.functional
def test_a_failed_dbt_test_names_its_rows_releases(night) -> None:
    """A dbt test that fails is run again with --store-failures and its stored rows name
    their release (here a NULL planted in the night's candidate, under good_2024.csv)."""
    settings, _, outcomes, _ = night
    good = next(o["release_id"] for o in outcomes if o["file_name"] == "good_2024.csv")
    with duckdb.connect(str(settings.candidate_db)) as connection:
        connection.execute("update marts.fct_city_indicator set indicator_code = null "
                           "where city_code = '130200' and data_year = 2024")
    test_id = "test.citytiers.not_null_fct_city_indicator.0"
    checks = audit.dbt_test_failures(settings, settings.candidate_db,
                                      audit.DbtFailed("build", [], failed_tests=[test_id]))
    [(check, rows)] = checks
    assert "not_null_fct_city_indicator" in check
    assert "null in indicator_code" in check  # the one test per model names the column
    assert [row["release_id"] for row in rows] == [good]
    assert {row["null_columns"] for row in rows} == {"indicator_code"}
    failures, order = audit.attribute(settings.candidate_db, checks)
    assert audit.culprits_of(failures, {good}, order)[0] == {good: [check]}


@pytest.mark.functional
def test_an_audit_that_still_fails_publishes_nothing(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """With one build allowed, the culprit is named but no clean build is left to
    publish: nothing is published, and the reason says why."""
    monkeypatch.setenv("CITYTIERS_AUDIT_MAX_ROUNDS", "1")
    settings = Settings(home=PROJECT_ROOT, warehouse=tmp_path / "warehouse")
    steps.load_paths([make_sources(tmp_path / "sources")], settings, RUN)
    with pytest.raises(audit.AuditFailed,
                       match=re.escape("the audit still failed after 1 build(s)")) as failed:
        steps.build_and_audit(RUN, settings)
    assert "still failed after 1 build(s)" in str(failed.value)
    assert "bad_2024.csv" in str(failed.value)
    assert not settings.published_db.exists()
    assert steps.night_verdict(RUN, settings)["state"] == "failed"
