"""Report figures, each returned as a base64-encoded PNG string.

Figures are built on :class:`matplotlib.figure.Figure` directly (Agg canvas), so
no pyplot global state is touched. Every function returns ``None`` when its
input lacks the columns it needs; the caller then skips the chart.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reports.components import color_map, components_from_names, label
from reports.waits import WaitStats

DPI = 110
WIDTH_IN = 9.0
FAILURES_COLOR = "#0072B2"
BREAKDOWNS_COLOR = "#D55E00"
_LINE_COLORS = ("#0072B2", "#E69F00", "#009E73")


def to_base64_png(fig: Figure) -> str:
    """Render a figure to PNG and return it base64-encoded.

    Args:
        fig: The figure to render.

    Returns:
        ASCII base64 text, ready for a ``data:image/png;base64,`` URI.
    """
    buf = io.BytesIO()
    # Dropping the Software tag keeps output byte-identical across matplotlib patch releases.
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _style(ax: Axes, title: str, xlabel: str = "", ylabel: str = "") -> None:
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _days(daily: pd.DataFrame) -> np.ndarray:
    if "day" in daily.columns:
        return daily["day"].to_numpy()
    return np.arange(len(daily))


def service_period_days(n_days: int) -> int:
    """Return the bar width for job counts: weekly up to a year, else 4-weekly.

    Args:
        n_days: Simulated days.

    Returns:
        7 or 28.
    """
    return 7 if n_days <= 371 else 28


def health_figure(daily: pd.DataFrame) -> str | None:
    """Component health indices and battery SOH (mean and 5th percentile) per day.

    Args:
        daily: The daily table; uses ``health_<c>_mean``, ``battery_soh_mean`` and
            ``battery_soh_p05`` where present.

    Returns:
        Base64 PNG, or ``None`` when none of those columns exist.
    """
    comps = components_from_names(daily.columns, "health_", "_mean")
    soh_cols = [c for c in ("battery_soh_mean", "battery_soh_p05") if c in daily.columns]
    if daily.empty or (not comps and not soh_cols):
        return None
    x = _days(daily)
    fig = Figure(figsize=(WIDTH_IN, 3.4), layout="constrained")
    axes = fig.subplots(1, int(bool(comps)) + int(bool(soh_cols)), squeeze=False)[0]
    if comps:
        ax, colors = axes[0], color_map(comps)
        for comp in comps:
            ax.plot(x, daily[f"health_{comp}_mean"], color=colors[comp], label=label(comp))
        ax.set_ylim(0, 1.03)
        _style(ax, "Mean component health (1 = new, 0 = failure)", "day", "health index")
        ax.legend(fontsize=8, frameon=False, loc="lower left", ncols=2)
    if soh_cols:
        ax = axes[-1]
        if "battery_soh_mean" in daily.columns:
            ax.plot(x, daily["battery_soh_mean"] * 100, color=_LINE_COLORS[0], label="mean")
        if "battery_soh_p05" in daily.columns:
            ax.plot(
                x, daily["battery_soh_p05"] * 100, color=_LINE_COLORS[0], ls="--", label="5th pct"
            )
        _style(ax, "Traction battery state of health", "day", "capacity vs new (%)")
        ax.legend(fontsize=8, frameon=False)
    return to_base64_png(fig)


def failures_figure(kpis: Mapping[str, float | None]) -> str | None:
    """Failures and breakdowns per component, largest at the top.

    Args:
        kpis: KPI name -> value; uses ``failures_by_component_<c>`` and
            ``breakdowns_by_component_<c>``.

    Returns:
        Base64 PNG, or ``None`` when no per-component KPI exists.
    """
    comps = sorted(
        set(components_from_names(kpis, "failures_by_component_"))
        | set(components_from_names(kpis, "breakdowns_by_component_"))
    )
    if not comps:
        return None
    failures = np.array([kpis.get(f"failures_by_component_{c}") or 0.0 for c in comps])
    breakdowns = np.array([kpis.get(f"breakdowns_by_component_{c}") or 0.0 for c in comps])
    order = np.lexsort((breakdowns, failures))
    y = np.arange(len(comps))
    fig = Figure(figsize=(WIDTH_IN, 0.9 + 0.45 * len(comps)), layout="constrained")
    ax = fig.subplots()
    height = 0.38
    bars_f = ax.barh(
        y + height / 2, failures[order], height, color=FAILURES_COLOR, label="failures"
    )
    bars_b = ax.barh(
        y - height / 2, breakdowns[order], height, color=BREAKDOWNS_COLOR, label="breakdowns"
    )
    for bars in (bars_f, bars_b):
        ax.bar_label(bars, fmt="{:,.0f}", fontsize=8, padding=2)
    ax.set_yticks(y, [label(comps[i]) for i in order])
    ax.margins(x=0.12)
    _style(ax, "Failures and roadside breakdowns per component", "count over the run")
    ax.grid(False, axis="y")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return to_base64_png(fig)


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
    x = _days(daily)
    fig = Figure(figsize=(WIDTH_IN, 2.2 + 2.0 * bool(flows) * bool(levels)), layout="constrained")
    axes = fig.subplots(int(bool(flows)) + int(bool(levels)), 1, sharex=True, squeeze=False)[:, 0]
    if flows:
        period = service_period_days(len(daily))
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
                color=_LINE_COLORS[i],
                label=label_text,
            )
        unit = "week" if period == 7 else "4 weeks"
        _style(axes[0], f"Service jobs per {unit}", "", "jobs")
        axes[0].legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if levels:
        ax = axes[-1]
        names = {
            "jobs_open": "open jobs (backlog)",
            "technicians_busy": "technicians busy",
            "vehicles_down": "vehicles off the road",
        }
        edges = np.append(x, x[-1] + 1)
        for i, col in enumerate(levels):
            # A level holds over the whole day, so draw day d as the step [d, d + 1).
            ax.stairs(
                daily[col], edges, baseline=None, lw=1.5, color=_LINE_COLORS[i], label=names[col]
            )
        _style(ax, "End-of-day levels", "day", "count")
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes[-1].set_xlabel("day", fontsize=9)
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
    _style(
        ax,
        f"Wait from job creation to technician assignment ({stats.n_jobs:,} jobs)",
        "wait (hours)",
        "jobs",
    )
    ax.legend(fontsize=8, frameon=False)
    return to_base64_png(fig)
