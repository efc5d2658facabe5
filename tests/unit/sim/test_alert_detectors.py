"""Alert detectors (threshold rules, RUL trends) and the ``alerts`` config group files."""

from __future__ import annotations

import typing
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf

from configs.alerts_schema import AlertsConfig, RuleConfig, TrendConfig
from configs.schema import FleetsimConfig
from configs.validate import ConfigError, validate
from sim.alerts import Detector, needed_signals
from twins import TWINS

NAN = np.nan
CONFIGS = Path(__file__).resolve().parents[3] / "configs"
GROUP_FILES = ("default", "threshold", "sensitive", "none")


def readings(**signals: list[float]) -> dict[str, np.ndarray]:
    return {k.replace("__", "."): np.asarray(v, np.float32) for k, v in signals.items()}


def fired(batches) -> list[tuple[str, str, list[int]]]:
    return [(b.source, b.level, b.vehicles.tolist()) for b in batches]


# ------------------------------------------------------------------ rules
RULE_CFG = AlertsConfig(rules={
    "low": RuleConfig(signal="c.x", below=True, threshold=0.5, component="c", cause="worn",
                      level="yellow", confirm_days=2),
    "hot": RuleConfig(signal="c.y", below=False, threshold=0.9, component="c", cause="hot",
                      level="red", confirm_days=1),
})
# Rows = days 0..4, columns = vehicles 0..4.
X = [[0.4, 0.4, 0.6, 0.4, NAN],
     [0.4, NAN, 0.6, 0.6, NAN],
     [0.4, 0.4, 0.6, 0.4, 0.4],
     [0.4, 0.6, 0.6, 0.4, NAN],
     [0.4, 0.4, 0.6, 0.4, 0.4]]
Y = [[0.0] * 5, [0.0] * 5, [0.0] * 5, [1.0, 0, 0, 0, 0], [0, 0, 1.0, 0, 0]]
EXPECTED = [
    [],                                                  # one confirmation at most
    [("low", "yellow", [0])],                            # vehicle 1's NaN day does not confirm
    [("low", "yellow", [0, 1])],                         # ... nor reset: 2nd uploaded day past
    [("hot", "red", [0]), ("low", "yellow", [3])],       # v0's red overrides its yellow; v1 reset
    [("hot", "red", [2]), ("low", "yellow", [0, 3, 4])],  # v4: uploaded days 2 and 4 only
]


def test_rules_fire_after_confirm_days_of_uploaded_readings_most_severe_first():
    det = Detector(RULE_CFG, 5)
    got = [fired(det.update(day, readings(c__x=X[day], c__y=Y[day]))) for day in range(5)]
    assert got == EXPECTED


def test_a_rule_batch_has_component_cause_and_no_rul():
    det = Detector(RULE_CFG, 5)
    det.update(0, readings(c__x=X[0], c__y=Y[0]))
    (b,) = det.update(1, readings(c__x=X[1], c__y=Y[1]))
    assert (b.component, b.cause, b.rul_days, b.vehicles.dtype) == ("c", "worn", None, np.int64)


def test_reset_forgets_the_confirmations_of_a_repaired_component():
    det = Detector(RULE_CFG, 5)
    det.update(0, readings(c__x=X[0], c__y=Y[0]))
    det.reset(np.array([0]), "c")
    assert fired(det.update(1, readings(c__x=X[1], c__y=Y[1]))) == []


# ----------------------------------------------------------------- trends
def trend_cfg(**kw) -> AlertsConfig:
    t = dict(signal="c.y", below=True, failure_level=0.8875, component="c", cause="worn",
             window_days=5, min_points=3, min_slope_per_day=0.0, min_slope_t=3.0)
    t.update(kw)
    return AlertsConfig(trends={"fit": TrendConfig(**t)})


def decline_days() -> list[np.ndarray]:
    """Days 0..9 of 5 vehicles; only days 5..9 fall in the window on day 9."""
    days = []
    for d in range(10):
        v0 = 1.0 if d < 5 else 1.0 - 0.01 * (d - 4)   # flat, then -0.01/day: 0.95 on day 9
        v0 = NAN if d == 7 else v0                       # a failed upload inside the window
        v1 = 0.99 - 0.01 * d                             # 0.90 on day 9
        v2 = 0.5 + 0.01 * d                              # rising: away from a "below" failure
        v3 = 0.95 - 0.001 * d                            # RUL 53.5 days: beyond blue
        days.append(np.array([v0, v1, v2, v3, NAN], np.float32))
    return days


def test_trend_rul_of_a_linear_decline_and_its_level():
    det = Detector(trend_cfg(), 5)
    for d, y in enumerate(decline_days()):
        out = det.update(d, {"c.y": y})
    by_level = {b.level: b for b in out}
    assert sorted(by_level) == ["red", "yellow"]
    red, yellow = by_level["red"], by_level["yellow"]
    # vehicle 0: fit of days 5..9 only (flat days have left the window): (0.95 - 0.8875) / 0.01
    assert yellow.vehicles.tolist() == [0]
    assert yellow.rul_days[0] == pytest.approx(6.25, abs=1e-3)
    # vehicle 1: (0.90 - 0.8875) / 0.01 = 1.25 <= 2 days
    assert red.vehicles.tolist() == [1]
    assert red.rul_days[0] == pytest.approx(1.25, abs=1e-3)
    assert (red.source, red.cause, yellow.component) == ("fit", "worn", "c")


def test_trend_rul_of_a_rising_signal_towards_an_upper_failure_level():
    det = Detector(trend_cfg(below=False, failure_level=6.0, window_days=10), 1)
    for d in range(8):
        out = det.update(d, {"c.y": np.array([1.0 + 0.2 * d], np.float32)})
    # today 2.4 degC rising 0.2/day: (6.0 - 2.4) / 0.2 = 18 days -> blue
    assert fired(out) == [("fit", "blue", [0])]
    assert out[0].rul_days[0] == pytest.approx(18.0, abs=1e-3)


def test_trend_needs_min_points_in_the_window():
    det = Detector(trend_cfg(min_points=4), 1)
    seq = [0.95, NAN, 0.93, NAN, 0.91]  # 3 uploaded points in the 5-day window
    outs = [det.update(d, {"c.y": np.array([y], np.float32)}) for d, y in enumerate(seq)]
    assert all(o == [] for o in outs)


def test_noise_without_a_trend_does_not_fire_but_a_real_decline_does():
    n, days = 2000, 200
    rng = np.random.default_rng(3)
    det = Detector(trend_cfg(failure_level=0.0, window_days=14, min_points=10), n)
    alerted = set()
    for d in range(days):
        y = (0.5 + 0.02 * rng.standard_normal(n)).astype(np.float32)
        y[7] = 0.5 - 0.01 * d + 0.02 * rng.standard_normal()   # reaches 0 on day 50
        y[rng.random(n) < 0.02] = np.nan
        for b in det.update(d, {"c.y": y}):
            alerted.update(b.vehicles.tolist())
    assert alerted == {7}


def test_a_missing_signal_names_the_rule_the_key_and_the_available_keys():
    det = Detector(RULE_CFG, 5)
    with pytest.raises(ValueError, match=r"rule 'low'.*'c\.x'.*available: c\.y, d\.z"):
        det.update(0, readings(c__y=Y[0], d__z=Y[0]))


def test_days_must_increase():
    det = Detector(RULE_CFG, 5)
    det.update(3, readings(c__x=X[0], c__y=Y[0]))
    with pytest.raises(ValueError, match="must increase"):
        det.update(3, readings(c__x=X[0], c__y=Y[0]))


def test_needed_signals_are_the_rule_and_trend_signals_and_none_when_disabled():
    cfg = AlertsConfig(rules=dict(RULE_CFG.rules), trends=dict(trend_cfg(signal="d.z").trends))
    assert needed_signals(cfg) == {"c.x", "c.y", "d.z"}
    cfg.enabled = False
    assert needed_signals(cfg) == set()
    assert Detector(cfg, 5).update(0, {}) == []


# ---------------------------------------------------------- config files
def group(name: str):
    return OmegaConf.merge(OmegaConf.structured(AlertsConfig),
                           OmegaConf.load(CONFIGS / "alerts" / f"{name}.yaml"))


def test_default_yaml_equals_the_schema_defaults():
    raw = OmegaConf.to_container(OmegaConf.load(CONFIGS / "alerts" / "default.yaml"))
    schema = OmegaConf.to_container(OmegaConf.structured(AlertsConfig))
    # rules/trends are empty in the schema: a mapping default could not be removed by
    # alerts=none (OmegaConf merges mappings as a union), so each file lists its own set.
    assert schema.pop("rules") == {} and schema.pop("trends") == {}
    rules, trends = raw.pop("rules"), raw.pop("trends")
    assert raw == schema
    assert OmegaConf.to_container(group("default")) == {**raw, "rules": rules, "trends": trends}
    assert len(rules) == 2 and len(trends) == 3


@pytest.mark.parametrize("name", GROUP_FILES)
def test_every_group_file_validates(name):
    validate(group(name))


def test_none_disables_alerts_and_threshold_has_no_trends():
    none, threshold = group("none"), group("threshold")
    assert (none.enabled, dict(none.rules), dict(none.trends)) == (False, {}, {})
    assert needed_signals(none) == set()
    assert dict(threshold.trends) == {} and len(threshold.rules) == 4


def test_bad_alert_values_give_clear_errors():
    cfg = group("default")
    cfg.rules.brake_pads.level = "orange"
    with pytest.raises(ConfigError, match="rules.brake_pads.level='orange'.*red, yellow, blue"):
        validate(cfg)
    cfg = group("default")
    cfg.rules.brake_pads.cause = "squeal"
    with pytest.raises(ConfigError, match="rules.brake_pads.cause='squeal'.*allowed: pad_worn"):
        validate(cfg)
    cfg = group("default")
    cfg.trends.coolant_leak.min_points = 40
    with pytest.raises(ConfigError, match="trends.coolant_leak.min_points=40 must be <= "):
        validate(cfg)


def twin_sense_signals() -> dict[str, list[set[str]]]:
    """Each twin's sense outputs under every parameter set in configs/<twin>/."""
    hints = typing.get_type_hints(FleetsimConfig)
    out: dict[str, list[set[str]]] = {}
    for name, twin in TWINS.items():
        out[name] = []
        for path in sorted((CONFIGS / name).glob("*.yaml")):
            params = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(hints[name]),
                                                         OmegaConf.load(path)))
            rng = np.random.default_rng(0)
            state = twin.initial_state(4, params, rng)
            out[name].append(set(twin.sense(state, params, rng)))
        assert out[name], f"no parameter set for {name}"
    return out


def test_every_detector_targets_a_twin_cause_and_reads_a_sensed_signal():
    sensed = twin_sense_signals()
    checked = 0
    for name in GROUP_FILES:
        cfg = group(name)
        for row in [*cfg.rules.values(), *cfg.trends.values()]:
            assert row.cause in TWINS[row.component].EVENTS, (name, row.component, row.cause)
            twin, signal = row.signal.split(".", 1)
            assert all(signal in s for s in sensed[twin]), (name, row.signal)
            checked += 1
    assert checked == 5 + 4 + 10   # default, threshold, sensitive (none has none)


def _brute_sums(hist: np.ndarray, day: int) -> dict[str, np.ndarray]:
    """The window sums recomputed from the test's own copy of the window's readings
    (``hist``: window x fleet, NaN = no reading; t = 0 today, -1 yesterday, ...)."""
    w = len(hist)
    t = np.array([-((day - k) % w) for k in range(w)], dtype=np.float64)[:, None]
    y = hist.astype(np.float64)
    ok = ~np.isnan(y)
    y0 = np.where(ok, y, 0.0)
    return {"s": ok.sum(0), "st": (ok * t).sum(0), "stt": (ok * t * t).sum(0),
            "sy": y0.sum(0), "sty": (y0 * t).sum(0), "syy": (y0 * y0).sum(0)}


@pytest.mark.parametrize("known_gaps", [False, True])
def test_rolling_sums_stay_exact_with_gaps_skipped_days_and_clears(known_gaps):
    from sim.alerts.detectors import RollingLine

    rng = np.random.default_rng(5)
    n, w = 300, 9
    line = RollingLine(n, w)
    hist = np.full((w, n), np.nan)   # what the window holds, kept apart from the line
    for day in range(60):
        y = (rng.normal(size=n) + 0.1 * day).astype(np.float32)
        gaps = np.flatnonzero(rng.random(n) < 0.1)
        y[gaps] = np.nan
        line.advance(day, y, gaps if known_gaps else None)
        hist[day % w] = y
        if day % 7 == 3:  # parts replaced: their history is forgotten
            cleared = rng.choice(n, 20, replace=False)
            line.clear(cleared)
            hist[:, cleared] = np.nan
        want = _brute_sums(hist, day)
        for name, expected in want.items():
            np.testing.assert_allclose(getattr(line, name), expected, rtol=1e-9, atol=1e-6,
                                       err_msg=f"{name} on day {day}")
