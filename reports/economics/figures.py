"""Economics figures: cost per visit by channel against seed 001, van payback against seed 003."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from reports.economics import targets
from reports.economics.view import Economics
from reports.page.figures import WIDTH_IN, style, to_base64_png

CHANNEL_COLORS = {"mobile": "#009E73", "center": "#0072B2"}
REFERENCE_COLOR = "#D55E00"
PAYBACK_COLOR = "#E69F00"


def _cost_panel(ax: Axes, view: Economics) -> None:
    """Bars of CNY per visit, the seed 001 reference drawn across the mobile bar."""
    bars = [("mobile", "Mobile (van)", view.cost_mobile)]  # (channel, tick label, CNY/visit)
    if view.cost_center is not None:
        bars.append(("center", "Service center", view.cost_center))
    for i, (channel, _, cost) in enumerate(bars):
        ax.bar(i, cost, 0.6, color=CHANNEL_COLORS[channel])
        # Inside the bar: the reference line may sit just above the mobile bar's top.
        ax.text(i, cost / 2, f"{cost:,.0f}\nCNY", ha="center", va="center", fontsize=9,
                color="white", weight="bold")
    handles = []
    reference = view.reference_mobile
    if reference is not None:
        ax.hlines(reference, -0.42, 0.42, color=REFERENCE_COLOR, ls="--", lw=1.6, zorder=3)
        ax.plot([0], [reference], marker="D", ms=6, color=REFERENCE_COLOR, zorder=4)
        share = targets.MOBILE_BELOW_CENTER * 100
        handles.append(Line2D([], [], color=REFERENCE_COLOR, ls="--", marker="D", ms=5,
                              label=f"seed 001: mobile {share:.0f} % below center "
                                    f"({reference:,.0f})"))
    ax.set_xticks(range(len(bars)), [name for _, name, _ in bars])
    ax.set_xlim(-0.6, len(bars) - 0.4)
    ax.margins(y=0.15)
    ax.set_ylim(bottom=0)
    style(ax, "Cost per visit by channel", "", "cost (CNY/visit)")
    ax.grid(False, axis="x")
    if handles:
        ax.legend(handles=handles, fontsize=7, frameon=False, loc="upper center",
                  bbox_to_anchor=(0.5, -0.12))


def _payback_panel(ax: Axes, view: Economics) -> None:
    """The van payback as one bar against the seed 003 horizon (a note when there is none)."""
    bound = targets.VAN_PAYBACK_MONTHS.bound
    months = view.payback_months
    if months is not None:
        ax.bar(0, months, 0.5, color=PAYBACK_COLOR)
        ax.annotate(f"{months:,.0f} months", (0, months), xytext=(0, 3),
                    textcoords="offset points", ha="center", fontsize=8)
    else:
        ax.text(0, bound * 0.5, "no payback:\nthe mobile line does not\npay for its vans",
                ha="center", va="center", fontsize=8, color="#57606a")
    ax.axhline(bound, color=REFERENCE_COLOR, ls="--", lw=1.4,
               label=f"seed 003: 5 years ({bound:.0f} months)")
    top = max(bound, months or 0.0)
    ax.set_ylim(0, top * 1.2)
    ax.set_xlim(-0.8, 0.8)
    ax.set_xticks([0], ["a van"])
    style(ax, "Van payback", "", "months")
    ax.grid(False, axis="x")
    ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12))


def economics_figure(view: Economics) -> str:
    """Cost per visit by channel with seed 001's reference (0.85 x the center's cost) and,
    when the run reports it, the van payback against seed 003's 60 months.

    Args:
        view: :func:`reports.economics.view.economics_view`.

    Returns:
        Base64 PNG.
    """
    fig = Figure(figsize=(WIDTH_IN, 3.6), layout="constrained")
    if view.payback_reported:
        cost_ax, payback_ax = fig.subplots(1, 2, width_ratios=(1.6, 1.0))
        _payback_panel(payback_ax, view)
    else:
        cost_ax = fig.subplots()
    _cost_panel(cost_ax, view)
    return to_base64_png(fig)
