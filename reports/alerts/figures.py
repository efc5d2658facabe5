"""Alert figures: lead-time distribution by level and monthly alert volume, as base64 PNG."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reports.alerts.view import LEVEL_COLORS, LEVELS
from reports.page.figures import WIDTH_IN, style, to_base64_png

ACCEPTED_COLOR = "#009E73"
IGNORED_COLOR = "#8C959F"
LIMIT_COLOR = "#D55E00"
_OTHER_COLOR = "#CC79A7"


def lead_time_figure(alerts: pd.DataFrame) -> str | None:
    """Histogram of the lead time of true alerts in one-day bins, stacked by level.

    Args:
        alerts: Scored alerts with ``level``, ``true`` and ``lead_days``
            (:func:`sim.alerts.alert_truth`).

    Returns:
        Base64 PNG, or ``None`` when no alert came true.
    """
    true = alerts[alerts["true"]]
    if true.empty:
        return None
    present = set(true["level"].astype(str))
    levels = [lv for lv in LEVELS if lv in present] + sorted(present - set(LEVELS))
    top = max(1, math.ceil(float(true["lead_days"].max())))
    edges = np.arange(0, top + 1, 1 if top <= 60 else math.ceil(top / 60))
    if edges[-1] < top:
        edges = np.append(edges, edges[-1] + edges[1])
    fig = Figure(figsize=(WIDTH_IN, 3.2), layout="constrained")
    ax = fig.subplots()
    bottom = np.zeros(len(edges) - 1)
    for level in levels:
        lead = true.loc[true["level"] == level, "lead_days"].to_numpy(float)
        counts, _ = np.histogram(lead, bins=edges)
        name = f"{level}: {len(lead):,}, median {np.median(lead):.1f} d"
        ax.bar(
            edges[:-1],
            counts,
            np.diff(edges),
            bottom=bottom,
            align="edge",
            color=LEVEL_COLORS.get(level, _OTHER_COLOR),
            edgecolor="white",
            linewidth=0.5,
            label=name,
        )
        bottom += counts
    median = float(np.median(true["lead_days"]))
    ax.axvline(median, color="#000000", ls="--", lw=1.2, label=f"median {median:.1f} d")
    style(
        ax,
        f"Warning before the failure, alerts that came true ({len(true):,})",
        "days from alert to failure (or to the failure the repair prevented)",
        "alerts",
    )
    handles, labels = ax.get_legend_handles_labels()
    # Levels first (the order they were drawn in), the overall median last.
    ax.legend(handles[1:] + handles[:1], labels[1:] + labels[:1], fontsize=8, frameon=False)
    return to_base64_png(fig)


def alert_volume_figure(monthly: pd.DataFrame, limit: float | None = None) -> str | None:
    """Alerts per vehicle-month in each month, stacked accepted / ignored.

    Args:
        monthly: :func:`reports.alerts.monthly_volume`.
        limit: A per-vehicle cap to draw as a line; drawn only when it is within
            reach of the bars (a line far above would flatten them).

    Returns:
        Base64 PNG, or ``None`` when the run had no alert.
    """
    if monthly.empty or not (monthly["accepted"] + monthly["ignored"]).any():
        return None
    fig = Figure(figsize=(WIDTH_IN, 3.0), layout="constrained")
    ax = fig.subplots()
    left = monthly["start_d"].to_numpy(float) + monthly["days"].to_numpy(float) * 0.1
    width = monthly["days"].to_numpy(float) * 0.8
    accepted = monthly["accepted_rate"].to_numpy(float)
    ignored = monthly["ignored_rate"].to_numpy(float)
    ax.bar(left, accepted, width, align="edge", color=ACCEPTED_COLOR, label="accepted")
    ax.bar(
        left, ignored, width, bottom=accepted, align="edge", color=IGNORED_COLOR, label="ignored"
    )
    if limit is not None and (accepted + ignored).max() >= limit / 4:
        ax.axhline(limit, color=LIMIT_COLOR, ls="--", lw=1.2, label=f"limit {limit:g}")
    style(ax, "Alerts per vehicle-month", "day", "alerts per vehicle-month")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_base64_png(fig)
