"""The default scenario, without predictive alerts, against the published fleet figures.

The figures of CALIBRATION.md come from fleets without predictive service,
so the alert policy is off here (``alerts=none``); what alerts change is
tested in ``test_alert_policy.py``.

Bands are the published ranges; the full per-figure calibration suite comes
with the calibration issue. One default run (10 000 vehicles x 365 days) is
shared by all tests here.
"""

from __future__ import annotations

import pytest

import sim
from experiments.validate import fleet

COMPONENTS = ("battery", "brakes", "coolant", "tires", "aux12v")


@pytest.fixture(scope="module")
def kpis():
    # The published figures describe fleets serviced the usual way: no predictive alerts.
    return sim.simulate(sim.load_config(["output.progress=false",
                                         *fleet.ADAC_OVERRIDES])).kpis


def test_fleet_average_battery_loss_is_in_the_geotab_band(kpis):
    # Geotab 2019-2025: 1.8-2.3 % capacity lost per year of age, fleet average.
    assert 1.8 <= kpis["battery_loss_pct_per_year_of_age"] <= 2.3


def test_breakdown_rate_is_in_the_adac_ev_range(kpis):
    # ADAC: EVs ~2.8-3.8 breakdowns per 1000 vehicles per year; our components
    # cover ~85 % of causes, allow up to 8 (the product brief's 3-8 band); fleetsim-validate's
    # check on the same run.
    check = fleet.adac_rate_check(kpis)
    assert 2.8 <= check.figure <= 8.0 and check.passed


def test_12v_battery_is_the_largest_breakdown_cause(kpis):
    road = {c: kpis[f"breakdowns_by_component_{c}"] for c in COMPONENTS}
    assert max(road, key=road.get) == "aux12v"
    assert road["aux12v"] / sum(road.values()) >= 0.4


def test_cooling_is_a_rare_breakdown_cause(kpis):
    # ADAC: cooling ~0.1 % of EV breakdowns.
    assert kpis["breakdowns_by_component_coolant"] <= 0.02 * kpis["breakdowns"] + 1


def test_annual_mileage_matches_the_profile_mix(kpis):
    # Profile mix: 0.6 x 33 + 0.3 x 25 + 0.1 x 90 km/day ~ 36.3 km/day ~ 13 260 km/yr;
    # stranded days are not driven, so slightly less.
    assert 12_800 <= kpis["km_per_vehicle_year"] <= 13_400
