"""The alert operating-characteristic chart of an experiment report, on synthetic summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.stats import summarize
from reports.experiment.operating import operating_figure, operating_points
from reports.experiment.report import render_report

# variant -> (precision, recall, alerts per vehicle-month); "none" has no alerts.
POLICIES = {"none": (np.nan, np.nan, 0.0), "strict": (0.97, 0.40, 0.012),
            "default": (0.94, 0.55, 0.018), "loose": (0.80, 0.70, 0.030)}


def _summary() -> pd.DataFrame:
    rows = [{"variant": v, "replication": r, "seed": r, "alert_precision": p + 0.001 * r,
             "alert_recall": rc, "alerts_per_vehicle_month": vol}
            for v, (p, rc, vol) in POLICIES.items() for r in range(3)]
    return summarize(pd.DataFrame(rows), "default")


def test_each_alert_policy_is_one_point_ordered_by_recall():
    pts = operating_points(_summary())
    assert pts["variant"].tolist() == ["strict", "default", "loose"]   # "none": no point
    assert pts["alert_precision"].tolist() == pytest.approx([0.971, 0.941, 0.801])  # 3 reps
    assert pts["alerts_per_vehicle_month"].tolist() == pytest.approx([0.012, 0.018, 0.030])


def test_the_report_shows_the_chart_only_for_alert_policies(tmp_path):
    summary = _summary()
    assert operating_figure(summary) is not None
    html = render_report(summary, tmp_path / "r.html", title="alerts", baseline="default",
                         headline={"alert_precision": "higher"}, inputs={}).read_text()
    assert 'id="operating"' in html and html.index('id="operating"') < html.index('id="charts"')
    other = summary[~summary["kpi"].isin(["alert_precision", "alert_recall"])]
    assert operating_figure(other) is None
    html = render_report(other, tmp_path / "o.html", title="x", baseline="default",
                         headline={}, inputs={}).read_text()
    assert 'id="operating"' not in html
