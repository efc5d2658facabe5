"""``breakdown_recall``: the recall ``fleetsim-validate --full`` judges (issue 15's population).

Only roadside failures of the predicted causes count; a drivable wear-out (worn pads) with no
alert is not a missed breakdown, and a roadside failure no detector predicts (a sudden 12 V
short) is out of the population.
"""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from experiments.alert_quality import breakdown_recall

PREDICTED = {("aux12v", "no_start"), ("brakes", "pad_worn")}


def _event(t, event, vehicle, component, cause, severity, due=float("nan"), outcome=""):
    return {"time_d": t, "event": event, "vehicle": vehicle, "component": component,
            "cause": cause, "severity": severity, "job": -1, "outcome": outcome, "due_d": due}


@pytest.fixture(scope="module")
def acfg():
    return sim.load_config([]).alerts


def _log(*rows):
    return pd.DataFrame(list(rows))


def test_counts_roadside_failures_of_predicted_causes_only(acfg):
    ev = _log(
        _event(10.0, "alert", 1, "aux12v", "no_start", "blue", due=40.0, outcome="ignored"),
        _event(20.0, "failure", 1, "aux12v", "no_start", "roadside"),     # alerted: predicted
        _event(30.0, "failure", 2, "aux12v", "no_start", "roadside"),     # no alert: missed
        _event(50.0, "failure", 3, "brakes", "pad_worn", "drivable"),     # not a breakdown
        _event(60.0, "failure", 4, "aux12v", "sudden_failure", "roadside"),  # not predicted
    )
    assert breakdown_recall(ev, acfg, 10, 365, PREDICTED) == pytest.approx(0.5)


def test_a_prevented_breakdown_counts_and_a_late_alert_does_not(acfg):
    ev = _log(
        _event(10.0, "alert", 1, "aux12v", "no_start", "blue", due=40.0, outcome="accepted"),
        _event(25.0, "failure_prevented", 1, "aux12v", "no_start", "roadside"),
        _event(30.0, "alert", 2, "aux12v", "no_start", "blue", due=60.0, outcome="ignored"),
        _event(30.2, "failure", 2, "aux12v", "no_start", "roadside"),     # under min_lead_days
    )
    assert acfg.min_lead_days > 0.2
    assert breakdown_recall(ev, acfg, 10, 365, PREDICTED) == pytest.approx(0.5)
