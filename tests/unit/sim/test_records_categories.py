"""sim.records.with_categories: the KPIs' frame with categorical string columns, same KPIs."""

from __future__ import annotations

import math

import pandas as pd

import sim
import sim.engine as engine
from sim.records import _CAT_COLS, Event, EventLog, with_categories


def test_with_categories_keeps_every_value_and_codes_only_the_strings() -> None:
    log = EventLog()
    log.append(Event(2.0, "job_created", 4, "tires", "wear", "drivable", 0, "north"))
    log.append(Event(1.0, "job_arrived", 5, "brakes", "wear", "roadside", 1, "south",
                     channel="mobile", due_d=3.0))
    events = log.to_frame()
    coded = with_categories(events)
    for col in events.columns:
        if col in _CAT_COLS:
            assert isinstance(coded[col].dtype, pd.CategoricalDtype)
            pd.testing.assert_series_equal(coded[col].astype("string"), events[col])
        else:
            pd.testing.assert_series_equal(coded[col], events[col])
    assert events["event"].dtype == "string"          # the caller's frame keeps its strings


def _differ(a: dict, b: dict) -> list[str]:
    return [k for k in a if not (a[k] == b[k] or (isinstance(a[k], float) and math.isnan(a[k])
                                                    and math.isnan(b[k])))]


def test_a_runs_kpis_from_the_coded_frame_equal_those_from_the_exported_strings(
        monkeypatch) -> None:
    captured: dict = {}
    real = engine.compute_kpis

    def spy(events, *args, **kwargs):
        captured["coded"] = events
        captured["args"], captured["kwargs"] = args, kwargs
        return real(events, *args, **kwargs)

    monkeypatch.setattr(engine, "compute_kpis", spy)
    result = sim.simulate(sim.load_config(["fleet.size=1500", "horizon_days=60", "seed=3",
                                           "output.progress=false"]), progress=False)
    assert isinstance(captured["coded"]["event"].dtype, pd.CategoricalDtype)
    assert result.events["event"].dtype == "string"
    from_strings = real(result.events, *captured["args"], **captured["kwargs"])
    assert len(from_strings) > 100
    assert _differ(from_strings, result.kpis) == []
