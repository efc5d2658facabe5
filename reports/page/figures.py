"""What every report figure shares: PNG encoding, size, axis style, the day axis.

Figures are built on :class:`matplotlib.figure.Figure` directly (Agg canvas), so
no pyplot global state is touched. Each domain's ``figures.py`` returns a
base64-encoded PNG string, or ``None`` when its input lacks the columns it
needs; the caller then skips the chart.
"""

from __future__ import annotations

import base64
import io
from contextvars import ContextVar
from datetime import date, timedelta

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

DPI = 110
WIDTH_IN = 9.0
# Line colours of up to three series in one panel (Okabe-Ito).
LINE_COLORS = ("#0072B2", "#E69F00", "#009E73")


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


#: The calendar date of day 0 while a report is built (``output.start_date``; None: run days).
START_DATE: ContextVar[date | None] = ContextVar("START_DATE", default=None)
#: X-axis labels that mean "the run's day": drawn as calendar dates when START_DATE is set.
DAY_LABELS = frozenset({"day", "run day (d)", "day of the run (end of day)", "simulated day"})


def day_axis(ax: Axes, xlabel: str) -> str:
    """Show a run-day x axis as calendar dates (when :data:`START_DATE` is set); returns the
    label to use. Ticks stay at day numbers, so every plotted x value is unchanged."""
    start = START_DATE.get()
    if start is None or xlabel not in DAY_LABELS:
        return xlabel
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda d, _: (start + timedelta(days=float(d))).strftime("%d %b %Y")))
    return f"date (day 0 = {start.isoformat()})"


def style(ax: Axes, title: str, xlabel: str = "", ylabel: str = "") -> None:
    """The house style: left title, small labels, light grid, no top/right spines; a run-day
    x axis in calendar dates (:func:`day_axis`)."""
    ax.set_title(title, fontsize=10, loc="left")
    xlabel = day_axis(ax, xlabel)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def days(daily: pd.DataFrame) -> np.ndarray:
    """The day of each row of a daily table (its ``day`` column, else the row number)."""
    if "day" in daily.columns:
        return daily["day"].to_numpy()
    return np.arange(len(daily))


def period_days(n_days: int) -> int:
    """Return the bar width of counts over a run: weekly up to a year, else 4-weekly.

    Args:
        n_days: Simulated days.

    Returns:
        7 or 28.
    """
    return 7 if n_days <= 371 else 28
