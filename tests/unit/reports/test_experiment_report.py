"""Comparison report (leads with the answer) and the Hydra multirun merge, on synthetic data."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments.multirun import merge_multirun
from experiments.stats import summarize
from reports.experiment import multirun_report
from reports.experiment.report import build_report, render_report


def _kpis() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 1.0, 6)
    rows = []
    for name, shift in {"now": 0.0, "more_vans": -2.0, "fewer_vans": 0.05}.items():
        for r in range(6):
            rows.append({"variant": name, "replication": r, "seed": r,
                         "mean_wait_h": 20 + noise[r] + shift + 0.01 * r,
                         "service_cost_per_vehicle_year": 250.0,
                         "rescue_within_target_rate": np.nan})
    return pd.DataFrame(rows)


HEADLINE = {"mean_wait_h": "lower", "service_cost_per_vehicle_year": "lower",
            "rescue_within_target_rate": "higher", "typo_kpi": "lower"}


def _render(tmp_path):
    summary = summarize(_kpis(), "now")
    path = render_report(summary, tmp_path / "report.html", title="fleet <sizing>",
                         baseline="now", headline=HEADLINE, inputs={"seeds": [0, 1]})
    return summary, path.read_text(encoding="utf-8")


def test_report_leads_with_the_answer(tmp_path):
    summary, html = _render(tmp_path)
    answer = html.index('id="answer"')
    assert answer < html.index('id="charts"') < html.index('id="differences"')
    first_item = re.search(r"<li>(.*?)</li>", html[answer:], re.S).group(1)
    row = summary[(summary.variant == "more_vans") & (summary.kpi == "mean_wait_h")].iloc[0]
    assert first_item.startswith("mean_wait_h (lower is better): more_vans")
    assert f"{row['diff_mean']:+.4g}" in first_item
    assert f"{row['diff_ci_low']:+.4g} to {row['diff_ci_high']:+.4g}" in first_item
    assert "; distinguishable from zero" in first_item
    assert "baseline now is best" in html  # the constant cost: no variant beats the baseline
    assert "typo_kpi" in html and "not found" in html
    assert "fleet &lt;sizing&gt;" in html  # escaped


def test_report_is_self_contained_with_one_chart_per_kpi_with_values(tmp_path):
    _, html = _render(tmp_path)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 2  # mean_wait_h and cost; rescue rate has no value anywhere
    assert "No variant has a value for this KPI." in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_build_report_reads_the_experiment_files(tmp_path):
    summary = summarize(_kpis(), "now")
    summary.to_parquet(tmp_path / "summary.parquet")
    (tmp_path / "experiment.json").write_text(json.dumps({
        "name": "vans", "baseline": "now", "headline": {"mean_wait_h": "lower"},
        "seeds": [1, 2], "base_overrides": ["fleet.size=9"]}))
    html = build_report(tmp_path).read_text()
    assert "<h1>Experiment: vans</h1>" in html and "fleet.size=9" in html
    assert html.count("data:image/png;base64,") == 1


def _point(root, n, overrides, kpis, complete=True):
    d = root / str(n)
    (d / ".hydra").mkdir(parents=True)
    (d / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    (d / "kpis.json").write_text(json.dumps(kpis))
    if complete:
        seed = next((int(o.split("=")[1]) for o in overrides if o.startswith("seed=")), 2026)
        (d / "run.json").write_text(json.dumps({"seed": seed}))


def _sweep(root):
    n = 0
    for vans in (1, 3):
        for seed in (7, 5):
            wait = 30.0 - 5 * vans + seed
            _point(root, n, ["fleet.size=200", f"service.mobile.vans_per_10000_vehicles={vans}",
                             f"seed={seed}"], {"mean_wait_h": wait, "tows": None})
            n += 1
    _point(root, 10, ["fleet.size=200", "seed=9"], {"mean_wait_h": 1.0}, complete=False)


def test_merge_multirun_labels_variants_and_pairs_by_seed(tmp_path):
    _sweep(tmp_path)
    df = merge_multirun(tmp_path)
    assert df["point"].tolist() == ["0", "1", "2", "3"]
    assert df["variant"].tolist() == ["service.mobile.vans_per_10000_vehicles=1"] * 2 + [
        "service.mobile.vans_per_10000_vehicles=3"] * 2
    assert df["seed"].tolist() == [7, 5, 7, 5]
    assert df["replication"].tolist() == [1, 0, 1, 0]  # rank of the seed
    assert df["mean_wait_h"].tolist() == [32.0, 30.0, 22.0, 20.0]
    assert df["tows"].isna().all()
    assert df.attrs["incomplete"] == ["10"]


def test_multirun_report_compares_against_the_first_point(tmp_path):
    _sweep(tmp_path)
    path = multirun_report(tmp_path, headline={"mean_wait_h": "lower"})
    s = pd.read_parquet(tmp_path / "summary.parquet")
    row = s[(s.kpi == "mean_wait_h") & ~s.is_baseline].iloc[0]
    assert row["variant"] == "service.mobile.vans_per_10000_vehicles=3"
    assert row["diff_mean"] == -10.0 and row["diff_n"] == 2
    assert bool(row["diff_distinguishable"])  # the same -10 in both pairs
    html = path.read_text()
    assert ("mean_wait_h (lower is better): service.mobile.vans_per_10000_vehicles=3 21 vs "
            "baseline service.mobile.vans_per_10000_vehicles=1 31: -10 (-32.3%)") in html
    assert (tmp_path / "multirun_kpis.parquet").is_file()
    assert (tmp_path / "summary.csv").read_text().startswith("variant,kpi,is_baseline,n,mean")


def test_merge_multirun_refuses_duplicates_and_empty_dirs(tmp_path):
    with pytest.raises(FileNotFoundError):
        merge_multirun(tmp_path)
    _point(tmp_path, 0, ["a=1", "seed=1"], {"k": 1.0})
    _point(tmp_path, 1, ["a=1", "seed=1"], {"k": 2.0})
    with pytest.raises(ValueError, match="same overrides and seed"):
        merge_multirun(tmp_path)


def test_kpis_are_shown_by_their_catalogue_label_and_unit(tmp_path):
    from reports.experiment.report import kpi_title

    assert kpi_title("mean_wait_h") == "Mean wait (h)"
    assert kpi_title("technician_utilization") == "Technician utilization (share)"
    assert kpi_title("failures_total") == "Component failures"
    assert kpi_title("typo_kpi") == "typo_kpi"
    summary = pd.DataFrame({"variant": ["a", "b"], "replication": [0, 0],
                            "mean_wait_h": [2.0, 1.0]})
    out = render_report(summarize(summary, "a"), tmp_path / "r.html", title="t", baseline="a",
                        headline={"mean_wait_h": "lower"}, inputs={})
    html = out.read_text()
    assert '<td title="mean_wait_h">Mean wait (h)</td>' in html
    assert "<h3>Mean wait (h): lower is better <code>mean_wait_h</code></h3>" in html
