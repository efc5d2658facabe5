"""The alert operating characteristic of an experiment (issue 15).

When the variants of an experiment are alert policies (thresholds, confidence
of the trend detectors), each is one operating point: its mean precision
against its mean recall, and the alert volume it costs owners. The chart
reads the experiment's ``summary.parquet`` only (the variants' means).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reports.page.figures import to_base64_png

PRECISION, RECALL, VOLUME = "alert_precision", "alert_recall", "alerts_per_vehicle_month"
PRECISION_TARGET = 0.85        # seed 002: precision > 85 %
VOLUME_TARGET = 2.0            # seed 002: fewer than 2 alerts per vehicle-month
COLOR, TARGET_COLOR = "#0072B2", "#D55E00"


def operating_points(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per variant with finite precision and recall: ``variant``, precision,
    recall, alerts per vehicle-month (means over replications), by recall."""
    rows = summary[summary["kpi"].isin([PRECISION, RECALL, VOLUME])]
    wide = rows.pivot_table(index="variant", columns="kpi", values="mean", aggfunc="first")
    if not {PRECISION, RECALL} <= set(wide.columns):
        return pd.DataFrame(columns=["variant", PRECISION, RECALL, VOLUME])
    wide = wide.reindex(columns=[PRECISION, RECALL, VOLUME])
    ok = np.isfinite(wide[PRECISION].to_numpy(float)) & np.isfinite(wide[RECALL].to_numpy(float))
    return wide[ok].reset_index().sort_values(RECALL, kind="stable").reset_index(drop=True)


def operating_figure(summary: pd.DataFrame) -> str | None:
    """Precision against recall, and alerts per vehicle-month, per variant (base64 PNG);
    None with fewer than two alert policies."""
    pts = operating_points(summary)
    if len(pts) < 2:
        return None
    fig = Figure(figsize=(9.0, 3.8))
    left, right = fig.subplots(1, 2)
    recall, precision = pts[RECALL].to_numpy(float), pts[PRECISION].to_numpy(float)
    left.plot(recall, precision, "-o", color=COLOR)
    for name, x, y in zip(pts["variant"], recall, precision, strict=True):
        left.annotate(str(name), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
    left.axhline(PRECISION_TARGET, color=TARGET_COLOR, ls="--", lw=1)
    left.set_xlabel("recall (share of predicted failures)")
    left.set_ylabel("precision")
    left.set_xlim(0.0, 1.0)
    left.set_ylim(0.0, 1.02)
    volume = np.nan_to_num(pts[VOLUME].to_numpy(float))
    right.barh(np.arange(len(pts)), volume, color=COLOR)
    right.set_yticks(np.arange(len(pts)), [str(v) for v in pts["variant"]])
    right.axvline(VOLUME_TARGET, color=TARGET_COLOR, ls="--", lw=1)
    right.set_xscale("symlog", linthresh=0.01)
    right.set_xlabel("alerts per vehicle-month")
    fig.tight_layout()
    return to_base64_png(fig)
