"""Property-based: the battery stays in its physical range under any duty (issue 18, item 7).

Over ``simulate_profile``'s whole input space (ambient -30..60 degC, up to 3 full cycles a
day, any SOC window, any DC share, 15 years) and the cell entry point's: capacity in (0, 1]
on every day, never increasing, and the loss states never decreasing.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from configs import parameter_sets
from twins import battery

YEARS = 15
DAYS = int(YEARS * 365.25)
PACKS = 12  # independent packs per example, simulated in one vectorized call

unit = st.floats(0.0, 1.0, allow_nan=False)
duty = st.tuples(st.floats(-30.0, 60.0, allow_nan=False), unit, unit,
                 st.floats(0.0, 3.0, allow_nan=False), unit)
SETTINGS = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
EXTREMES = [(60.0, 1.0, 0.0, 3.0, 1.0), (-30.0, 1.0, 0.0, 3.0, 1.0), (60.0, 1.0, 1.0, 0.0, 0.0),
            (-30.0, 0.0, 0.0, 0.0, 0.0), (25.0, 0.5, 0.5, 3.0, 1.0)]


def _arrays(duties):
    temp, a, b, cycles, dc = (np.array(x, float) for x in zip(*duties, strict=True))
    return temp, np.maximum(a, b), np.minimum(a, b), cycles, dc


def _assert_physical(q: np.ndarray) -> None:
    assert q.shape[-1] == DAYS
    assert np.isfinite(q).all()
    assert (q > 0.0).all(), q.min()
    assert (q <= 1.0).all(), q.max()
    assert (np.diff(q, axis=-1) <= 0.0).all()  # capacity never grows back


@SETTINGS
@given(st.sampled_from(["nmc", "lfp", "nca"]), st.lists(duty, min_size=PACKS, max_size=PACKS))
@example("nmc", EXTREMES + EXTREMES[:2] * 3 + EXTREMES[:1])
@example("lfp", EXTREMES + EXTREMES[:2] * 3 + EXTREMES[:1])
def test_pack_capacity_stays_in_0_1_and_never_increases(chemistry, duties):
    p = parameter_sets.load("battery", chemistry)
    temp, high, low, cycles, dc = _arrays(duties)
    _assert_physical(battery.simulate_profile(DAYS, temp, high, low, cycles, dc, params=p))


@SETTINGS
@given(st.sampled_from(["nmc", "lfp"]), st.lists(duty, min_size=PACKS, max_size=PACKS))
def test_cell_capacity_stays_in_0_1_and_never_increases(chemistry, duties):
    p = parameter_sets.load("battery", chemistry)
    temp, high, low, cycles, dc = _arrays(duties)
    _assert_physical(battery.simulate_cell_profile(DAYS, temp, high, low, cycles, dc, params=p))


def test_the_harshest_duty_nears_zero_but_stays_positive():
    # 60 degC ambient, three full cycles a day on DC only, 15 years: far past any pack's life.
    p = parameter_sets.load("battery", "lfp")
    q = battery.simulate_profile(DAYS, 60.0, 1.0, 0.0, 3.0, 1.0, params=p)
    assert 0.0 < q[-1] < 0.05
    assert (np.diff(q) <= 0).all()
