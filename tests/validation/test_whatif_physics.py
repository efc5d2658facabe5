"""Per-vehicle what-if against the twins' physics: each usage change moves the right way, by
the amount the wear laws give.

All scenarios of one projection share their random streams (common random
numbers), so copy ``i`` drives the same km every day under every usage and
the differences below are the usage's effect alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.whatif import ALT, OWN, load_vehicle, project

SAMPLES = 100
TWELVE_MONTHS = 365
PUNCTURE_CAUSES = ("puncture_roadside", "flat", "puncture")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    cfg = sim.load_config(["fleet.size=1500", "horizon_days=20", "seed=9",
                           "output.progress=false"])
    return sim.simulate(cfg).save(tmp_path_factory.mktemp("whatif_val") / "run")


@pytest.fixture(scope="module")
def fleet(run_dir) -> pd.DataFrame:
    return pd.read_parquet(run_dir / "fleet_state.parquet")


def _pick(fleet: pd.DataFrame, mask: pd.Series, by: str | None = None) -> int:
    chosen = fleet[mask]
    assert len(chosen), "no vehicle in the run fits the test's criteria"
    if by:
        chosen = chosen.sort_values(by, ascending=False)
    return int(chosen["vehicle"].iloc[0])


def _at_12_months(proj, comp: str) -> tuple[float, float, float]:
    now = proj.health[OWN].loc[0, comp]
    return now, proj.health[OWN].loc[TWELVE_MONTHS, comp], proj.health[ALT].loc[TWELVE_MONTHS,
                                                                              comp]


def test_calm_driving_wears_brakes_by_the_aggressiveness_factor(run_dir, fleet):
    # Pad wear is proportional to km x aggressiveness: x0.8 style -> x0.8 wear on the same km.
    v = _pick(fleet, fleet["brakes.pad_front_mm"].between(7.0, 10.0)
              & fleet["brakes.pad_rear_mm"].between(6.0, 9.0))
    proj = project(load_vehicle(run_dir, v), usage="calm", samples=SAMPLES)
    now, own, alt = _at_12_months(proj, "brakes")
    assert 0.0 < own < alt < now
    assert (now - alt) == pytest.approx(0.8 * (now - own), rel=1e-3)


def test_less_dc_fast_charging_slows_battery_fade_of_a_high_dc_vehicle(run_dir, fleet):
    v = _pick(fleet, fleet["dc_share"] > 0.3, by="dc_share")
    vt = load_vehicle(run_dir, v)
    dc = vt.usage["dc_share"]
    proj = project(vt, scenarios={OWN: None, ALT: "less_dc", "no_dc": "dc_share=0"},
                   samples=SAMPLES)
    now, own, alt = _at_12_months(proj, "battery")
    assert 0.0 < own < alt < now
    # The cycle-fade coefficient is linear in DC share and calendar fade ignores it, so the
    # health gained by cutting DC share to 0.02 is about (dc - 0.02) / dc of the gain of
    # cutting it to 0: not exactly, as an aged pack's cycle loss grows as a power of EFC
    # (sqrt for NMC) from its equivalent EFC, which is not linear in the coefficient.
    none = proj.health["no_dc"].loc[TWELVE_MONTHS, "battery"]
    assert alt < none
    assert (alt - own) == pytest.approx((dc - 0.02) / dc * (none - own), rel=0.05)


def test_hot_climate_ages_the_12v_battery_faster_by_the_q10_law(run_dir, fleet):
    vt0 = load_vehicle(run_dir, 0)
    regions = vt0.cfg.fleet.regions
    temps = {r: float(regions[r].temp_mean_c) for r in regions}
    temperate = sorted(temps, key=temps.get)[len(temps) // 2]  # neither hottest nor coldest
    hottest = max(temps, key=temps.get)
    assert temps[temperate] < temps[hottest]
    v = _pick(fleet, (fleet["region"] == temperate) & fleet["aux12v.wear_frac"].between(0.1, 0.5)
              & ~fleet["aux12v.sudden"])
    vt = load_vehicle(run_dir, v)
    proj = project(vt, usage="hot_climate", samples=SAMPLES)
    now, own, alt = _at_12_months(proj, "aux12v")
    assert 0.0 < alt < own < now
    # Over a whole year wear grows by the mean Q10 factor of each climate; daily weather
    # noise adds a lognormal factor exp((ln q10 * sd / 10)^2 / 2).
    p = vt.params["aux12v"]

    def mean_accel(name: str) -> float:
        r = regions[name]
        temp = r.temp_mean_c + r.temp_amplitude_c * np.cos(
            2 * np.pi * (np.arange(365) - r.temp_peak_day_of_year) / 365)
        noise = np.exp(0.5 * (np.log(p.ageing_q10) * r.temp_daily_sd_c / 10) ** 2)
        return float(np.mean(p.ageing_q10 ** ((temp - p.ageing_ref_temp_c) / 10))) * noise

    assert (now - alt) / (now - own) == pytest.approx(
        mean_accel(hottest) / mean_accel(temperate), rel=0.01)


def test_low_mileage_halves_tread_wear(run_dir, fleet):
    v = _pick(fleet, fleet["tires.tread_mm"].between(5.0, 7.5) & (fleet["tires.puncture"] == 0))
    proj = project(load_vehicle(run_dir, v), usage="low_mileage", samples=SAMPLES)
    now, own, alt = _at_12_months(proj, "tires")
    assert 0.0 < own < alt < now
    # km x0.5 halves every copy's tread wear; punctured copies (health 0) are the same
    # copies under both usages, since their draws do not depend on km.
    first = proj.first_fault[OWN]
    punctured = np.mean(np.any([first[("tires", c)] != -1 for c in PUNCTURE_CAUSES], axis=0))
    intact = now * (1 - punctured)
    assert (intact - alt) == pytest.approx(0.5 * (intact - own), rel=1e-3)
