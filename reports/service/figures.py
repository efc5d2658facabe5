"""Service figures: load over time, waits, jobs by channel and outcome, rescue response."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from reports.page.figures import (
    LINE_COLORS,
    WIDTH_IN,
    day_axis,
    days,
    period_days,
    style,
    to_base64_png,
)
from reports.service.view import CHANNELS, OUTCOMES
from reports.service.waits import WaitStats

OUTCOME_COLORS = {
    "remote_fixed": "#56B4E9",
    "fixed_first_visit": "#009E73",
    "fixed_after_revisit": "#E69F00",
    "open": "#8C959F",
}
IN_TIME_COLOR = "#009E73"
LATE_COLOR = "#D55E00"
# Log-axis ticks for response times, in hours.
_HOUR_TICKS = (0.25, 0.5, 1, 2, 4, 8, 24, 48, 168, 720)


def _present(daily: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    return [c for c in columns if c in daily.columns]


def service_figure(daily: pd.DataFrame) -> str | None:
    """Jobs created / finished per period, and backlog, busy technicians, vehicles down.

    Args:
        daily: The daily table; uses ``jobs_created``, ``jobs_finished``, ``jobs_open``,
            ``technicians_busy`` and ``vehicles_down`` where present.

    Returns:
        Base64 PNG, or ``None`` when none of those columns exist.
    """
    flows = _present(daily, ("jobs_created", "jobs_finished"))
    levels = _present(daily, ("jobs_open", "technicians_busy", "vehicles_down"))
    if daily.empty or (not flows and not levels):
        return None
    x = days(daily)
    fig = Figure(figsize=(WIDTH_IN, 2.2 + 2.0 * bool(flows) * bool(levels)), layout="constrained")
    axes = fig.subplots(int(bool(flows)) + int(bool(levels)), 1, sharex=True, squeeze=False)[:, 0]
    if flows:
        period = period_days(len(daily))
        start = int(x.min())
        bins = (x - start) // period
        sums = daily[flows].groupby(bins).sum()
        # The last period may be partial: its bars are narrower, in proportion to its days.
        spans = np.minimum(period, int(x.max()) + 1 - start - sums.index.to_numpy() * period)
        lefts = start + sums.index.to_numpy() * period + spans * 0.1
        width = spans * 0.8 / len(flows)
        for i, col in enumerate(flows):
            label_text = col.replace("_", " ")
            axes[0].bar(
                lefts + width * i,
                sums[col],
                width,
                align="edge",
                color=LINE_COLORS[i],
                label=label_text,
            )
        unit = "week" if period == 7 else "4 weeks"
        style(axes[0], f"Service jobs per {unit}", "", "jobs")
        axes[0].legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if levels:
        ax = axes[-1]
        names = {
            "jobs_open": "open jobs (backlog)",
            "technicians_busy": "technicians and bays busy",
            "vehicles_down": "vehicles off the road",
        }
        edges = np.append(x, x[-1] + 1)
        for i, col in enumerate(levels):
            # A level holds over the whole day, so draw day d as the step [d, d + 1).
            ax.stairs(
                daily[col], edges, baseline=None, lw=1.5, color=LINE_COLORS[i], label=names[col]
            )
        style(ax, "Daily levels", "day", "count")
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes[-1].set_xlabel(day_axis(axes[-1], "day"), fontsize=9)
    return to_base64_png(fig)


def wait_figure(waits_h: pd.Series, stats: WaitStats) -> str | None:
    """Histogram of job waits in hours with the mean and 90th percentile marked.

    Args:
        waits_h: Wait of each assigned job in hours.
        stats: Summary of the same waits.

    Returns:
        Base64 PNG, or ``None`` when there are no waits.
    """
    values = waits_h.to_numpy(dtype=float)
    if values.size == 0:
        return None
    edges = np.histogram_bin_edges(values, bins="auto")
    if len(edges) > 61:
        edges = np.linspace(edges[0], edges[-1], 61)
    fig = Figure(figsize=(WIDTH_IN, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.hist(values, bins=edges, color="#56B4E9", edgecolor="white", linewidth=0.5)
    ax.axvline(stats.mean_h, color="#000000", ls="--", lw=1.2, label=f"mean {stats.mean_h:.1f} h")
    ax.axvline(stats.p90_h, color="#D55E00", ls=":", lw=1.6, label=f"p90 {stats.p90_h:.1f} h")
    style(
        ax,
        f"Wait from job creation to first technician or bay ({stats.n_jobs:,} jobs)",
        "wait (hours)",
        "jobs",
    )
    ax.legend(fontsize=8, frameon=False)
    return to_base64_png(fig)


def _channel_bars(ax: Axes, jobs: pd.DataFrame) -> None:
    """Horizontal bars of jobs per channel, stacked by final outcome, with count and share."""
    present = set(jobs["channel"]) - {""}
    channels = [c for c in CHANNELS if c in present] + sorted(present - set(CHANNELS))
    counts = (
        pd.crosstab(jobs["channel"], jobs["outcome"])
        .reindex(index=channels, columns=list(OUTCOMES), fill_value=0)
        .to_numpy()
    )
    y = np.arange(len(channels))
    left = np.zeros(len(channels))
    for i, (outcome, name) in enumerate(OUTCOMES.items()):
        if counts[:, i].any():
            ax.barh(y, counts[:, i], 0.62, left=left, color=OUTCOME_COLORS[outcome], label=name)
        left += counts[:, i]
    first = counts[:, list(OUTCOMES).index("fixed_first_visit")]
    fixed = first + counts[:, list(OUTCOMES).index("fixed_after_revisit")]
    for yi, n, f1, fx in zip(y, left, first, fixed, strict=True):
        text = f"{n:,.0f}" + (f" · {f1 / fx * 100:.0f} % fixed first time" if fx else "")
        ax.annotate(
            text, (n, yi), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8
        )
    ax.set_yticks(y, [CHANNELS.get(c, c.capitalize()) for c in channels])
    ax.invert_yaxis()
    ax.margins(x=0.7)
    style(ax, "Jobs by channel and final outcome", "jobs")
    ax.grid(False, axis="y")
    ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)


def _response_dots(ax: Axes, rescues: pd.DataFrame) -> None:
    """One dot per reached rescue, one row per response target, the target marked."""
    reached = rescues.dropna(subset=["response_h"])
    targets_h = sorted(reached["target_h"].round(1).unique())
    rng = np.random.default_rng(0)  # fixed jitter: the same run gives the same picture
    for row, target in enumerate(targets_h):
        mine = reached.loc[reached["target_h"].round(1) == target, "response_h"].to_numpy()
        late = mine > target + 1e-9
        jitter = rng.uniform(-0.22, 0.22, mine.size)
        alpha = 0.8 if mine.size <= 200 else 0.35
        for mask, color in ((~late, IN_TIME_COLOR), (late, LATE_COLOR)):
            ax.scatter(
                np.maximum(mine[mask], 0.05),
                row + jitter[mask],
                s=14,
                color=color,
                alpha=alpha,
                linewidths=0,
            )
        ax.vlines(target, row - 0.38, row + 0.38, color="#000000", lw=1.6)
    ax.set_xscale("log")
    x_max = max(float(reached["response_h"].max()), max(targets_h)) * 1.6
    x_min = min(max(float(reached["response_h"].min()), 0.05), min(targets_h)) / 1.6
    ax.set_xlim(x_min, x_max)
    ticks = [t for t in _HOUR_TICKS if x_min <= t <= x_max]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    labels = []
    for target in targets_h:
        mine = reached.loc[reached["target_h"].round(1) == target, "response_h"]
        within = int((mine <= target + 1e-9).sum())
        labels.append(f"{target:g} h target\n{within} of {len(mine)} in time")
    ax.set_yticks(range(len(targets_h)), labels)
    ax.set_ylim(len(targets_h) - 0.5, -0.5)
    style(ax, "Roadside response time vs target", "hours to help on site (log scale)")
    ax.grid(False, axis="y")
    handles = [
        Line2D([], [], color="#000000", lw=1.6, label="target"),
        Line2D([], [], ls="", marker="o", ms=4, color=IN_TIME_COLOR, label="in time"),
        Line2D([], [], ls="", marker="o", ms=4, color=LATE_COLOR, label="late"),
    ]
    ax.legend(
        handles=handles,
        fontsize=8,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncols=3,
    )


def service_quality_figure(jobs: pd.DataFrame, rescues: pd.DataFrame | None) -> str | None:
    """Jobs per channel stacked by outcome; beside it, roadside response times vs target.

    Args:
        jobs: One row per job with ``channel`` and ``outcome``
            (:func:`reports.service.view.job_table`).
        rescues: ``response_h`` and ``target_h`` per roadside job, or ``None``; the
            response panel is drawn only when some rescue was reached.

    Returns:
        Base64 PNG, or ``None`` when no job has a channel.
    """
    if not (jobs["channel"] != "").any():
        return None
    with_rescues = rescues is not None and rescues["response_h"].notna().any()
    fig = Figure(figsize=(WIDTH_IN, 3.6), layout="constrained")
    if with_rescues:
        bars_ax, dots_ax = fig.subplots(1, 2, width_ratios=(1.7, 1.0))
        _response_dots(dots_ax, rescues)
    else:
        bars_ax = fig.subplots()
    _channel_bars(bars_ax, jobs)
    return to_base64_png(fig)
