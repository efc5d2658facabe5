"""Overlay plots of the validation checks: the model against its reference, with the band."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reports.page.figures import DPI, WIDTH_IN, to_base64_png  # noqa: E402

# Okabe-Ito colours, one per duty of a curve grid.
COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
# The whole Okabe-Ito set, for up to eight series (rollout policies).
COLORS_8 = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
            "#CC79A7")


def _png(fig: Figure) -> str:
    """The laid-out figure as base64 PNG; the figure is closed."""
    fig.tight_layout()
    out = to_base64_png(fig)
    plt.close(fig)
    return out


def _finish(fig: Figure, ax: Axes, title: str, **legend: Any) -> str:
    """Title and legend of a one-panel check figure, then :func:`_png`."""
    ax.set_title(title, fontsize=8, loc="left")
    ax.legend(fontsize=6, frameon=False, **legend)
    return _png(fig)


def curves_figure(plot: Mapping[str, Any], title: str) -> str:
    """One panel per group (the key's part before ``/``): twin lines against reference dots."""
    groups: dict[str, list[str]] = {}
    for key in plot["twin"]:
        groups.setdefault(key.split("/")[0], []).append(key)
    fig, axes = plt.subplots(1, len(groups), figsize=(WIDTH_IN, 3.2), sharey=True,
                             squeeze=False)
    x, tol = plot["x"], plot.get("tolerance", 0.0)
    for ax, (group, keys) in zip(axes[0], groups.items(), strict=True):
        for color, key in zip(COLORS, keys, strict=False):
            label = key.split("/", 1)[1]
            ref = plot["reference"][key]
            ax.plot(x, plot["twin"][key], color=color, lw=1.4, label=f"{label} (twin)")
            ax.plot(x, ref, ls="none", marker="o", ms=2.5, color=color)
            if tol:
                lo = [r - tol for r in ref]
                hi = [r + tol for r in ref]
                ax.fill_between(x, lo, hi, color=color, alpha=0.12, lw=0)
        ax.set_title(f"cell {group} \N{DEGREE SIGN}C", fontsize=9, loc="left")
        ax.set_xlabel(plot["x_label"], fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, color="#dddddd", lw=0.5)
    axes[0][0].set_ylabel(plot["y_label"], fontsize=8)
    axes[0][-1].legend(fontsize=6, loc="lower left", frameon=False)
    fig.suptitle(f"{title}\nlines: twin; dots: reference; shading: reference \u00b1 {tol:g}",
                 fontsize=8, x=0.01, ha="left")
    return _png(fig)


def band_figure(plot: Mapping[str, Any], title: str) -> str:
    """The figure as a dot on an axis with the reference band shaded."""
    lo, hi = plot["band"]
    value = plot["value"]
    span = max(hi - lo, abs(value - lo), abs(value - hi))
    fig, ax = plt.subplots(figsize=(WIDTH_IN * 0.6, 1.4), dpi=DPI)
    ax.axvspan(lo, hi, color="#009E73", alpha=0.25, label="reference band")
    ax.plot([value], [0.5], marker="o", color="#0072B2", label="this run")
    ax.set_xlim(min(lo, value) - 0.5 * span, max(hi, value) + 0.5 * span)
    ax.set_yticks([])
    ax.set_xlabel(plot["x_label"], fontsize=8)
    ax.tick_params(labelsize=7)
    return _finish(fig, ax, title, loc="upper right")


def points_figure(plot: Mapping[str, Any], title: str) -> str:
    """Model values with their error bars against reference values, over one x axis."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN * 0.6, 3.0), dpi=DPI)
    x = plot["x"]
    ax.plot(x, plot["reference"], ls="none", marker="s", color="#009E73", label="reference")
    ax.errorbar(x, plot["model"], yerr=plot["error"], ls="none", marker="o", color="#0072B2",
                capsize=3, label="model (99 % interval)")
    for xi, yi, label in zip(x, plot["model"], plot.get("labels", []), strict=False):
        ax.annotate(label, (xi, yi), fontsize=6, xytext=(4, 4), textcoords="offset points")
    ax.set_yscale("log")
    ax.set_xlabel(plot["x_label"], fontsize=8)
    ax.set_ylabel(plot["y_label"], fontsize=8)
    ax.tick_params(which="both", labelsize=7)
    ax.grid(True, color="#dddddd", lw=0.5)
    return _finish(fig, ax, title)


def ranges_figure(plot: Mapping[str, Any], title: str) -> str:
    """One reference band per label (a shaded bar) with the model's value as a dot."""
    labels = plot["labels"]
    fig, ax = plt.subplots(figsize=(WIDTH_IN * 0.6, 2.8), dpi=DPI)
    x = list(range(len(labels)))
    heights = [hi - lo for lo, hi in zip(plot["low"], plot["high"], strict=True)]
    ax.bar(x, heights, bottom=plot["low"], width=0.5, color="#009E73", alpha=0.25,
           label="reference band")
    ax.plot(x, plot["value"], ls="none", marker="o", color="#0072B2", label="model")
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_ylabel(plot["y_label"], fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, axis="y", color="#dddddd", lw=0.5)
    return _finish(fig, ax, title)


def lines_figure(plot: Mapping[str, Any], title: str) -> str:
    """One line per series over a shared x axis; highlighted series drawn bold."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN * 0.6, 3.0), dpi=DPI)
    bold = set(plot.get("highlight", ()))
    for i, (name, ys) in enumerate(plot["series"].items()):
        ax.plot(plot["x"], [max(y, 0.5) for y in ys] if plot.get("log_y") else ys,
                marker="o", ms=3, lw=1.8 if name in bold else 0.9,
                color=COLORS[i % len(COLORS)], ls="-" if name in bold else "--", label=name)
    if plot.get("log_y"):
        ax.set_yscale("log")
    ax.set_xlabel(plot["x_label"], fontsize=8)
    ax.set_ylabel(plot["y_label"], fontsize=8)
    ax.tick_params(which="both", labelsize=7)
    ax.grid(True, color="#dddddd", lw=0.5)
    return _finish(fig, ax, title, ncol=2)


def adoption_figure(plot: Mapping[str, Any], title: str) -> str:
    """Simulated curves (solid) over their analytic counterparts (dashed), one colour each, and
    below them the difference (simulated - analytic, percentage points)."""
    fig, (ax, diff) = plt.subplots(2, 1, figsize=(WIDTH_IN * 0.8, 4.6), dpi=DPI, sharex=True,
                                   gridspec_kw={"height_ratios": (3, 1.3)})
    x = plot["x"]
    for i, (name, ys) in enumerate(plot["simulated"].items()):
        color = COLORS_8[i % len(COLORS_8)]
        ref = plot["analytic"][name]
        ax.plot(x, ys, color=color, lw=1.2, label=f"{name} (simulated)")
        ax.plot(x, ref, color=color, lw=1.0, ls=(0, (3, 2)), alpha=0.9)
        diff.plot(x, [a - b for a, b in zip(ys, ref, strict=True)], color=color, lw=0.9)
    ax.plot([], [], color="#555555", lw=1.0, ls=(0, (3, 2)), label="analytic (its colour)")
    for level in (50, 90, 99):
        ax.axhline(level, color="#999999", lw=0.5, ls=":")
    ax.set_ylabel(plot["y_label"], fontsize=8)
    diff.axhline(0.0, color="#999999", lw=0.5)
    diff.set_ylabel("simulated - analytic\n(points)", fontsize=7)
    diff.set_xlabel(plot["x_label"], fontsize=8)
    for a in (ax, diff):
        a.tick_params(labelsize=7)
        a.grid(True, color="#dddddd", lw=0.5)
    return _finish(fig, ax, f"{title}\nsolid: simulated; dashed: analytic; dotted: 50 / 90 / "
                   f"99 %", loc="lower right", ncol=2)


def figure(check: Mapping[str, Any]) -> str | None:
    """The overlay plot of a check as base64 PNG (None when the check has no plot data)."""
    plot = check.get("plot") or {}
    if plot.get("kind") == "curves":
        return curves_figure(plot, check["reference"])
    if plot.get("kind") == "band":
        return band_figure(plot, check["reference"])
    if plot.get("kind") == "points":
        return points_figure(plot, check["reference"])
    if plot.get("kind") == "ranges":
        return ranges_figure(plot, check["reference"])
    if plot.get("kind") == "lines":
        return lines_figure(plot, check["reference"])
    if plot.get("kind") == "adoption":
        return adoption_figure(plot, check["reference"])
    return None
