"""Remote diagnosis as a channel decision that can be wrong, and the owner's channel choice.

The *true* channel of a job is where it can be done: ``remote`` (fixable over
the air or by phone), ``mobile`` (a van may do it: the seed's L1 list),
``center`` (needs a lift) or ``body``. Triage assigns a channel with the
confusion of ``service.triage.confusion``; an owner whose job a van could do
picks the van or the center (``service.channel``). A job sent where it cannot
be done costs a wasted trip or bay slot and is rebooked where it can.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Which channels can do a job of each true channel.
CAN_DO = {"remote": {"remote", "mobile", "center"}, "mobile": {"mobile", "center"},
          "center": {"center"}, "body": {"body"}}


def assign(confusion: dict[str, dict[str, float]], true: str, u: float) -> str:
    """The channel triage assigns to a job whose true channel is ``true`` (``u`` ~ U(0,1))."""
    acc = 0.0
    for to, p in confusion.get(true, {}).items():
        acc += p
        if u < acc:
            return to
    return true


def prefers_mobile(cfg: Any, tier: int, pos: tuple[float, float], radius_km: float,
                   u: float, extra_wait_d: float = 0.0) -> bool:
    """Whether the owner of a job a van may do picks the van over the center.

    ``extra_wait_d``: how much longer the van's expected wait is than the center's
    booking lead; with ``channel.mobile_wait_tolerance_d`` > 0 the preference falls as
    ``exp(-extra_wait_d / tolerance)`` (owners do not wait weeks for a van).
    """
    c = cfg.channel
    p = c.mobile_preference_by_tier[tier] + c.mobile_preference_per_km * (
        math.hypot(*pos) - radius_km / 2.0)
    if c.mobile_wait_tolerance_d > 0 and extra_wait_d > 0:
        p *= math.exp(-extra_wait_d / c.mobile_wait_tolerance_d)
    return u < min(max(p, 0.0), 1.0)


def can_do(channel: str, true: str) -> bool:
    """Whether ``channel`` can do a job whose true channel is ``true``."""
    return channel in CAN_DO[true]


def draws(rng: np.random.Generator) -> tuple[float, float, float]:
    """The three uniforms one triage uses: remote fix, confusion, owner choice."""
    u = rng.random(3)
    return float(u[0]), float(u[1]), float(u[2])
