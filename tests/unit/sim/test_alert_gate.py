"""Alert-fatigue gate: de-duplication, escalation, the rolling 30-day cap and clear()."""

from __future__ import annotations

import numpy as np

from configs.alerts_schema import AlertsConfig
from sim.alerts import AlertBatch, AlertGate

N = 10


def batch(component: str, level: str, vehicles: list[int], rul: list[float] | None = None,
          source: str = "s") -> AlertBatch:
    return AlertBatch(component, "cause", level, np.asarray(vehicles, np.int64),
                      None if rul is None else np.asarray(rul, np.float32), source)


def admitted(out: list[AlertBatch]) -> list[tuple[str, str, list[int]]]:
    return [(b.component, b.level, b.vehicles.tolist()) for b in out]


def gate(**kw) -> AlertGate:
    cfg = dict(dedup_days=5, max_alerts_per_vehicle_per_30_days=30, red_bypasses_cap=False)
    cfg.update(kw)
    return AlertGate(AlertsConfig(**cfg), N)


def test_repeats_within_dedup_days_are_dropped_per_vehicle_and_component():
    g = gate()
    assert admitted(g.admit(0, [batch("brakes", "blue", [1, 2])])) == [("brakes", "blue", [1, 2])]
    assert admitted(g.admit(3, [batch("brakes", "blue", [1, 2, 3]),
                                batch("tires", "blue", [1])])) == [("brakes", "blue", [3]),
                                                                   ("tires", "blue", [1])]
    assert admitted(g.admit(4, [batch("brakes", "blue", [1, 2])])) == []
    # 5 days after the first alert the window has passed
    out = g.admit(5, [batch("brakes", "blue", [1, 2, 3])])
    assert admitted(out) == [("brakes", "blue", [1, 2])]


def test_an_escalation_passes_and_becomes_the_level_to_beat():
    g = gate()
    g.admit(0, [batch("coolant", "blue", [4])])
    assert admitted(g.admit(1, [batch("coolant", "yellow", [4])])) == [("coolant", "yellow", [4])]
    assert admitted(g.admit(2, [batch("coolant", "blue", [4]),
                                batch("coolant", "yellow", [4])])) == []
    assert admitted(g.admit(3, [batch("coolant", "red", [4])])) == [("coolant", "red", [4])]


def test_the_cap_counts_alerts_in_any_rolling_30_days():
    g = gate(max_alerts_per_vehicle_per_30_days=2, dedup_days=0)
    counts = {}
    for day, comp in [(0, "a"), (1, "b"), (2, "c"), (29, "d"), (30, "d"), (31, "e"), (32, "f")]:
        counts[day] = sum(b.vehicles.size for b in g.admit(day, [batch(comp, "yellow", [7])]))
    # day 2 and 29: two alerts (days 0, 1) in the window; day 30: day 0 has left it;
    # day 31: day 1 has left it; day 32: days 30 and 31 fill the window again.
    assert counts == {0: 1, 1: 1, 2: 0, 29: 0, 30: 1, 31: 1, 32: 0}


def test_red_takes_the_cap_first_and_keeps_its_rul():
    g = gate(max_alerts_per_vehicle_per_30_days=1)
    out = g.admit(0, [batch("brakes", "blue", [3, 5]), batch("coolant", "red", [3], [1.5]),
                      batch("tires", "yellow", [5, 6])])
    assert admitted(out) == [("coolant", "red", [3]), ("tires", "yellow", [5, 6])]
    assert out[0].rul_days.tolist() == [1.5]


def test_red_bypasses_a_full_cap_when_configured_and_still_counts():
    g = gate(max_alerts_per_vehicle_per_30_days=1, red_bypasses_cap=True)
    g.admit(0, [batch("brakes", "blue", [3])])
    assert admitted(g.admit(1, [batch("coolant", "red", [3])])) == [("coolant", "red", [3])]
    assert admitted(g.admit(1, [batch("tires", "yellow", [3])])) == []
    strict = gate(max_alerts_per_vehicle_per_30_days=1)
    strict.admit(0, [batch("brakes", "blue", [3])])
    assert admitted(strict.admit(1, [batch("coolant", "red", [3])])) == []


def test_clear_lets_a_repaired_component_alert_again():
    g = gate(dedup_days=30)
    g.admit(0, [batch("brakes", "yellow", [1, 2])])
    g.clear(np.array([1]), "brakes")
    assert admitted(g.admit(2, [batch("brakes", "blue", [1, 2])])) == [("brakes", "blue", [1])]
