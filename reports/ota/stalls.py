"""Stalled OTA campaigns: the longest stretch of days in which no vehicle installed a release.

A campaign short of 95 % of its targets that installs nothing for longer than
``output.ota_stall_watch_days`` needs a decision (resume, hotfix or abort), so it is a
WATCH finding, listed first, and a sentence of the executive summary; a shorter pause
is the rollout working as planned and is left to the adoption finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reports.ota.view import Release, still_stopped
from reports.page.findings import Finding
from reports.page.formatting import fmt_int, fmt_pct

DONE_SHARE = 0.95            # the campaign counts as done at 95 % installed (as days to 95 %)
WATCH_DAYS_DEFAULT = 21      # configs/config.yaml output.ota_stall_watch_days, for older runs


@dataclass(frozen=True)
class Stall:
    """The longest run of days without a new install while below :data:`DONE_SHARE`.

    Attributes:
        first_day: First run day without a new install.
        last_day: Last such day.
        share: Installed share of the targets during the stall.
        ongoing: True when the stall lasts to the end of the run.
    """

    first_day: int
    last_day: int
    share: float
    ongoing: bool

    @property
    def days(self) -> int:
        return self.last_day - self.first_day + 1


def watch_days(run: Mapping[str, Any]) -> int:
    """``output.ota_stall_watch_days`` of the run's config (the default for older runs)."""
    output = (run.get("config") or {}).get("output") or {}
    value = output.get("ota_stall_watch_days")
    return int(value) if isinstance(value, int | float) and value > 0 else WATCH_DAYS_DEFAULT


def longest_stall(curve: pd.DataFrame | None) -> Stall | None:
    """The longest stretch of days on which the installed count did not grow.

    Only days before the campaign reached :data:`DONE_SHARE` of its targets count; a
    cloud rollback that lowers the count is not progress either (the running maximum
    is compared). ``None`` without a curve, a target or a day without progress.
    """
    if curve is None or curve.empty:
        return None
    targets = float(curve["targeted"].iloc[-1])
    if not targets > 0:
        return None
    best = np.maximum.accumulate(np.nan_to_num(curve["installed"].to_numpy(float)))
    grew = np.diff(best, prepend=0.0) > 0
    open_ = best / targets < DONE_SHARE
    flat = ~grew & open_
    days = curve["day"].to_numpy(np.int64)
    longest, start = None, None
    for i, is_flat in enumerate([*flat, False]):
        if is_flat and start is None:
            start = i
        elif not is_flat and start is not None:
            if longest is None or i - start > longest[1] - longest[0]:
                longest = (start, i)
            start = None
    if longest is None:
        return None
    a, b = longest
    return Stall(int(days[a]), int(days[b - 1]), float(best[a] / targets), b == len(days))


def stall_finding(release: Release, curve: pd.DataFrame | None, decided: pd.DataFrame | None,
                  watch: int) -> Finding | None:
    """A WATCH finding when ``release`` installed nothing for more than ``watch`` days."""
    stall = longest_stall(curve)
    if stall is None or stall.days <= watch:
        return None
    level = f"longer than the {watch}-day watch level (output.ota_stall_watch_days)"
    at = f"at {fmt_pct(stall.share)} of its {fmt_int(float(curve['targeted'].iloc[-1]))} targets"
    if stall.ongoing:
        held = [f"{what or 'the campaign'} {action} since day {day}"
                for what, action, day in still_stopped(decided, release.name)]
        why = f" ({'; '.join(held)})" if held else ""
        text = (f"{release.name} is stalled: no vehicle installed it in the last "
                f"{fmt_int(stall.days)} days of the run (days {stall.first_day}–"
                f"{stall.last_day}), {at}{why}; {level}.")
        summary = (f"The OTA campaign {release.name} has been stalled for "
                   f"{fmt_int(stall.days)} days {at}: resume it, ship a fix or stop it.")
    else:
        text = (f"{release.name} stalled for {fmt_int(stall.days)} days (days "
                f"{stall.first_day}–{stall.last_day}) {at} before installs resumed; {level}.")
        summary = (f"The OTA campaign {release.name} stalled for {fmt_int(stall.days)} days "
                   f"{at} before it resumed.")
    return Finding(text, "watch", summary)
