"""Per-vehicle what-if: loading a vehicle, projecting it, usage specs, plain-language needs."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.fleet import build_fleet, state_frame, twin_params
from sim.rng import Streams
from sim.whatif import ALT, OWN, load_vehicle, project, run_config, vehicle_twin
from sim.whatif.result import NEVER, cause_action, component_label
from sim.whatif.usage import PRESETS, Scale, UsageError, parse_usage, resolve_usage
from twins import TWINS

RUN_VEHICLES, RUN_DAYS = 300, 10
SAMPLES = 100


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    cfg = sim.load_config([f"fleet.size={RUN_VEHICLES}", f"horizon_days={RUN_DAYS}",
                           "output.progress=false", "seed=77"])
    return sim.simulate(cfg).save(tmp_path_factory.mktemp("whatif") / "run")


@pytest.fixture(scope="module")
def fleet_state(run_dir) -> pd.DataFrame:
    return pd.read_parquet(run_dir / "fleet_state.parquet")


@pytest.fixture(scope="module")
def new_cfg():
    """A fleet of brand-new vehicles (age 0: no wear, no past repairs)."""
    return sim.load_config(["fleet.size=20", "fleet.age_min_years=0", "fleet.age_max_years=0"])


@pytest.fixture(scope="module")
def new_frame(new_cfg) -> pd.DataFrame:
    return state_frame(build_fleet(new_cfg, Streams(5)), 0)


def _region(cfg, pick) -> str:
    regions = cfg.fleet.regions
    return pick(regions, key=lambda r: float(regions[r].temp_mean_c))


def _row(frame: pd.DataFrame, **changes) -> pd.Series:
    row = frame.iloc[0].copy()
    for key, value in changes.items():
        row[key.replace("__", ".")] = value
    return row


# ------------------------------------------------------------------- loading
def test_missing_run_dir_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such run directory"):
        load_vehicle(tmp_path / "nope", 0)


def test_run_without_fleet_state_says_how_to_make_one(tmp_path):
    cfg = sim.load_config(["fleet.size=20", "horizon_days=2", "output.progress=false",
                           "output.fleet_state=false"])
    out = sim.simulate(cfg).save(tmp_path / "run")
    with pytest.raises(FileNotFoundError, match=r"output\.fleet_state=true"):
        load_vehicle(out, 0)


def test_dir_without_run_json_is_not_a_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="no run.json"):
        load_vehicle(tmp_path, 0)


@pytest.mark.parametrize("vehicle", [RUN_VEHICLES, -1, 10**9])
def test_unknown_vehicle_gives_the_valid_range(run_dir, vehicle):
    with pytest.raises(ValueError, match=rf"vehicle {vehicle} is not in this run; "
                                         rf"valid ids: 0\.\.{RUN_VEHICLES - 1}"):
        load_vehicle(run_dir, vehicle)


def test_loaded_vehicle_is_the_row_of_the_fleet_state(run_dir, fleet_state):
    v = 123
    vt = load_vehicle(run_dir, v)
    row = fleet_state.iloc[v]
    assert vt.vehicle == v and vt.start_day == RUN_DAYS and vt.skipped == {}
    assert list(vt.twins) == list(TWINS)
    for name, twin in TWINS.items():
        for s in twin.STATES:
            assert vt.state[name][s].shape == (1,)
            assert vt.state[name][s][0] == row[f"{name}.{s}"], f"{name}.{s}"
    assert vt.usage["region"] == row["region"]
    assert vt.usage["dc_share"] == pytest.approx(row["dc_share"])
    assert vt.info["profile"] == row["profile"]
    assert vt.params == twin_params(sim.load_config([]))


def test_run_config_drops_sections_this_version_does_not_know(run_dir):
    raw = json.loads((run_dir / "run.json").read_text())["config"]
    cfg = run_config(dict(raw, future_section={"x": 1}))
    assert "future_section" not in cfg and cfg.seed == 77


def test_a_twin_missing_from_the_fleet_state_is_skipped_not_guessed(new_cfg, new_frame):
    name = next(iter(TWINS))
    row = new_frame.iloc[0].drop([c for c in new_frame.columns if c.startswith(f"{name}.")])
    vt = vehicle_twin(new_cfg, row, 0)
    assert name not in vt.twins and "lacks" in vt.skipped[name]
    proj = project(vt, days=10, samples=5)
    assert name not in proj.health[OWN].columns
    assert list(proj.health[OWN].columns) == [n for n in TWINS if n != name]


# ---------------------------------------------------------------- projecting
def test_worn_12v_in_a_warm_region_needs_replacement_at_the_day_theory_gives(new_cfg, new_frame):
    warm = _region(new_cfg, max)
    life_days, wear0, start_day = 1600.0, 0.95, 150
    row = _row(new_frame, region=warm, aux12v__wear_frac=wear0, aux12v__life_days=life_days,
               aux12v__strands_at_eol=False)
    proj = project(vehicle_twin(new_cfg, row, start_day), samples=SAMPLES, seed=1)
    needs = proj.needs().set_index(["scenario", "component", "cause"])
    need = needs.loc[(OWN, "aux12v", "weak_battery")]
    assert need["p_3mo"] == 1.0 and not need["due_now"]
    # Noise-free wear: Q10 law on the region's seasonal temperature, from the run's calendar.
    r, p = new_cfg.fleet.regions[warm], new_cfg.aux12v
    d = np.arange(1, 366)
    doy = (new_cfg.fleet.start_day_of_year + start_day + d - 1) % 365
    temp = r.temp_mean_c + r.temp_amplitude_c * np.cos(2 * np.pi * (doy - r.temp_peak_day_of_year)
                                                       / 365)
    wear = wear0 + np.cumsum(p.ageing_q10 ** ((temp - p.ageing_ref_temp_c) / 10) / life_days)
    theory_day = int(d[np.argmax(wear >= 1.0)])
    assert abs(need["median_day"] - theory_day) <= 3
    assert proj.health[OWN].loc[theory_day + 5, "aux12v"] == 0.0
    assert any(t.startswith("12 V battery: replacement very likely within 3 months (p=1.00, "
                            f"median day {need['median_day']:.0f})")
               for t in proj.maintenance_list(OWN))


def test_brand_new_vehicle_needs_no_maintenance_in_3_months(new_cfg, new_frame):
    proj = project(vehicle_twin(new_cfg, new_frame.iloc[0], 0), days=120, samples=SAMPLES)
    needs = proj.needs()
    assert (needs["p_3mo"] < 0.05).all(), needs[needs["p_3mo"] >= 0.05]
    assert not needs["due_now"].any()
    assert proj.maintenance_list(OWN) == []
    assert proj.health[OWN].loc[0].to_numpy() == pytest.approx(1.0, abs=1e-6)
    assert (proj.health[OWN].loc[91] > 0.9).all()


@pytest.fixture(scope="module")
def mid_life(run_dir, fleet_state):
    """A vehicle with every wear component part-worn, projected under own and calm usage."""
    ok = ((fleet_state["aux12v.wear_frac"].between(0.2, 0.6))
          & (fleet_state["tires.tread_mm"] > 4.0) & (fleet_state["brakes.pad_front_mm"] > 6.0))
    vt = load_vehicle(run_dir, int(fleet_state.index[ok][0]))
    return vt, project(vt, usage="calm", samples=SAMPLES, seed=4)


def test_health_never_increases_without_repairs(mid_life):
    _, proj = mid_life
    for name, h in proj.health.items():
        steps = np.diff(h.to_numpy(), axis=0)
        assert steps.max() <= 1e-6, name
        for comp in ("battery", "brakes", "tires", "aux12v"):
            assert h[comp].iloc[-1] < h[comp].iloc[0] - 0.01, (name, comp)


def test_projection_starts_at_the_loaded_health(mid_life):
    vt, proj = mid_life
    now = vt.health()
    for h in proj.health.values():
        assert h.loc[0].to_dict() == pytest.approx(now, rel=1e-6)
    assert proj.summary()["now"].to_dict() == pytest.approx(now, rel=1e-6)


def test_first_fault_days_are_consistent_with_the_probabilities(mid_life):
    _, proj = mid_life
    needs = proj.needs().set_index(["scenario", "component", "cause"])
    for scenario, faults in proj.first_fault.items():
        for (comp, cause), day in faults.items():
            assert day.shape == (SAMPLES,)
            assert ((day == NEVER) | ((day >= 0) & (day <= proj.days))).all()
            row = needs.loc[(scenario, comp, cause)]
            assert row["p_3mo"] == np.mean((day != NEVER) & (day <= 91))
            assert row["p_3mo"] <= row["p_12mo"] <= row["p_end"]


def test_same_seed_same_projection_other_seed_differs(mid_life):
    vt, proj = mid_life
    again = project(vt, usage="calm", samples=SAMPLES, seed=4)
    assert json.dumps(again.to_dict()) == json.dumps(proj.to_dict())
    other = project(vt, usage="calm", samples=SAMPLES, seed=5)
    assert not np.array_equal(other.health[OWN]["brakes"], proj.health[OWN]["brakes"])


def test_own_usage_projection_does_not_depend_on_the_alternative(mid_life):
    vt, proj = mid_life
    alone = project(vt, samples=SAMPLES, seed=4)
    assert list(alone.health) == [OWN]
    pd.testing.assert_frame_equal(alone.health[OWN], proj.health[OWN])


def test_calm_alternative_changes_only_aggressiveness(mid_life):
    vt, proj = mid_life
    own, alt = proj.scenarios[OWN]["usage"], proj.scenarios[ALT]["usage"]
    assert alt["aggressiveness"] == pytest.approx(0.8 * own["aggressiveness"])
    assert {k: v for k, v in alt.items() if k != "aggressiveness"} == {
        k: v for k, v in own.items() if k != "aggressiveness"}
    assert proj.scenarios[ALT]["spec"] == "calm"


def test_summary_and_json_hold_both_horizons(mid_life):
    _, proj = mid_life
    s = proj.summary()
    assert list(s.columns) == ["now", "3 mo (own)", "12 mo (own)", "3 mo (alt)", "12 mo (alt)"]
    assert s.loc["brakes", "12 mo (alt)"] == proj.health[ALT].loc[365, "brakes"]
    data = json.loads(json.dumps(proj.to_dict()))
    assert data["health"]["tires"]["3 mo (own)"] == pytest.approx(proj.health[OWN].loc[91, "tires"])
    assert len(data["health_by_day"][ALT]["aux12v"]) == proj.days + 1


def test_short_projection_reports_at_its_end(mid_life):
    vt, _ = mid_life
    proj = project(vt, days=30, samples=10)
    assert math.isnan(proj.summary().loc["battery", "3 mo (own)"])
    assert [h.days for h in proj.horizons()] == [30]
    assert proj.to_dict()["health"]["battery"]["12 mo (own)"] is None


@pytest.mark.parametrize("kwargs, message", [
    ({"days": 0}, "days=0"), ({"samples": 0}, "samples=0"),
    ({"usage": "calm", "scenarios": {"own": None}}, "not both"),
    ({"usage": "sporty"}, "unknown usage 'sporty'")])
def test_bad_projection_arguments(mid_life, kwargs, message):
    vt, _ = mid_life
    with pytest.raises(ValueError, match=message):
        project(vt, **kwargs)


# --------------------------------------------------------------- usage specs
def test_presets_and_pairs_merge_later_ones_winning():
    assert parse_usage("calm") == {"aggressiveness": Scale(0.8)}
    assert parse_usage(["calm", "dc_share=0.02", "aggressiveness=0.9"]) == {
        "aggressiveness": 0.9, "dc_share": 0.02}
    assert parse_usage(["km_per_day_mean=x0.5", "region=tier1_south"]) == {
        "km_per_day_mean": Scale(0.5), "region": "tier1_south"}
    assert parse_usage({"soc_high": "0.8"}) == {"soc_high": 0.8}
    assert parse_usage(None) == {} and parse_usage([]) == {}


def test_bad_key_names_the_key_and_the_allowed_keys():
    with pytest.raises(UsageError) as ex:
        parse_usage(["calm", "speed=3"])
    text = str(ex.value)
    assert "'speed'" in text
    for key in ("aggressiveness", "dc_share", "km_per_day_mean", "region", "soc_high", *PRESETS):
        assert key in text


@pytest.mark.parametrize("token, message", [
    ("dc_share=lots", "dc_share='lots' is not a number"),
    ("dc_share=nan", "not a finite number"),
    ("aggressiveness=x-1", "factor must be >= 0"),
    ("sporty", "unknown usage 'sporty'"),
    ("region=", "must be a region name")])
def test_bad_values_are_named(token, message):
    with pytest.raises(UsageError, match=message):
        parse_usage(token)


def test_resolution_against_the_vehicle_and_the_config(new_cfg):
    regions = new_cfg.fleet.regions
    own = {"aggressiveness": 1.2, "dc_share": 0.3, "km_per_day_mean": 40.0,
           "km_per_day_cv": 0.5, "soc_high": 0.9, "region": list(regions)[0]}
    assert resolve_usage(parse_usage("hot_climate"), own, regions)["region"] == _region(
        new_cfg, max)
    assert resolve_usage(parse_usage("cold_climate"), own, regions)["region"] == _region(
        new_cfg, min)
    low = resolve_usage(parse_usage(["low_mileage", "less_dc"]), own, regions)
    assert low == dict(own, km_per_day_mean=20.0, dc_share=0.02)
    with pytest.raises(UsageError, match="valid regions: " + ", ".join(regions)):
        resolve_usage({"region": "mars"}, own, regions)
    with pytest.raises(UsageError, match=r"usage dc_share=1.5 is out of range"):
        resolve_usage({"dc_share": 1.5}, own, regions)
    with pytest.raises(UsageError, match=r"usage km_per_day_mean=4000 is out of range"):
        resolve_usage({"km_per_day_mean": "x100"}, own, regions)


def test_labels_come_from_twin_and_cause_names():
    assert component_label("aux12v") == "12 V battery"
    assert component_label("new_widget") == "New widget"
    assert cause_action("brakes", "pad_worn") == "pad replacement"
    assert cause_action("new_widget", "seal_leak") == "seal leak"
    for name, twin in TWINS.items():
        assert component_label(name) and all(cause_action(name, c) for c in twin.EVENTS)
