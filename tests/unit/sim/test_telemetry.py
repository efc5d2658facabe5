"""Telemetry: upload dropouts, per-vehicle calibration bias, and the engine wiring."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from configs.schema import TelemetryConfig
from sim.alerts import needed_signals
from sim.engine import build
from sim.fleet import Fleet
from sim.telemetry import Telemetry
from twins import TWINS

N = 20_000


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return build(sim.load_config([f"fleet.size={N}", "horizon_days=5"])).fleet


def reader(fleet: Fleet, seed: int = 0, **cfg) -> Telemetry:
    return Telemetry(fleet.twins, fleet.params, TelemetryConfig(**cfg), N,
                     np.random.default_rng(seed))


def test_uploads_succeed_at_the_configured_rate_and_failures_are_nan(fleet):
    uploaded, readings = reader(fleet, upload_success_prob=0.98).read(fleet.state.twins)
    p = 0.98
    assert abs(uploaded.mean() - p) <= 4 * np.sqrt(p * (1 - p) / N)
    for key, values in readings.items():
        assert np.isnan(values[~uploaded]).all(), key
        assert np.isfinite(values[uploaded]).all(), key


def test_every_twin_signal_is_reported(fleet):
    _, readings = reader(fleet).read(fleet.state.twins)
    expected = {f"{name}.{sig}" for name, twin in TWINS.items()
                for sig in twin.sense(fleet.state.twins[name], fleet.params[name],
                                      np.random.default_rng(0))}
    assert set(readings) == expected


def test_calibration_gain_is_within_the_bias_bound_and_stable_per_vehicle(fleet):
    t = reader(fleet, calibration_bias_max_frac=0.02)
    t.read(fleet.state.twins)
    gain = t.gain("aux12v.rest_voltage_v_est").copy()
    assert np.abs(gain - 1).max() <= 0.02 + 1e-6
    assert np.abs(gain - 1).max() >= 0.019          # uniform fills the band
    t.read(fleet.state.twins)
    np.testing.assert_array_equal(t.gain("aux12v.rest_voltage_v_est"), gain)


def test_a_vehicles_reading_averages_to_its_biased_true_value(fleet):
    t = reader(fleet, upload_success_prob=1.0, calibration_bias_max_frac=0.02)
    twin, params = TWINS["aux12v"], fleet.params["aux12v"]
    true = twin.rest_voltage_v(fleet.state.twins["aux12v"], params)
    mean = np.mean([t.read(fleet.state.twins)[1]["aux12v.rest_voltage_v_est"]
                    for _ in range(40)], axis=0)
    gain = t.gain("aux12v.rest_voltage_v_est")
    # Sensor noise sd over 40 days shrinks by sqrt(40); the bias does not average out.
    tol = 5 * params.sensor_voltage_noise_sd_v / np.sqrt(40)
    assert np.abs(mean - true * gain).max() <= tol
    assert np.abs(mean - true).max() > 0.1           # 2 % of 12.6 V ~ 0.25 V


def test_engine_records_uploads_and_signal_means_only_when_enabled():
    base = ["fleet.size=1500", "horizon_days=20", "output.progress=false", "alerts=none"]
    on = sim.simulate(sim.load_config([*base, "telemetry.enabled=true"])).daily
    off = sim.simulate(sim.load_config(base)).daily
    assert "telemetry_uploads" not in off.columns
    # With alerts on and telemetry off, exactly the detectors' signals are read.
    cfg = sim.load_config([*base[:-1], "alerts=default"])
    detectors = sim.simulate(cfg).daily
    want = {f"sensed_{k.replace('.', '_')}_mean" for k in needed_signals(cfg.alerts)}
    assert want and {c for c in detectors.columns if c.startswith("sensed_")} == want
    share = on["telemetry_uploads"].sum() / (1500 * 20)
    assert share == pytest.approx(0.98, abs=0.01)
    assert on["sensed_battery_soh_est_mean"].iloc[-1] == pytest.approx(
        on["battery_soh_mean"].iloc[-1], abs=0.005)
    # Telemetry has its own stream: turning it on does not change the physics.
    assert on["battery_soh_mean"].equals(off["battery_soh_mean"])
