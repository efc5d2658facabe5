"""Rolling least-squares lines of the trend detectors: calendar days and the ageing clock."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from configs.alerts_schema import AlertsConfig, TrendConfig
from sim.alerts import Detector
from sim.alerts.rolling import ClockLine, RollingLine


def _both_lines(n: int, w: int, days: int, seed: int):
    rng = np.random.default_rng(seed)
    line, clock = RollingLine(n, w), ClockLine(n, w, 5)
    for day in range(days):
        y = (rng.normal(size=n) - 0.1 * day).astype(np.float32)
        gaps = np.flatnonzero(rng.random(n) < 0.1)
        y[gaps] = np.nan
        line.advance(day, y, gaps)
        clock.advance(day, y, np.ones(n), gaps)
        if day % 7 == 3:
            gone = rng.choice(n, 20, replace=False)
            line.clear(gone)
            clock.clear(gone)
    return line, clock


def test_a_clock_of_one_day_a_day_is_the_calendar_line():
    n = 200
    line, clock = _both_lines(n, 9, 40, seed=3)
    b = line.slope()
    np.testing.assert_allclose(clock.slope(), b, rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(clock.value(b), line.value(b), rtol=1e-6, atol=1e-9,
                               equal_nan=True)
    idx = np.flatnonzero(line.s >= 3)
    assert idx.size > 150
    for got, want in zip(clock.fit(idx, b[idx]), line.fit(idx, b[idx]), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5)
    for got, want in zip(clock.uncertainty(idx, b[idx]), line.uncertainty(idx, b[idx]),
                         strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(clock.rate(), 1.0)


def test_the_clock_removes_a_seasonal_wear_rate_that_bends_the_calendar_line():
    # Wear proceeds at a rate that falls as autumn cools (q10 1.5, 25 -> 5 degC over 60 days):
    # health is a straight line in ageing time, a bent one in calendar days.
    q10, n, days = 1.5, 3, 60
    temp = np.linspace(25.0, 5.0, days)
    step = q10 ** ((temp - 15.0) / 10.0)
    per_clock = 0.001
    line, clock = RollingLine(n, days), ClockLine(n, days, 7)
    health = 1.0 - per_clock * np.cumsum(step)
    for day in range(days):
        y = np.full(n, health[day], np.float32)
        line.advance(day, y)
        clock.advance(day, y, np.full(n, step[day]))
    b = clock.slope()
    np.testing.assert_allclose(b, -per_clock, rtol=1e-3)
    np.testing.assert_allclose(clock.value(b), health[-1], atol=1e-5)
    rate = clock.rate()
    np.testing.assert_allclose(rate, step[-7:].mean(), rtol=1e-9)
    rul_clock_days = health[-1] / per_clock / rate
    rul_calendar = -line.value(line.slope()) / line.slope()
    # The calendar line extrapolates the faster summer wear: it predicts the crossing early.
    assert (rul_calendar < 0.8 * rul_clock_days).all()


def _clock_detector(q10: float) -> Detector:
    cfg = AlertsConfig(trends={"h": TrendConfig(
        signal="c.h", below=True, failure_level=0.0, component="c", cause="worn",
        window_days=20, min_points=10, min_slope_t=3.0, rul_z=0.0, ageing_q10=q10,
        ageing_ref_temp_c=15.0, ageing_rate_window_days=5)})
    return Detector(cfg, 1)


def test_a_clock_trend_gives_its_rul_in_days_at_the_recent_ageing_rate():
    det = _clock_detector(2.0)
    # At 25 degC the clock runs 2 days a day (q10 2, 15 degC reference); health falls 0.002
    # per clock day, 0.004 a day: from 0.084 on day 29 the crossing is 0.084 / 0.004 = 21 days off.
    out = []
    for day in range(30):
        h = np.array([0.2 - 0.004 * day], np.float32)
        out = det.update(day, {"c.h": h}, temp_c=np.array([25.0]))
    assert [(b.level, b.vehicles.tolist()) for b in out] == [("blue", [0])]
    assert out[0].rul_days[0] == pytest.approx(21.0, rel=1e-3)
    np.testing.assert_allclose(det.lines["h"].slope(), -0.002, rtol=1e-4)


def test_a_clock_trend_needs_the_temperature():
    det = _clock_detector(1.5)
    with pytest.raises(ValueError, match="temp_c"):
        det.update(0, {"c.h": np.array([0.5], np.float32)})


def test_a_skipped_day_advances_the_clock_at_the_recent_rate():
    det = _clock_detector(2.0)
    det.update(0, {"c.h": np.array([0.5], np.float32)}, temp_c=np.array([25.0]))   # 2 a day
    det.update(3, {"c.h": np.array([0.4], np.float32)}, temp_c=np.array([5.0]))    # 0.5 a day
    line = det.lines["h"]
    # Days 1 and 2 had no temperature: each ran at the mean rate so far (2.0).
    np.testing.assert_allclose(line.clock, [2.0 + 2.0 + 2.0 + 0.5])
    assert line.days == 4 and line.s[0] == 2


def test_the_default_12v_trend_runs_on_the_units_own_clock():
    # The detector's Q10 is the lead-acid unit's (configs/aux12v): a change to one without the
    # other would bring the seasonal false trend back.
    cfg = sim.load_config([])
    trend, unit = cfg.alerts.trends.battery_12v, cfg.aux12v
    assert trend.ageing_q10 == unit.ageing_q10 > 1.0
    assert trend.ageing_ref_temp_c == unit.ageing_ref_temp_c


def test_the_slope_of_some_vehicles_is_the_fleet_slope_at_those_vehicles():
    rng = np.random.default_rng(3)
    line = RollingLine(50, 20)
    for day in range(30):
        y = (1.0 - 0.01 * day * rng.random(50) + rng.normal(0, 0.02, 50)).astype(np.float32)
        y[rng.random(50) < 0.2] = np.nan
        line.advance(day, y)
    line.clear(np.array([4, 9]))
    idx = np.array([0, 4, 7, 33, 49])
    full = line.slope()
    np.testing.assert_array_equal(line.slope(idx), full[idx])
    assert np.isnan(full[4]) and np.isfinite(full[[0, 7, 33, 49]]).all()
    assert (full[[0, 7, 33, 49]] < 0).all()


@pytest.mark.parametrize("days", [20, 45, 70, 90])
def test_a_line_told_the_horizon_stores_less_and_gives_the_same_floats(days):
    # window 30, rate window 12: a run of 20 days stores nothing, 45 and 70 days a part of
    # the window, 90 days all of it; sums, slopes and rates equal the full buffer's, bit for bit
    rng = np.random.default_rng(days)
    n = 300
    full = RollingLine(n, 30), ClockLine(n, 30, 12)
    short = RollingLine(n, 30, days), ClockLine(n, 30, 12, days)
    assert short[0].buf.shape[0] == short[1].y.shape[0] == max(0, min(30, days - 30))
    assert short[1].steps.shape[0] == max(0, min(12, days - 12))
    for day in range(days):
        y = (rng.normal(size=n) - 0.1 * day).astype(np.float32)
        gaps = np.flatnonzero(rng.random(n) < 0.1)
        y[gaps] = np.nan
        step = rng.uniform(0.5, 2.0, n)
        gone = rng.choice(n, 15, replace=False) if day % 9 == 4 else None
        for line, clock in (full, short):
            line.advance(day, y, gaps)
            clock.advance(day, y, step, gaps)
            if gone is not None:
                line.clear(gone)
                clock.clear(gone)
    for a, b in zip(full, short, strict=True):
        np.testing.assert_array_equal(a.slope(), b.slope())
        for name in ("s", "sy", "syy"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(full[1].rate(), short[1].rate())
    np.testing.assert_array_equal(full[0].sty, short[0].sty)
