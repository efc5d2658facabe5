"""The run, experiment and sweep reports in a real browser (headless Chromium).

Each report must load without a console error, show its answer first (the run's
executive summary, the comparison's answer) and its headline tiles or table, and
draw every figure as a decoded, non-empty picture. Tiny fleets keep the three runs
well under a minute.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from page_check import browser, missing, open_page

from experiments import run_experiment
from reports.experiment import build_report as experiment_report
from reports.experiment import multirun_report

# Skipped with the reason on a machine without a browser, but never in CI, where .ci/run
# installs one: there a missing browser fails the test.
pytestmark = pytest.mark.skipif(bool(missing()) and os.environ.get("CI") != "true",
                                reason=missing() or "browser available")

TINY = ["fleet.size=300", "output.progress=false"]
# The headline tiles a manager reads first, cost and margin among them (issue 16, item 2).
HEADLINE_TILES = ("breakdowns_per_1000_vehicle_years", "service_jobs", "mean_wait_h",
                  "technician_utilization", "service_cost_total", "service_margin")
RUN_SELECTORS = ("#summary .summary", "#findings li",
                 *(f"#kpis #tile-{k} .value" for k in HEADLINE_TILES))
COMPARISON_SELECTORS = ("#answer", "#answer table td")
OVER_TIME = "OTA adoption and weekly mean wait over time by variant"


@pytest.fixture(scope="module")
def driver():
    with browser() as d:
        yield d


@pytest.fixture(scope="module")
def run_report(tmp_path_factory, fleetsim_cmd):
    """A 45-day run with the default OTA campaign (released on day 30)."""
    base = tmp_path_factory.mktemp("browser_run")
    run_dir = base / "run"
    proc = subprocess.run([*fleetsim_cmd(), *TINY, "horizon_days=45", f"hydra.run.dir={run_dir}"],
                          cwd=base, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return run_dir / "report.html"


@pytest.fixture(scope="module")
def experiment_page(tmp_path_factory):
    """Two rollout policies x two replications, in this process."""
    out = tmp_path_factory.mktemp("browser_exp") / "exp"
    run_experiment([*TINY, "horizon_days=45", "alerts.enabled=false"],
                   {"staged": [], "big_bang": ["ota/rollout=big_bang"]}, replications=2,
                   out_dir=out, n_jobs=1, progress=False, name="browser_check",
                   headline={"ota_installed_share_end": "higher", "mean_wait_h": "lower"})
    return experiment_report(out)


@pytest.fixture(scope="module")
def sweep_page(tmp_path_factory, fleetsim_cmd):
    """A Hydra sweep of two van densities on one seed (basic launcher)."""
    base = tmp_path_factory.mktemp("browser_sweep")
    sweep = base / "sweep"
    cmd = [*fleetsim_cmd(), "-m", *TINY, "horizon_days=15", "output.report=false",
           "output.events=false", "output.fleet_state=false",
           "service.mobile.vans_per_10000_vehicles=2,300", "seed=1", f"hydra.sweep.dir={sweep}"]
    proc = subprocess.run(cmd, cwd=base, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return multirun_report(sweep, headline={"mean_wait_h": "lower"})


def _assert_figures_drawn(page) -> None:
    assert page.figures, "the report has no figure"
    empty = [f.alt for f in page.figures if not f.drawn]
    assert empty == [], f"figures not drawn: {empty}"


def test_run_report_shows_summary_tiles_and_every_figure(driver, run_report):
    page = open_page(driver, run_report, RUN_SELECTORS)
    assert page.severe == ()
    assert page.title.startswith("fleetsim — default scenario (fleet.size=300")
    summary = page.text("#summary .summary")
    assert "roadside breakdowns per 1,000 vehicle-years" in summary
    assert summary.count(".") >= 3   # three to five sentences
    no_value = [k for k in HEADLINE_TILES if page.text(f"#kpis #tile-{k} .value") in ("", "n/a")]
    assert no_value == []
    assert page.text("#findings li")
    # the fleet, service, OTA, economics ... sections each draw at least one chart
    assert len(page.figures) >= 6
    _assert_figures_drawn(page)


def test_experiment_report_shows_answer_and_every_figure(driver, experiment_page):
    page = open_page(driver, experiment_page, COMPARISON_SELECTORS)
    assert page.severe == ()
    answer = page.text("#answer")
    assert "installed share at the end" in answer.lower()
    assert "big_bang" in page.text("#answer table td")   # installs all at once: more by day 45
    # one chart per headline KPI, and adoption and waits over time
    alts = [f.alt for f in page.figures]
    assert len(alts) >= 3 and OVER_TIME in alts
    _assert_figures_drawn(page)


def test_sweep_report_shows_answer_and_every_figure(driver, sweep_page):
    page = open_page(driver, sweep_page, COMPARISON_SELECTORS)
    assert page.severe == ()
    assert "service.mobile.vans_per_10000_vehicles=300" in page.text("#answer table td")
    assert OVER_TIME in [f.alt for f in page.figures]   # the weekly wait of each point
    _assert_figures_drawn(page)


def test_the_check_sees_a_console_error_and_a_broken_figure(driver, tmp_path):
    """The check itself can fail: a script error and an undecodable image are caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html><head><title>t</title></head><body>"
                   "<img alt='broken' src='data:image/png;base64,AAAA'>"
                   "<script>undefinedFunction();</script></body></html>", encoding="utf-8")
    page = open_page(driver, bad)
    assert any("undefinedFunction" in m for m in page.severe)
    assert [f.alt for f in page.figures if not f.drawn] == ["broken"]
