"""Property-based: pads and tires stay in their physical ranges under any use (issue 18, item 7).

Fifteen years of daily steps with any daily km, friction braking energy, driving style and
ambient temperature (-30..60 degC): pad thickness and tread >= 0 and never growing (no
repair is made), tire pressure (cold and at the current temperature) >= 0.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
import twins
from twins import brakes, tires

DAYS = int(15 * 365.25)
N = 16  # vehicles per example, each with its own use, stepped together
SETTINGS = settings(max_examples=3, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
use = st.tuples(st.floats(0.0, 1000.0), st.floats(0.0, 60.0), st.floats(0.3, 3.0),
                st.floats(-30.0, 60.0), st.floats(0.0, 60.0))


def _params():
    return sim.fleet.twin_params(sim.load_config([]))


PARAMS = _params()


def _usage(km, friction_kwh, aggressiveness, temp_c) -> twins.Usage:
    f = np.zeros(N, np.float32)
    return twins.Usage(km=km, temp_c=temp_c.astype(np.float32), soc_mean=f + 0.6, dod=f + 0.1,
                       efc=f + 0.1, dc_share=f, friction_kwh=friction_kwh,
                       aggressiveness=aggressiveness)


@SETTINGS
@given(st.lists(use, min_size=N, max_size=N))
def test_pads_and_tires_stay_physical_for_fifteen_years(uses):
    km, friction, style, temp_a, swing = (np.array(x, np.float32) for x in zip(*uses, strict=True))
    rng = np.random.default_rng(0)
    pb, pt = PARAMS["brakes"], PARAMS["tires"]
    b, t = brakes.initial_state(N, pb, rng), tires.initial_state(N, pt, rng)
    pads_before, tread_before = b["pad_front_mm"].copy(), t["tread_mm"].copy()
    for d in range(DAYS):
        temp = np.clip(temp_a + swing * np.sin(2 * np.pi * d / 365.25), -30.0, 60.0)
        usage = _usage(km, friction, style, temp)
        brakes.step(b, usage, 1.0, pb, rng)
        tires.step(t, usage, 1.0, pt, rng)
        if d % 97 == 0 or d == DAYS - 1:
            assert (b["pad_front_mm"] >= 0).all() and (b["pad_rear_mm"] >= 0).all()
            assert (b["pad_front_mm"] <= pads_before).all()
            assert (t["tread_mm"] >= 0).all() and (t["tread_mm"] <= tread_before).all()
            assert (t["pressure_cold_psi"] >= 0).all()
            assert (tires.pressure_hot_psi(t, pt) >= 0).all()
            pads_before, tread_before = b["pad_front_mm"].copy(), t["tread_mm"].copy()


def test_a_flat_tire_in_the_cold_reads_zero_not_negative():
    pt = PARAMS["tires"]
    t = tires.initial_state(2, pt, np.random.default_rng(0))
    t["pressure_cold_psi"][:] = 0.0
    t["temp_c"][:] = [-30.0, 40.0]
    hot = tires.pressure_hot_psi(t, pt)
    assert hot[0] == 0.0 and hot[1] > 0.0
