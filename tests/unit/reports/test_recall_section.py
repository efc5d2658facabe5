"""The report's hardware-recall section (reports/recall/section.py)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from reports.page.loader import RunFiles
from reports.recall import section as recall


def _daily(announce: int = 30, days: int = 120, affected: int = 200) -> pd.DataFrame:
    day = np.arange(days)
    after = np.clip(day - announce, 0, None)
    remedied = np.minimum(affected, 4 * after)       # 4 a day after the announcement
    booked = np.diff(np.r_[0, remedied])
    return pd.DataFrame({"day": day, "recall_affected": float(affected),
                         "recall_announced": (day >= announce).astype(float),
                         "recall_kits_shipped": np.where(day >= announce, 5.0, 0.0),
                         "recall_booked": booked.astype(float),
                         "recall_remedied": remedied.astype(float)})


KPIS = {"recall_vehicles": 200.0, "recall_defect_failures": 12.0,
        "recall_days_to_announce": 30.0, "recall_completion_share": 1.0,
        "recall_days_to_90pct": 45.0, "regular_mean_wait_h": 61.5}


def test_the_section_shows_the_campaign():
    part = recall.build(RunFiles(Path("run"), KPIS, {}, daily=_daily()))
    (section,) = part.sections
    page = section.content
    assert section.anchor == "recall" and page.image
    assert "200 vehicles" in page.caption and "12 failures" in page.caption
    assert "announced on day 30" in page.caption and "90 % after 45 days" in page.caption
    assert [t.label for t in page.tiles][:2] == ["Recall: vehicles affected",
                                                 "Recall: defect failures"]


def test_a_recall_never_announced_says_so():
    kpis = KPIS | {"recall_days_to_announce": math.nan, "recall_days_to_90pct": math.nan}
    part = recall.build(RunFiles(Path("run"), kpis, {}, daily=_daily(announce=10**6)))
    assert "not announced within the run" in part.sections[0].content.caption


def test_no_recall_no_section():
    daily = _daily().drop(columns=[c for c in _daily() if c.startswith("recall_")])
    assert recall.build(RunFiles(Path("run"), KPIS, {}, daily=daily)).sections == ()
    assert recall.build(RunFiles(Path("run"), KPIS, {}, daily=None)).sections == ()
