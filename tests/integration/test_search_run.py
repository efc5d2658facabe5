"""A real policy search on a tiny fleet: CLI, cache, resume, report, reproducible overrides."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from experiments.runner import run_experiment
from reports.cli import main as report_main
from reports.search.cli import main as search_main

SCENARIO = ["fleet.size=200", "horizon_days=20"]
SEARCH = ["search=van_fleet_and_experts", "search.trials=3", "search.replications=1",
          "search.final_replications=2", "search.startup_trials=3",
          "search.constraints=null", *SCENARIO]


@pytest.fixture(scope="module")
def search_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("search") / "run"
    assert search_main([*SEARCH, "--out", str(out)]) == 0
    return out


def _data(out):
    return json.loads((out / "search.json").read_text())


def test_the_report_states_overrides_that_reproduce_its_kpis(search_dir):
    page = (search_dir / "reports" / "search" / "report.html").read_text()
    words = re.search(r'<p id="recommendation-words"><b>(.*?)</b>', page).group(1)
    assert html.unescape(words).startswith("Recommended: mobile vans per 10000 vehicles = ")
    shown = html.unescape(re.search(r'<pre id="overrides">(.*?)</pre>', page, re.S).group(1))
    overrides = shown.split("\n")
    data = _data(search_dir)
    sel = data["selection"]
    rec = next(c for c in sel["candidates"] if c["trial"] == sel["recommended"])
    assert overrides == rec["overrides"]
    assert overrides[0].startswith("service.mobile.vans_per_10000_vehicles=")
    # the stated command (the search's scenario and the policy) run afresh on the final
    # selection's seeds: the same KPI means
    command = html.unescape(re.search(r'<code id="command">(.*?)</code>', page).group(1)).split()
    assert command[0] == "fleetsim" and command[-len(overrides):] == overrides
    assert "service.experts.mode=pool" in command and SCENARIO[0] in command
    base = command[1:-len(overrides)]
    again = run_experiment(base, {"recommended": overrides}, 2, search_dir.parent / "again",
                           progress=False)
    assert sorted(again.seeds) == sel["seeds"]
    for key, value in rec["means"].items():
        got = again.kpis[key].astype(float).mean()
        assert got == pytest.approx(value, rel=1e-12, abs=1e-12), key


def test_repeated_policies_come_from_the_store_and_a_rerun_resumes(search_dir):
    before = _data(search_dir)
    meta = json.loads((search_dir / "runs" / "experiment.json").read_text())
    front = len(before["front"])
    # the final selection: the front's first replication was the trials' own
    assert meta["tasks"]["total"] == 2 * (front + 1)
    assert meta["tasks"]["reused"] >= front
    assert search_main([*SEARCH, "--out", str(search_dir), "--no-report"]) == 0
    after = _data(search_dir)
    assert [t["params"] for t in after["trials"]] == [t["params"] for t in before["trials"]]
    assert json.loads((search_dir / "runs" / "experiment.json").read_text())["tasks"][
        "run"] == 0
    rows = pd.read_parquet(search_dir / "runs" / "kpis")
    assert set(rows["variant"]) == {t["policy"] for t in after["trials"]} | {
        after["selection"]["baseline"]["policy"]}


def test_fleetsim_report_renders_the_search(search_dir, capsys):
    out = search_dir / "copy.html"
    assert report_main([str(search_dir), "--out", str(out)]) == 0
    page = out.read_text()
    assert 'id="front"' in page and "Cost per mobile visit (CNY/visit)" in page
