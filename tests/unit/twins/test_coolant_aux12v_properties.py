"""Property-based: the coolant loop and the 12 V battery stay physical (issue 18, item 7).

Parameters are drawn from the whole range the config schema allows
(``configs/schema.py``: ``CoolantConfig``, ``Aux12vConfig``, with their cross checks), ambient
temperatures from -30 to 60 degC, steps from 0 to 400 days (the engine steps a day; the
fleet's warm-up steps ``age / warmup_steps`` per vehicle, a few hundred days at most).

* ranges: flow in [0, 1], leak rates >= 0, pack temperature rise in [0, its coefficient];
  12 V wear >= 0, health in [0, 1], rest voltage between its end-of-life and new values;
* monotone: without a repair flow and 12 V health never rise, a leak never stops and a
  sudden failure stays; the leak onset probability grows with the step and its cumulative
  value with age; 12 V wear grows with temperature (Q10 >= 1); the coolant loop has no
  temperature input (``INPUTS == ()``), so its state does not depend on it;
* a repair restores the nominal state (sealed, full flow; a new 12 V unit: no wear, health 1,
  the new rest voltage, no sudden failure);
* ``dt`` additivity where the twins claim it (one step of a whole ``dt`` per vehicle, as the
  warm-up takes): deterministic parts exactly up to float32 rounding (relative 1e-5: a few
  ulps of 6e-8 over the handful of operations of a step); random parts in distribution over
  20 000 loops / units, within 4.5 standard errors of the difference (a false alarm below
  1e-5 per comparison).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from configs.schema import Aux12vConfig, CoolantConfig
from twins import aux12v, coolant
from twins.usage import Usage

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
N = 64
temps = st.floats(-30.0, 60.0, allow_nan=False)
dts = st.floats(0.0, 400.0, allow_nan=False)
REL = 1e-5   # float32 rounding over a step's few operations
Z = 4.5      # standard errors of a statistical comparison


def _from_schema(cls: type, **fixed: float) -> st.SearchStrategy:
    """Parameter sets of ``cls`` with every numeric field anywhere in its schema range."""
    fields = {}
    for f in dataclasses.fields(cls):
        lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
        if f.name in fixed:
            fields[f.name] = st.just(fixed[f.name])
        elif lo is not None and hi is not None:
            fields[f.name] = st.floats(lo, hi, exclude_min=bool(f.metadata.get("lo_open")),
                                       allow_nan=False)
    return st.builds(cls, **fields)


coolant_params = _from_schema(CoolantConfig).filter(
    lambda p: p.overheat_flow_frac < p.warning_flow_frac)     # the schema's cross check
aux_params = _from_schema(Aux12vConfig)


def _usage(n: int, temp_c: np.ndarray | float) -> Usage:
    f = np.zeros(n, np.float32)
    return Usage(km=f + 40.0, temp_c=f + np.float32(temp_c), soc_mean=f + 0.6, dod=f + 0.1,
                 efc=f + 0.1, dc_share=f, friction_kwh=f + 1.0, aggressiveness=f + 1.0)


def _coolant_state(n, params, rng, age_days=None):
    s = coolant.initial_state(n, params, rng)
    if age_days is not None:
        s["age_days"][:] = age_days
    return s


# ------------------------------------------------------------------ coolant
@SETTINGS
@given(coolant_params, st.lists(dts, min_size=1, max_size=30), st.integers(0, 2**31))
def test_coolant_stays_physical_and_never_recovers_without_repair(p, steps, seed):
    rng = np.random.default_rng(seed)
    s = _coolant_state(N, p, rng, age_days=rng.uniform(0, 20 * 365.25, N))
    for dt in steps:
        flow, leak, age = s["flow_frac"].copy(), s["leak_rate_frac_per_day"].copy(), \
            s["age_days"].copy()
        coolant.step(s, _usage(N, 20.0), dt, p, rng)
        assert np.isfinite(s["flow_frac"]).all()
        assert ((s["flow_frac"] >= 0) & (s["flow_frac"] <= 1)).all()
        assert (s["leak_rate_frac_per_day"] >= 0).all()
        assert (s["flow_frac"] <= flow).all()                          # no recovery
        was = leak > 0
        assert (s["leak_rate_frac_per_day"][was] == leak[was]).all()   # a leak persists
        np.testing.assert_allclose(s["age_days"], age + np.float32(dt), rtol=REL)
        rise = coolant.pack_temp_rise_c(s, p)
        top = p.pack_temp_rise_c_per_flow_loss_frac * (1 + REL)
        assert (rise >= 0).all() and (rise <= top).all()
        h = coolant.health(s, p)
        assert ((h >= 0) & (h <= 1)).all()


@SETTINGS
@given(coolant_params, st.lists(st.floats(0.0, 60 * 365.25), min_size=2, max_size=8), dts, dts)
def test_leak_onset_grows_with_the_step_and_accumulates_with_age(p, ages, dt_a, dt_b):
    age = np.sort(np.array(ages, np.float32))
    cum = -np.expm1(-coolant._cum_hazard(age, p))
    assert (np.diff(cum) >= 0).all()                                  # monotone in time
    short, long = sorted((dt_a, dt_b))
    assert (coolant._onset_prob(age, np.float32(short), p)
            <= coolant._onset_prob(age, np.float32(long), p) + 1e-7).all()
    # two consecutive steps of dt survive like one step of 2 dt (cumulative hazards add); in
    # float64 ages: a float32 age of 4 000 days resolves 5e-4 days, 0.15 % of an 8-hour step
    a, dt = age.astype(np.float64) + 2 * short, short
    two = 1 - (1 - coolant._onset_prob(a - dt, dt, p)) * (1 - coolant._onset_prob(a, dt, p))
    np.testing.assert_allclose(two, coolant._onset_prob(a, 2 * dt, p), rtol=1e-4, atol=1e-6)


@SETTINGS
@given(coolant_params, st.lists(st.tuples(st.floats(0.0, 60 * 365.25), dts), min_size=2,
                                max_size=12))
@example(dataclasses.replace(CoolantConfig(), leak_weibull_shape=0.5,
                             leak_weibull_scale_years=50.0),
         [(0.0, 1.0), (0.0, 10.0), (999.0, 1.0)])   # a 10-day step of a young loop: found by hand
def test_leak_onset_thinning_bound_covers_every_loop(p, pairs):
    # The onsets are drawn by thinning (exact only if p_max bounds every loop's probability),
    # for any mix of ages and per-vehicle steps (the warm-up's), any Weibull shape.
    ages, steps = (np.array(x, np.float32) for x in zip(*pairs, strict=True))
    s = _coolant_state(len(ages), p, np.random.default_rng(0), age_days=ages + steps)
    seen = {}

    def spy(rng, p_max, n, p_of):
        seen["p"] = p_of(np.arange(n))
        seen["p_max"] = p_max
        return np.empty(0, np.int64)

    real = coolant.thinned_events
    coolant.thinned_events = spy
    try:
        coolant._leak_onsets(s, steps, p, np.random.default_rng(1), len(ages))
    finally:
        coolant.thinned_events = real
    assert (seen["p"] <= seen["p_max"] * (1 + REL) + 1e-12).all(), (seen, ages, steps)


@SETTINGS
@given(coolant_params, temps, temps, st.integers(0, 2**31))
def test_coolant_state_does_not_depend_on_temperature(p, cold, hot, seed):
    states = []
    for temp in (cold, hot):
        rng = np.random.default_rng(seed)
        s = _coolant_state(N, p, rng, age_days=np.linspace(0, 30 * 365.25, N))
        for _ in range(5):
            coolant.step(s, _usage(N, temp), 30.0, p, rng)
        states.append(s)
    for key in coolant.STATES:
        np.testing.assert_array_equal(states[0][key], states[1][key])


@SETTINGS
@given(coolant_params, st.integers(0, 2**31))
def test_coolant_repair_restores_a_sealed_full_loop(p, seed):
    rng = np.random.default_rng(seed)
    s = _coolant_state(N, p, rng, age_days=np.full(N, 5 * 365.25))
    s["leak_rate_frac_per_day"][:] = rng.uniform(0, 1, N).astype(np.float32)
    s["flow_frac"][:] = rng.uniform(0, 1, N).astype(np.float32)
    idx = np.arange(0, N, 2)
    age = s["age_days"].copy()
    coolant.repair(s, idx, "overheat", p, rng)
    assert (s["flow_frac"][idx] == 1).all() and (s["leak_rate_frac_per_day"][idx] == 0).all()
    # (1 - overheat) in float32 over (1 - overheat) in float64: 1 up to one float32 ulp
    np.testing.assert_allclose(coolant.health(s, p)[idx], 1.0, rtol=REL)
    assert not any(m[idx].any() for m in coolant.faults(s, p).values())
    np.testing.assert_array_equal(s["age_days"], age)                  # the loop keeps its age


def test_coolant_flow_is_additive_in_dt_for_a_leaking_loop():
    p = CoolantConfig()
    rates = np.float32([0.0, 1e-4, 0.002, 0.02, 0.5])
    one, two = (_coolant_state(5, p, np.random.default_rng(0), 365.0) for _ in range(2))
    for s in (one, two):
        s["leak_rate_frac_per_day"][:] = rates
        s["age_days"][:] = 0.0      # no new onset (zero hazard at age 0 .. 0 + dt is tiny)
    p0 = dataclasses.replace(p, leak_weibull_scale_years=1e6)
    coolant.step(one, _usage(5, 20.0), 6.0, p0, np.random.default_rng(1))
    for _ in range(2):
        coolant.step(two, _usage(5, 20.0), 3.0, p0, np.random.default_rng(1))
    np.testing.assert_allclose(one["flow_frac"], two["flow_frac"], rtol=REL, atol=1e-6)
    np.testing.assert_allclose(one["age_days"], two["age_days"], rtol=REL)


def test_coolant_flow_after_onset_is_additive_in_dt_in_distribution():
    # Loops of one age, hazard high enough that about half start leaking within the window;
    # a leak starting inside a step loses flow for the part of the step after its onset, so
    # k steps of dt and k / 2 steps of 2 dt must give the same mean flow.
    p = dataclasses.replace(CoolantConfig(), leak_weibull_scale_years=0.2, leak_weibull_shape=1.0,
                            leak_fast_share=0.0, leak_rate_log_sd=0.0,
                            leak_rate_median_frac_per_day=0.005)
    n, window = 20_000, 60.0
    means, ses = [], []
    for dt in (5.0, 10.0, 20.0):
        rng = np.random.default_rng(7)
        s = _coolant_state(n, p, rng, age_days=365.0)
        for _ in range(int(window / dt)):
            coolant.step(s, _usage(n, 20.0), np.float32(dt), p, rng)
        means.append(float(s["flow_frac"].mean()))
        ses.append(float(s["flow_frac"].std()) / math.sqrt(n))
    pairs = list(zip(means, ses, strict=True))
    for (m1, s1), (m2, s2) in zip(pairs[:-1], pairs[1:], strict=True):
        assert abs(m1 - m2) <= Z * math.hypot(s1, s2), (means, ses)


# -------------------------------------------------------------------- 12 V
@SETTINGS
@given(aux_params, st.lists(st.tuples(dts, temps), min_size=1, max_size=30),
       st.integers(0, 2**31))
def test_aux12v_stays_physical_and_health_never_rises_without_repair(p, steps, seed):
    rng = np.random.default_rng(seed)
    s = aux12v.initial_state(N, p, rng)
    assert (s["life_days"] > 0).all()
    for dt, temp in steps:
        wear, sudden = s["wear_frac"].copy(), s["sudden"].copy()
        h_before = aux12v.health(s, p)
        aux12v.step(s, _usage(N, temp), dt, p, rng)
        assert not np.isnan(s["wear_frac"]).any()
        assert (s["wear_frac"] >= wear).all() and (s["wear_frac"] >= 0).all()
        assert (s["sudden"] >= sudden).all()                           # a failure stays
        h = aux12v.health(s, p)
        assert ((h >= 0) & (h <= 1)).all() and (h <= h_before).all()
        v = aux12v.rest_voltage_v(s, p)
        lo = p.rest_voltage_new_v - p.rest_voltage_drop_at_eol_v
        assert ((v >= np.float32(lo) - 1e-5) & (v <= np.float32(p.rest_voltage_new_v))).all()


@SETTINGS
@given(aux_params, temps, temps, dts, st.integers(0, 2**31))
def test_aux12v_wears_faster_when_hotter(p, t_a, t_b, dt, seed):
    cold, hot = sorted((t_a, t_b))
    out = []
    for temp in (cold, hot):
        rng = np.random.default_rng(seed)
        s = aux12v.initial_state(N, p, rng)
        aux12v.step(s, _usage(N, temp), dt, p, rng)
        out.append(s["wear_frac"])
    assert (out[1] >= out[0]).all()


@SETTINGS
@given(aux_params, st.lists(st.tuples(dts, temps), min_size=1, max_size=8), temps,
       st.integers(0, 2**31))
def test_aux12v_wear_is_additive_in_dt(p, steps, temp, seed):
    # wear += accel(T) dt / life: k steps add up to one step of their total dt
    rng = np.random.default_rng(seed)
    one = aux12v.initial_state(N, p, rng)
    many = {k: v.copy() for k, v in one.items()}
    total = 0.0
    for dt, _ in steps:
        aux12v.step(many, _usage(N, temp), dt, p, np.random.default_rng(seed))
        total += dt
    aux12v.step(one, _usage(N, temp), total, p, np.random.default_rng(seed))
    np.testing.assert_allclose(many["wear_frac"], one["wear_frac"], rtol=len(steps) * REL,
                               atol=1e-30)


def test_aux12v_sudden_failures_are_additive_in_dt_in_distribution():
    p = dataclasses.replace(Aux12vConfig(), sudden_failure_rate_per_vehicle_year=1.0)
    n = 20_000
    shares = []
    for dt, k in ((30.0, 4), (60.0, 2), (120.0, 1)):
        rng = np.random.default_rng(3)
        s = aux12v.initial_state(n, p, rng)
        for _ in range(k):
            aux12v.step(s, _usage(n, 15.0), dt, p, rng)
        shares.append(float(s["sudden"].mean()))
    expected = -math.expm1(-120.0 / 365.25)
    se = math.sqrt(expected * (1 - expected) / n)
    for share in shares:
        assert abs(share - expected) <= Z * se, shares


@SETTINGS
@given(aux_params, st.integers(0, 2**31))
def test_aux12v_repair_fits_a_new_unit(p, seed):
    rng = np.random.default_rng(seed)
    s = aux12v.initial_state(N, p, rng)
    s["wear_frac"][:] = rng.uniform(0, 2, N).astype(np.float32)
    s["sudden"][::3] = True
    idx = np.arange(0, N, 2)
    aux12v.repair(s, idx, "no_start", p, rng)
    assert (s["wear_frac"][idx] == 0).all() and not s["sudden"][idx].any()
    assert (aux12v.health(s, p)[idx] == 1).all() and (s["life_days"][idx] > 0).all()
    np.testing.assert_allclose(aux12v.rest_voltage_v(s, p)[idx], np.float32(p.rest_voltage_new_v),
                               rtol=REL)
    assert not any(m[idx].any() for m in aux12v.faults(s, p).values())
