"""Every twin honours the vectorized twin contract (DESIGN.md, "Twin contract")."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import twins

N_VEHICLES = 1000  # the population size of conftest's cfg
NAMES = list(twins.TWINS)
VARIANTS = ("default", "stressed")

# Per twin, quantities that only move one way between repairs: (label, getter, +1 up / -1 down).
WEAR = {
    "battery": [("q_cal+q_cyc", lambda s: s["q_cal"] + s["q_cyc"], +1)],
    "brakes": [("pad_front_mm", lambda s: s["pad_front_mm"], -1),
               ("pad_rear_mm", lambda s: s["pad_rear_mm"], -1)],
    "coolant": [("flow_frac", lambda s: s["flow_frac"], -1),
                ("age_days", lambda s: s["age_days"], +1)],
    "tires": [("tread_mm", lambda s: s["tread_mm"], -1)],
    "aux12v": [("wear_frac", lambda s: s["wear_frac"], +1)],
    "electrics": [],  # shocks only: nothing wears
    "software": [],
    "body": [],
}
# Per twin, one state that advances strictly with every day driven.
ADVANCES = {"battery": ("q_cal", +1), "brakes": ("pad_front_mm", -1),
            "coolant": ("age_days", +1), "tires": ("tread_mm", -1), "aux12v": ("wear_frac", +1)}


def _break(name: str, cause: str, s: dict, idx: np.ndarray, p) -> None:
    """Put vehicles ``idx`` into the fault ``cause`` by editing the twin state."""
    if name == "battery":
        if cause == "hv_fault":
            s["hv_fault"][idx] = True
        else:
            s["q_cyc"][idx] = (1.0 - p.replace_soh_frac) + 0.05
    elif name == "brakes":
        s["pad_front_mm"][idx] = p.pad_replace_mm - 0.5
        s["pad_rear_mm"][idx[::2]] = p.pad_replace_mm - 0.2
    elif name == "coolant":
        s["leak_rate_frac_per_day"][idx] = 0.01
        s["flow_frac"][idx] = (p.overheat_flow_frac - 0.1 if cause == "overheat"
                               else (p.overheat_flow_frac + p.warning_flow_frac) / 2)
    elif name == "tires":
        if cause == "puncture_roadside":
            s["puncture"][idx] = 2
        elif cause == "puncture":
            s["puncture"][idx] = 1
        elif cause == "flat":
            s["pressure_cold_psi"][idx] = 0.5 * p.pressure_flat_frac * p.pressure_nominal_psi
        else:
            s["tread_mm"][idx] = p.tread_min_mm - 0.3
    elif name == "electrics":
        s["fault"][idx] = 2 if cause == "electrical_fault" else 1
    elif name == "software":
        key = "ota_fault" if cause.startswith("ota_") else "fault"
        s[key][idx] = 2 if cause in ("software_fault_roadside", "ota_no_start") else 1
        s["fault_rate_factor"][idx[::2]] = 2.5  # a buggy release: repair must keep it
    elif name == "body":
        s["damage"][idx] = 1
    elif name == "aux12v":
        if cause == "sudden_failure":  # an internal short in a unit far from its end of life
            s["sudden"][idx] = True
        else:
            s["wear_frac"][idx] = 1.2
            s["strands_at_eol"][idx] = cause == "no_start"
        if cause == "no_start":
            s["sudden"][idx[::2]] = True
    else:  # pragma: no cover - a new twin needs an entry here
        raise AssertionError(f"no fault recipe for {name}")


def _fresh(name: str, params, daily_usage, days: int = 30, rng_seed: int = 5) -> dict:
    twin, p = twins.TWINS[name], params[name]
    state = twin.initial_state(N_VEHICLES, p, np.random.default_rng(rng_seed))
    rng = np.random.default_rng(rng_seed + 1)
    for usage in daily_usage[:days]:
        twin.step(state, usage, 1.0, p, rng)
    return state


def _copy(state: dict) -> dict:
    return {k: v.copy() for k, v in state.items()}


def _check_arrays(name: str, state: dict) -> None:
    twin = twins.TWINS[name]
    assert tuple(state) == tuple(twin.STATES), f"{name}: state keys differ from STATES"
    for key, arr in state.items():
        assert isinstance(arr, np.ndarray), (name, key)
        assert arr.shape == (N_VEHICLES,), (name, key, arr.shape)
        assert arr.dtype == np.bool_ or np.issubdtype(arr.dtype, np.number), (name, key, arr.dtype)
        if np.issubdtype(arr.dtype, np.floating):
            assert np.isfinite(arr).all(), f"{name}.{key} has NaN/inf"


@pytest.mark.parametrize("name", NAMES)
def test_declarations(name):
    twin = twins.TWINS[name]
    assert twin.NAME == name
    assert isinstance(twin.LABEL, str) and twin.LABEL
    assert twins.component_label(name) == twin.LABEL
    assert len(set(twin.STATES)) == len(twin.STATES) > 0
    usage_fields = {f.name for f in dataclasses.fields(twins.Usage)}
    assert set(twin.INPUTS) <= usage_fields
    assert twin.EVENTS, f"{name} declares no events"
    assert set(twin.EVENTS.values()) <= set(twins.SEVERITIES)
    # Events are listed most severe first (failure detection relies on that order).
    ranks = [twins.SEVERITIES.index(s) for s in twin.EVENTS.values()]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("name", NAMES)
def test_initial_state_has_exactly_the_declared_states(name, params):
    twin = twins.TWINS[name]
    state = twin.initial_state(N_VEHICLES, params[name], np.random.default_rng(0))
    assert set(state) == set(twin.STATES)
    _check_arrays(name, state)
    h = twin.health(state, params[name])
    assert h.shape == (N_VEHICLES,)
    # New parts are healthy; brake pads only up to their manufacturing spread.
    assert h.min() > 0.75 and h.mean() > 0.95, f"{name}: a new component is not healthy"
    assert not any(m.any() for m in twin.faults(state, params[name]).values())


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", NAMES)
def test_stepping_keeps_the_contract_and_wear_never_reverses(
        name, variant, params, stressed_params, daily_usage):
    twin = twins.TWINS[name]
    p = (params if variant == "default" else stressed_params)[name]
    state = twin.initial_state(N_VEHICLES, p, np.random.default_rng(1))
    arrays = {k: v for k, v in state.items()}
    dtypes = {k: v.dtype for k, v in state.items()}
    twin_rng, sense_rng = np.random.default_rng(2), np.random.default_rng(3)
    prev = {label: get(state).copy() for label, get, _ in WEAR[name]}
    fired: set[str] = set()
    for day, usage in enumerate(daily_usage):
        twin.step(state, usage, 1.0, p, twin_rng)
        _check_arrays(name, state)
        for key, arr in state.items():
            assert arr is arrays[key], f"{name}.{key} was replaced, not updated in place"
            assert arr.dtype == dtypes[key]
        h = twin.health(state, p)
        assert h.shape == (N_VEHICLES,)
        assert np.isfinite(h).all() and (h >= 0).all() and (h <= 1).all(), (name, day)
        sensed = twin.sense(state, p, sense_rng)
        assert sensed, f"{name}.sense returned nothing"
        for key, arr in sensed.items():
            assert arr.shape == (N_VEHICLES,), (name, key)
            assert np.isfinite(arr).all(), (name, key, day)
        faults = twin.faults(state, p)
        assert list(faults) == list(twin.EVENTS)
        for cause, mask in faults.items():
            assert mask.dtype == np.bool_ and mask.shape == (N_VEHICLES,), (name, cause)
        fired |= {cause for cause, mask in faults.items() if mask.any()}
        for label, get, direction in WEAR[name]:
            now = get(state)
            moved = (now - prev[label]) * direction
            assert (moved >= 0).all(), f"{name}: {label} reversed on day {day} without a repair"
            prev[label] = now.copy()
    if variant == "stressed":  # every event path the twin raises itself was exercised
        own = set(twin.EVENTS) - set(getattr(twin, "EXTERNAL_EVENTS", ()))
        assert fired == own, f"{name}: never raised {own - fired}"


CAUSES = [(name, cause) for name in NAMES for cause in twins.TWINS[name].EVENTS]


@pytest.mark.parametrize(("name", "cause"), CAUSES)
def test_repair_clears_the_fault_and_restores_health(name, cause, params, daily_usage):
    twin, p = twins.TWINS[name], params[name]
    state = _fresh(name, params, daily_usage)
    idx = np.arange(0, N_VEHICLES, 7)
    _break(name, cause, state, idx, p)
    assert twin.faults(state, p)[cause][idx].all(), "test setup did not raise the fault"
    before = _copy(state)
    health_before = twin.health(state, p)
    twin.repair(state, idx, cause, p, np.random.default_rng(9))

    for c, mask in twin.faults(state, p).items():
        assert not mask[idx].any(), f"{name}: {c} still active after repairing {cause}"
    assert (twin.health(state, p)[idx] >= health_before[idx]).all()
    others = np.setdiff1d(np.arange(N_VEHICLES), idx)
    for key in twin.STATES:
        np.testing.assert_array_equal(state[key][others], before[key][others],
                                      err_msg=f"repair changed {name}.{key} of other vehicles")
    _check_arrays(name, state)


def test_repair_fits_new_components(params, daily_usage):
    idx = np.arange(3, N_VEHICLES, 5)
    rng = np.random.default_rng(4)
    b = params["battery"]
    s = _fresh("battery", params, daily_usage)
    _break("battery", "capacity_low", s, idx, b)
    twins.battery.repair(s, idx, "capacity_low", b, rng)
    assert (s["q_cal"][idx] == 0).all() and (s["q_cyc"][idx] == 0).all()
    np.testing.assert_allclose(twins.battery.health(s, b)[idx], 1.0)

    br = params["brakes"]
    s = _fresh("brakes", params, daily_usage)
    _break("brakes", "pad_worn", s, idx, br)
    twins.brakes.repair(s, idx, "pad_worn", br, rng)
    assert np.abs(s["pad_front_mm"][idx] - br.pad_front_new_mm).max() <= 6 * br.pad_new_sd_mm
    assert np.abs(s["pad_rear_mm"][idx] - br.pad_rear_new_mm).max() <= 6 * br.pad_new_sd_mm
    assert abs(s["pad_front_mm"][idx].mean() - br.pad_front_new_mm) < 0.2

    c = params["coolant"]
    s = _fresh("coolant", params, daily_usage)
    age = s["age_days"].copy()
    _break("coolant", "overheat", s, idx, c)
    twins.coolant.repair(s, idx, "overheat", c, rng)
    assert (s["flow_frac"][idx] == 1).all() and (s["leak_rate_frac_per_day"][idx] == 0).all()
    np.testing.assert_array_equal(s["age_days"], age)  # the loop keeps its age

    t = params["tires"]
    s = _fresh("tires", params, daily_usage)
    _break("tires", "tread_worn", s, idx, t)
    twins.tires.repair(s, idx, "tread_worn", t, rng)
    assert (s["tread_mm"][idx] == np.float32(t.tread_new_mm)).all()
    assert (s["pressure_cold_psi"][idx] == np.float32(t.pressure_nominal_psi)).all()
    assert (s["puncture"][idx] == 0).all()
    worn = s["tread_mm"].copy()
    _break("tires", "puncture", s, idx, t)
    twins.tires.repair(s, idx, "puncture", t, rng)
    np.testing.assert_array_equal(s["tread_mm"], worn)  # a puncture repair keeps the tread

    a = params["aux12v"]
    s = _fresh("aux12v", params, daily_usage)
    _break("aux12v", "no_start", s, idx, a)
    twins.aux12v.repair(s, idx, "no_start", a, rng)
    assert (s["wear_frac"][idx] == 0).all() and not s["sudden"][idx].any()
    assert (s["life_days"][idx] > 0).all()
    np.testing.assert_allclose(twins.aux12v.health(s, a)[idx], 1.0)


def test_software_repair_keeps_the_fault_rate_factor(params, daily_usage):
    p = params["software"]
    s = _fresh("software", params, daily_usage)
    idx = np.arange(0, N_VEHICLES, 3)
    _break("software", "software_fault", s, idx, p)
    factor = s["fault_rate_factor"].copy()
    assert (factor[idx[::2]] == 2.5).all() and (factor[idx[1::2]] == 1.0).all()
    twins.software.repair(s, idx, "software_fault", p, np.random.default_rng(0))
    assert (s["fault"][idx] == 0).all()
    np.testing.assert_array_equal(s["fault_rate_factor"], factor)


def test_software_fault_rate_factor_is_per_vehicle(stressed_params, daily_usage):
    p = stressed_params["software"]
    s = twins.software.initial_state(N_VEHICLES, p, np.random.default_rng(0))
    clean = np.arange(N_VEHICLES) % 2 == 0
    s["fault_rate_factor"][clean] = 0.0
    rng = np.random.default_rng(1)
    for usage in daily_usage[:60]:
        twins.software.step(s, usage, 1.0, p, rng)
    assert not s["fault"][clean].any()
    assert (s["fault"][~clean] > 0).mean() > 0.5  # stressed rates: ~5 faults per year


def test_tire_health_is_zero_when_punctured(params, daily_usage):
    p = params["tires"]
    s = _fresh("tires", params, daily_usage)
    idx = np.arange(0, N_VEHICLES, 3)
    _break("tires", "puncture", s, idx, p)
    assert (twins.tires.health(s, p)[idx] == 0).all()


def test_tire_health_is_zero_when_flat(params, daily_usage):
    p = params["tires"]
    s = _fresh("tires", params, daily_usage)
    idx = np.arange(0, N_VEHICLES, 3)
    _break("tires", "flat", s, idx, p)
    assert twins.tires.faults(s, p)["flat"][idx].all()
    assert (twins.tires.health(s, p)[idx] == 0).all()


def _run(name, p, usages, dt, seed=21):
    twin = twins.TWINS[name]
    state = twin.initial_state(N_VEHICLES, p, np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    for usage in usages:
        twin.step(state, usage, dt, p, rng)
    return state


@pytest.mark.parametrize("name", NAMES)
def test_array_dt_gives_the_same_wear_as_scalar_dt(name, stressed_params, daily_usage):
    p = stressed_params[name]
    scalar = _run(name, p, daily_usage[:60], 1.0)
    array = _run(name, p, daily_usage[:60], np.full(N_VEHICLES, 1.0, np.float32))
    for label, get, _ in WEAR[name]:
        np.testing.assert_array_equal(get(array), get(scalar), err_msg=f"{name}: {label}")


@pytest.mark.parametrize("name", list(twins.TWINS))
def test_constant_array_dt_reproduces_scalar_dt_exactly(name, stressed_params, daily_usage):
    p = stressed_params[name]
    scalar = _run(name, p, daily_usage[:60], 1.0)
    array = _run(name, p, daily_usage[:60], np.full(N_VEHICLES, 1.0, np.float32))
    for key in twins.TWINS[name].STATES:
        np.testing.assert_array_equal(array[key], scalar[key], err_msg=f"{name}.{key}")


@pytest.mark.parametrize("name", [n for n in NAMES if n in ADVANCES])
def test_zero_dt_vehicles_do_not_age(name, stressed_params, daily_usage):
    twin = twins.TWINS[name]
    p = stressed_params[name]
    state = _fresh(name, stressed_params, daily_usage, days=60)
    dt = np.where(np.arange(N_VEHICLES) % 2 == 0, 0.0, 2.0).astype(np.float32)
    frozen, moving = dt == 0, dt > 0
    before = _copy(state)
    rng = np.random.default_rng(8)
    for usage in daily_usage[60:120]:
        twin.step(state, usage, dt, p, rng)
    for key in twin.STATES:
        if name == "tires" and key == "temp_c":
            continue  # the tire takes the day's ambient temperature whether driven or not
        np.testing.assert_allclose(state[key][frozen], before[key][frozen], rtol=1e-5,
                                   err_msg=f"{name}.{key} changed with dt=0")
    key, direction = ADVANCES[name]
    assert ((state[key][moving] - before[key][moving]) * direction > 0).all()


def test_sudden_12v_failures_are_their_own_cause(params):
    # A sudden internal failure is not a worn-out unit: the trend detector predicts no_start
    # only, so a short in a young unit must not be logged as no_start (issue 15).
    a = params["aux12v"]
    s = twins.aux12v.initial_state(4, a, np.random.default_rng(0))
    s["wear_frac"][:] = [0.1, 1.2, 1.2, 0.1]
    s["strands_at_eol"][:] = [True, True, False, False]
    s["sudden"][:] = [True, False, False, False]
    f = twins.aux12v.faults(s, a)
    assert f["sudden_failure"].tolist() == [True, False, False, False]
    assert f["no_start"].tolist() == [False, True, False, False]
    assert f["weak_battery"].tolist() == [False, False, True, False]
