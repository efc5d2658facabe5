"""An experiment stores each task's KPIs over time, and its report draws them per variant."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from experiments import run_experiment
from experiments.store import ResultStore
from reports.experiment import build_report


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    out = tmp_path_factory.mktemp("timeline") / "exp"
    res = run_experiment(["fleet.size=300", "horizon_days=45", "alerts.enabled=false",
                          "output.progress=false"],
                         {"staged": [], "big_bang": ["ota/rollout=big_bang"]}, replications=2,
                         out_dir=out, n_jobs=1, progress=False)
    return res


def test_each_task_stores_a_timeline_that_ends_on_its_kpis(experiment):
    out = experiment.out_dir
    files = sorted(p.relative_to(out).as_posix() for p in (out / "timeline").rglob("*.parquet"))
    assert files == [f"timeline/variant={v}/replication={r}.parquet"
                     for v in ("big_bang", "staged") for r in (0, 1)]
    tl = ResultStore(out).load_timelines(["staged", "big_bang"], 2)
    assert len(tl) == 4 * 45
    for row in experiment.kpis.itertuples(index=False):
        mine = tl[(tl.variant == row.variant) & (tl.replication == row.replication)]
        assert mine["day"].tolist() == list(range(45))
        # the last day's share is the end-of-run KPI; the waits add up to mean_wait_h
        assert mine["ota_installed_share"].iloc[-1] == pytest.approx(row.ota_installed_share_end)
        assert mine["wait_h_sum"].sum() / mine["jobs_waited"].sum() == pytest.approx(
            row.mean_wait_h)
        assert mine["ota_installed_share"].iloc[:30].isna().all()   # released on day 30
    # big_bang installs more by day 35 than staged, in every replication
    day35 = tl[tl.day == 35].pivot(index="replication", columns="variant",
                                   values="ota_installed_share")
    assert (day35["big_bang"] > day35["staged"] + 0.3).all()


def test_the_report_draws_adoption_and_weekly_wait_in_calendar_dates(experiment):
    assert experiment.meta["start_date"] == "2026-01-01"
    html = build_report(experiment.out_dir).read_text(encoding="utf-8")
    section = re.search(r'<section id="over-time">(.*?)</section>', html, re.S)
    assert section is not None
    assert 'alt="OTA adoption and weekly mean wait over time by variant"' in section.group(1)
    assert "Lines: the mean over the 2 replications of each variant" in section.group(1)


def test_an_experiment_without_timelines_says_so(experiment, tmp_path):
    import shutil
    copy = tmp_path / "old"
    shutil.copytree(experiment.out_dir, copy)
    shutil.rmtree(copy / "timeline")
    html = build_report(copy).read_text(encoding="utf-8")
    assert "the experiment&#39;s tasks stored no timeline" in html
    assert pd.read_parquet(copy / "summary.parquet").shape[0] > 0
