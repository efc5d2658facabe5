"""The containment table of a defect-rate sweep per policy (issue 15) and its chart."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from experiments.containment import EXPOSED, containment_rows
from reports.experiment.containment import containment_figure, containment_table


def _summary(values: dict[str, float]) -> pd.DataFrame:
    rows = [{"variant": v, "kpi": EXPOSED, "mean": x, "ci_low": x - 1, "ci_high": x + 1}
            for v, x in values.items()]
    rows.append({"variant": "staged-d05", "kpi": "ota_service_jobs", "mean": 3.0,
                 "ci_low": 2.0, "ci_high": 4.0})
    rows.append({"variant": "other", "kpi": EXPOSED, "mean": 7.0, "ci_low": 6.0, "ci_high": 8.0})
    return pd.DataFrame(rows)


def test_rows_per_policy_and_rate_with_the_share_of_big_bang():
    rows = containment_rows(_summary({"big_bang-d05": 1000.0, "staged-d05": 50.0,
                                      "staged-d30": 8.0, "big_bang-d30": 800.0,
                                      "staged_rate-d01": 900.0}))
    got = {(r["policy"], r["defect_pct"]): r for r in rows}
    assert sorted(got) == [("big_bang", 5), ("big_bang", 30), ("staged", 5), ("staged", 30),
                           ("staged_rate", 1)]
    assert got[("staged", 5)]["share_of_big_bang"] == pytest.approx(0.05)
    assert got[("staged", 30)]["share_of_big_bang"] == pytest.approx(0.01)
    assert got[("big_bang", 5)]["share_of_big_bang"] == 1.0
    assert math.isnan(got[("staged_rate", 1)]["share_of_big_bang"])   # no big bang at 1 %
    table = containment_table(rows)
    assert {"policy": "staged", "defect": "5 %", "exposed": "50", "share": "5.0 %"} in table
    assert containment_figure(rows)
    assert containment_figure([]) is None and containment_rows(_summary({})) == []
