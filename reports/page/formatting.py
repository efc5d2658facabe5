"""Number formatting shared by tiles, findings and tables.

All helpers accept ``None`` or NaN and return ``"n/a"`` for them, so callers can
pass KPI values straight through.
"""

from __future__ import annotations

import math

NA = "n/a"


def is_missing(value: float | None) -> bool:
    """Return True for ``None``, NaN and infinities."""
    return value is None or not math.isfinite(value)


def fmt_num(value: float | None, digits: int = 2) -> str:
    """Format a number with a fixed number of decimals and thousands separators.

    Args:
        value: The number, or ``None``.
        digits: Decimals to show.

    Returns:
        E.g. ``"4.10"`` or ``"12,345.00"``; ``"n/a"`` when missing.
    """
    if is_missing(value):
        return NA
    return f"{value:,.{digits}f}"


def fmt_int(value: float | None) -> str:
    """Format a count, e.g. ``"1,234"``; ``"n/a"`` when missing."""
    if is_missing(value):
        return NA
    return f"{round(value):,d}"


def fmt_pct(fraction: float | None, digits: int = 1) -> str:
    """Format a 0..1 fraction as a percentage, e.g. ``0.631 -> "63.1 %"``."""
    if is_missing(fraction):
        return NA
    return f"{fraction * 100:.{digits}f} %"


def fmt_share(fraction: float | None) -> str:
    """Format a share so that small ones stay visible: ``0.5 -> "50 %"``, ``4e-5 -> "0.004 %"``."""
    if is_missing(fraction):
        return NA
    pct = fraction * 100
    if pct == 0 or abs(pct) >= 10:
        return f"{pct:.0f} %"
    if abs(pct) >= 1:
        return f"{pct:.1f} %"
    return f"{pct:.2g} %"


def fmt_hours(hours: float | None, digits: int = 1) -> str:
    """Format a duration in hours, e.g. ``"5.2 h"``."""
    if is_missing(hours):
        return NA
    return f"{hours:,.{digits}f} h"


def fmt_si(value: float | None, digits: int = 2) -> str:
    """Format large rates with k / M / G suffixes, e.g. ``2.4e6 -> "2.40 M"``."""
    if is_missing(value):
        return NA
    for factor, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= factor:
            return f"{value / factor:.{digits}f}{suffix}"
    return f"{value:.{digits}f}"


def fmt_duration(seconds: float | None) -> str:
    """Format a wall-clock duration, e.g. ``"12.3 s"``, ``"3 min 20 s"``, ``"1 h 05 min"``."""
    if is_missing(seconds):
        return NA
    if seconds < 90:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def fmt_auto(value: float | None) -> str:
    """Format a KPI of unknown meaning: integers as counts, others to 4 significant digits.

    Args:
        value: The number, or ``None``.

    Returns:
        E.g. ``"1,000"``, ``"4.1"``, ``"0.6312"``, ``"12,345.7"``.
    """
    if is_missing(value):
        return NA
    if float(value).is_integer():
        return fmt_int(value)
    if abs(value) >= 1000:
        return fmt_num(value, 1)
    return f"{value:.4g}"
