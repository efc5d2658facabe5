"""The ``prognostics`` config group: the seed 002 table as default, ``none``, one-line errors."""

from __future__ import annotations

import dataclasses

import pytest
from omegaconf import OmegaConf

import sim
from configs.prognostics_schema import PrognosticsConfig, TargetConfig
from configs.validate import ConfigError, validate


def _cfg(*overrides: str):
    cfg = sim.load_config(list(overrides))
    validate(cfg)
    return cfg


def test_default_is_the_seed_002_table():
    t = _cfg().prognostics.targets
    assert (t.battery_soh.signal, t.battery_soh.threshold, t.battery_soh.below) == (
        "battery.soh_est", 0.85, True)
    assert (t.battery_soh.action, t.battery_soh.job) == ("offer", "battery_check")
    assert (t.brake_pads.threshold, t.brake_pads.horizon_days) == (0.30, 14.0)
    assert (t.tire_pressure.threshold, t.tire_pressure.below, t.tire_pressure.horizon_days,
            t.tire_pressure.confirm_readings) == (0.10, False, 0.0, 2)
    assert (t.air_filter.threshold, t.air_filter.reading_every_days, t.air_filter.job) == (
        0.2, 30, "air_filter")
    assert set(t) == {"battery_soh", "brake_pads", "tire_tread", "tire_pressure", "battery_12v",
                      "air_filter"}


def test_none_switches_it_off():
    p = _cfg("prognostics=none").prognostics
    assert p.enabled is False and len(p.targets) == 0


def test_schema_scalar_defaults_equal_the_default_file():
    p = OmegaConf.to_container(_cfg().prognostics)
    scalars = {k: v for k, v in dataclasses.asdict(PrognosticsConfig()).items()
               if not isinstance(v, dict)}
    assert {k: p[k] for k in scalars} == scalars
    assert set(p["targets"]["brake_pads"]) == {f.name for f in dataclasses.fields(TargetConfig)}


BAD = {  # override -> fragments of the one-line message (key, value, what is allowed)
    "prognostics.targets.brake_pads.signal=brakes.pad_mm": [
        "prognostics.targets.brake_pads.signal='brakes.pad_mm'", "battery.soh_est"],
    "prognostics.targets.brake_pads.action=offer": [
        "prognostics.targets.brake_pads.job=''", "needs a job", "battery_check, air_filter"],
    "prognostics.targets.air_filter.job=brakes": ["air_filter.job='brakes'", "air_filter"],
    "prognostics.targets.battery_12v.min_points=90": [
        "battery_12v.min_points=90 must be <= prognostics.targets.battery_12v.window_days=60"],
    "prognostics.targets.tire_tread.window_days=400": ["tire_tread.window_days=400",
                                                       "[3, 365]"],
    "prognostics.targets.brake_pads.owner_fix_prob=0.5": [
        "brake_pads.owner_fix_prob=0.5 needs signal 'tires.pressure_low_frac_est'"],
    "prognostics.alpha_frac=1.5": ["prognostics.alpha_frac=1.5", "[0, 1]"],
    "prognostics.targets.tire_pressure.reset_jump=0": ["reset_jump=0", "(0, 1000000000]"],
}


@pytest.mark.parametrize("override", sorted(BAD))
def test_bad_values_give_one_line_errors(override):
    with pytest.raises(ConfigError) as info:
        _cfg(override)
    message = str(info.value)
    assert "\n" not in message
    for fragment in BAD[override]:
        assert fragment in message, message
