"""Over-time charts of an experiment: OTA adoption and the weekly mean wait, per variant.

Each variant is one line, the mean over its replications, in a band from the lowest to
the highest replication (so a bounded share is never drawn outside 0..100 %). The data
are the ``timeline/`` files of the tasks (:mod:`sim.kpis.timeline`); the x axis is the
run day, in calendar dates when the experiment's base config has ``output.start_date``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from reports.page.figures import START_DATE, WIDTH_IN, style, to_base64_png
from sim.kpis.timeline import DAYS_PER_WEEK, weekly_wait

BASE_COLOR = "#4D4D4D"
# Okabe-Ito, without the grey of the baseline.
COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
XLABEL = "run day (d)"


@dataclass(frozen=True)
class Timeline:
    """The over-time figure of an experiment and its caption (``image`` None: no chart)."""

    image: str | None
    caption: str


def _band(ax: Axes, df: pd.DataFrame, x: str, y: str, variants: Sequence[str],
          baseline: str) -> bool:
    """Draw mean and min..max band of ``y`` per variant; True if anything was drawn."""
    drawn = False
    others = iter(COLORS * 3)
    for v in variants:
        mine = df[(df["variant"] == v) & df[y].notna()]
        if mine.empty:
            continue
        stats = mine.groupby(x)[y].agg(["mean", "min", "max"])
        color = BASE_COLOR if v == baseline else next(others)
        label = f"{v} (baseline)" if v == baseline else v
        xs = stats.index.to_numpy(float)
        ax.fill_between(xs, stats["min"], stats["max"], color=color, alpha=0.15, linewidth=0)
        ax.plot(xs, stats["mean"], color=color, linewidth=1.6, label=label)
        drawn = True
    return drawn


def timeline_figure(tl: pd.DataFrame, variants: Sequence[str], baseline: str,
                    start: date | None = None) -> Timeline:
    """Adoption (installed share) per day and mean wait per week, per variant.

    Args:
        tl: stacked timelines (``variant``, ``replication``, ``day``,
            ``ota_installed_share``, ``jobs_waited``, ``wait_h_sum``).
        variants: the variants in report order.
        baseline: drawn in grey.
        start: calendar date of run day 0 (None: run days).
    """
    if tl.empty or "day" not in tl:
        return Timeline(None, "Not available: the experiment's tasks stored no timeline "
                              "(made by an older fleetsim; rerun into a new directory).")
    has_share = "ota_installed_share" in tl and tl["ota_installed_share"].notna().any()
    weeks = weekly_wait(tl) if "jobs_waited" in tl else pd.DataFrame()
    has_wait = not weeks.empty and weeks["mean_wait_h"].notna().any()
    panels = [p for p, on in (("share", has_share), ("wait", has_wait)) if on]
    if not panels:
        return Timeline(None, "No OTA release and no assigned job in any task: nothing to draw.")
    token = START_DATE.set(start)
    try:
        fig = Figure(figsize=(WIDTH_IN, 3.0 * len(panels)), layout="constrained")
        axes = fig.subplots(len(panels), 1, squeeze=False, sharex=True)[:, 0]
        for ax, panel in zip(axes, panels, strict=True):
            if panel == "share":
                _band(ax, tl, "day", "ota_installed_share", variants, baseline)
                ax.set_ylim(0, 1.02)
                ax.yaxis.set_major_formatter(PercentFormatter(1.0))
                style(ax, "OTA adoption: share of the targets running the release",
                      XLABEL, "installed share of targets (%)")
            else:
                mid = weeks.assign(mid_day=weeks["week_start_day"] + (DAYS_PER_WEEK - 1) / 2)
                _band(ax, mid, "mid_day", "mean_wait_h", variants, baseline)
                ax.set_ylim(bottom=0)
                style(ax, "Mean wait per week (job creation to first assignment)",
                      XLABEL, "mean wait (h)")
            ax.legend(fontsize=8, frameon=False, loc="best")
        image = to_base64_png(fig)
    finally:
        START_DATE.reset(token)
    n = int(tl.groupby("variant")["replication"].nunique().max())
    parts = []
    if has_share:
        parts.append("Top: the share of the release's targets running it at the end of each "
                     "day, all releases together (the KPI ota_installed_share_end on the "
                     "last day).")
    if has_wait:
        parts.append(f"{'Bottom' if has_share else 'The chart'}: the mean wait of the jobs "
                     "first assigned in each week (the KPI mean_wait_h, week by week), drawn "
                     "at mid-week.")
    parts.append(f"Lines: the mean over the {n} replication{'s' if n != 1 else ''} of each "
                 "variant (same seeds in every variant); bands: the lowest to the highest "
                 "replication.")
    return Timeline(image, " ".join(parts))


def start_date(text: str | None) -> date | None:
    """``output.start_date`` as stored in experiment.json ('' or missing: run days)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None

