"""Alert scoring against ground truth: precision, recall, lead, fatigue and avoided breakdowns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.alerts import alert_truth, score_alerts

HORIZONS = {"red": 2.0, "yellow": 7.0, "blue": 30.0}
MONITORED = {"brakes", "coolant", "tires"}
PREDICTED = {(c, "x") for c in MONITORED}   # every test failure has cause "x"
COLUMNS = ["time_d", "event", "vehicle", "component", "cause", "severity", "job", "region",
           "technician", "channel", "outcome", "due_d"]
STR_COLS = ["event", "component", "cause", "severity", "region", "channel", "outcome"]


def log(rows: list[tuple]) -> pd.DataFrame:
    """An event log like sim.records.EventLog.to_frame() from (time, event, vehicle, comp,
    severity, outcome, due, job) tuples."""
    recs = [dict(time_d=t, event=e, vehicle=v, component=c, cause="x", severity=s, job=j,
                 region="r", technician=-1, channel="", outcome=o, due_d=due)
            for t, e, v, c, s, o, due, j in rows]
    df = pd.DataFrame(recs, columns=COLUMNS).sort_values("time_d", kind="stable")
    for col in STR_COLS:
        df[col] = df[col].astype("string")
    return df.astype({"vehicle": np.int64, "job": np.int64, "technician": np.int64})


NAN = float("nan")
EVENTS = log([
    # alerts: time, "alert", vehicle, component, level, outcome, due, job
    (5.0, "alert", 1, "brakes", "blue", "ignored", 35.0, -1),      # A0 true (F1), earliest
    (10.0, "alert", 1, "brakes", "blue", "accepted", 40.0, 1),     # A1 true (F1)
    (18.0, "alert", 2, "coolant", "red", "ignored", 20.0, -1),     # A7 false: F2 after its window
    (20.0, "alert", 2, "coolant", "yellow", "ignored", 27.0, -1),  # A2 true (F2, lead 6.5)
    (30.0, "alert", 3, "tires", "red", "accepted", 32.0, 2),       # A3 true (F3, lead 0.5)
    (50.0, "alert", 4, "brakes", "blue", "ignored", 80.0, -1),     # A4 false: F4 too late
    (60.0, "alert", 1, "coolant", "yellow", "ignored", 67.0, -1),  # A5 false
    # failures
    (5.0, "failure", 1, "coolant", "drivable", "", NAN, -1),           # F7 unpredicted
    (25.0, "failure_prevented", 1, "brakes", "drivable", "", NAN, -1),  # F1 predicted, lead 20
    (26.5, "failure", 2, "coolant", "drivable", "", NAN, -1),          # F2 predicted, lead 6.5
    (30.5, "failure", 3, "tires", "roadside", "", NAN, -1),            # F3 lead 0.5 < 1
    (90.0, "failure", 4, "brakes", "drivable", "", NAN, -1),           # F4 unpredicted
    (40.0, "failure", 5, "tires", "drivable", "", NAN, -1),            # F5 unpredicted
    (50.0, "failure", 6, "body", "drivable", "", NAN, -1),             # no detector: not in recall
    # jobs
    (10.5, "job_created", 1, "brakes", "preventive", "", NAN, 1),
    (30.2, "job_created", 3, "tires", "preventive", "", NAN, 2),
    (26.5, "job_created", 2, "coolant", "drivable", "", NAN, 3),
])


def score(events: pd.DataFrame) -> dict[str, float]:
    return score_alerts(events, vehicles=10, horizon_days=100.0, horizons=HORIZONS,
                        min_lead_days=1.0, predicted_causes=PREDICTED, components=MONITORED)


def test_alert_truth_marks_each_alert_and_its_lead():
    truth = alert_truth(EVENTS)
    assert truth["time_d"].tolist() == [5.0, 10.0, 18.0, 20.0, 30.0, 50.0, 60.0]
    assert truth["true"].tolist() == [True, True, False, True, True, False, False]
    np.testing.assert_allclose(truth["lead_days"], [20.0, 15.0, NAN, 6.5, 0.5, NAN, NAN])
    assert truth["level"].tolist()[:3] == ["blue", "blue", "red"]


def test_headline_scores_of_a_known_log():
    k = score(EVENTS)
    assert k["alerts"] == 7
    assert k["alert_precision"] == pytest.approx(4 / 7)
    assert k["alert_recall"] == pytest.approx(2 / 6)          # F1, F2 of F1-F5, F7
    assert k["alert_median_lead_days"] == pytest.approx(13.25)   # median(20, 6.5)
    assert k["alerts_per_vehicle_month"] == pytest.approx(7 / (10 * 100 / 30.4375))
    assert k["false_alarms_per_1000_vehicle_days"] == pytest.approx(3.0)
    assert k["owner_response_rate"] == pytest.approx(2 / 7)
    assert k["breakdowns_avoided_share"] == pytest.approx(1 / 3)  # F1 / (F1 + F2, F3)
    assert k["preventive_jobs"] == 2


def test_per_level_and_per_component_scores():
    k = score(EVENTS)
    assert k["alert_precision_red"] == pytest.approx(1 / 2)
    assert k["alert_precision_yellow"] == pytest.approx(1 / 2)
    assert k["alert_precision_blue"] == pytest.approx(2 / 3)
    assert k["alert_precision_brakes"] == pytest.approx(2 / 3)
    assert k["alert_precision_coolant"] == pytest.approx(1 / 3)
    assert k["alert_precision_tires"] == pytest.approx(1.0)
    assert k["alert_recall_brakes"] == pytest.approx(1 / 2)
    assert k["alert_recall_coolant"] == pytest.approx(1 / 2)
    assert k["alert_recall_tires"] == 0.0
    assert math.isnan(k["alert_precision_body"]) and math.isnan(k["alert_recall_body"])


def test_a_missing_due_time_falls_back_to_the_level_horizon():
    events = EVENTS.copy()
    events.loc[events["event"] == "alert", "due_d"] = NAN
    assert alert_truth(events, HORIZONS)["true"].tolist() == [
        True, True, False, True, True, False, False]
    assert score(events)["alert_precision"] == pytest.approx(4 / 7)


def test_empty_logs_give_zero_counts_and_nan_rates():
    for events in (log([]), pd.DataFrame()):
        k = score(events)
        per_fleet = ("alerts", "alerts_censored", "preventive_jobs", "alerts_per_vehicle_month",
                     "false_alarms_per_1000_vehicle_days")
        assert [k[key] for key in per_fleet] == [0, 0, 0, 0, 0]   # fleet exposure is not 0
        rates = [v for key, v in k.items() if key not in per_fleet]
        # 9 fleet-wide rates, share and lead of each level, precision and recall of each
        # always-reported component.
        assert len(rates) == 9 + 2 * 3 + 2 * len(MONITORED) and all(math.isnan(v) for v in rates)
        assert alert_truth(events).empty
    k = score_alerts(log([]), vehicles=0, horizon_days=0.0, horizons=HORIZONS,
                     min_lead_days=1.0, predicted_causes=PREDICTED, components=MONITORED)
    assert math.isnan(k["alerts_per_vehicle_month"])
    assert math.isnan(k["false_alarms_per_1000_vehicle_days"])


def test_failures_without_alerts_give_zero_recall_and_nan_precision():
    k = score(log([(40.0, "failure", 5, "tires", "drivable", "", NAN, -1)]))
    assert k["alert_recall"] == 0.0 and k["alert_recall_tires"] == 0.0
    assert math.isnan(k["alert_precision"]) and math.isnan(k["breakdowns_avoided_share"])
    assert k["false_alarms_per_1000_vehicle_days"] == 0.0


def test_recall_counts_only_the_causes_a_detector_predicts():
    events = log([(35.0, "alert", 5, "tires", "blue", "ignored", 65.0, -1),
                  (40.0, "failure", 5, "tires", "drivable", "", NAN, -1),
                  (45.0, "failure", 6, "tires", "roadside", "", NAN, -1)])
    events.loc[events["vehicle"] == 6, "cause"] = "puncture"   # a random shock
    k = score_alerts(events, vehicles=10, horizon_days=100.0, horizons=HORIZONS,
                     min_lead_days=1.0, predicted_causes={("tires", "x")},
                     components=MONITORED)
    assert k["alert_recall"] == 1.0 and k["alert_recall_tires"] == 1.0  # not 1/2
    assert math.isnan(k["alert_recall_brakes"])   # no detector predicts a brakes cause
    both = score_alerts(events, vehicles=10, horizon_days=100.0, horizons=HORIZONS,
                        min_lead_days=1.0, predicted_causes=set(), components=MONITORED)
    assert math.isnan(both["alert_recall"])       # nothing predicted: no recall population


def test_an_alert_whose_window_runs_past_the_end_is_censored_not_false():
    full = score(EVENTS)
    assert full["alerts_censored"] == 0 and full["alert_precision"] == pytest.approx(4 / 7)
    # Ending the run on day 70: A4's window (50-80) is still open and F4 (day 90) unseen.
    k = score_alerts(EVENTS, vehicles=10, horizon_days=70.0, horizons=HORIZONS,
                     min_lead_days=1.0, predicted_causes=PREDICTED, components=MONITORED)
    assert k["alerts"] == 7 and k["alerts_censored"] == 1
    assert k["alert_precision"] == pytest.approx(4 / 6)
    assert k["alert_precision_brakes"] == pytest.approx(2 / 2)
    assert k["false_alarms_per_1000_vehicle_days"] == pytest.approx(1000 * 2 / 700)
    truth = alert_truth(EVENTS, HORIZONS, 70.0)
    assert truth["censored"].tolist() == [False, False, False, False, False, True, False]
    # A true alert stays true even if its window is still open at the end (A0: 5-35).
    late = alert_truth(EVENTS, HORIZONS, 30.6)
    assert late["true"].tolist()[:2] == [True, True] and late["censored"].sum() == 2  # A4, A5


def test_levels_report_share_and_lead_and_half_years_their_worst_precision():
    k = score(EVENTS)
    assert k["alert_share_blue"] == pytest.approx(3 / 7)
    assert k["alert_share_yellow"] == pytest.approx(2 / 7)
    assert k["alert_share_red"] == pytest.approx(2 / 7)
    assert k["alert_median_lead_days_blue"] == pytest.approx(17.5)   # A0 20, A1 15
    assert k["alert_median_lead_days_yellow"] == pytest.approx(6.5)
    assert k["alert_median_lead_days_red"] == pytest.approx(0.5)
    # One true alert in the first half-year, one false in the second: worst = 0.
    two = log([(10.0, "alert", 1, "brakes", "blue", "ignored", 40.0, -1),
               (20.0, "failure", 1, "brakes", "drivable", "", NAN, -1),
               (200.0, "alert", 2, "tires", "blue", "ignored", 230.0, -1)])
    k = score_alerts(two, vehicles=10, horizon_days=365.0, horizons=HORIZONS,
                     min_lead_days=1.0, predicted_causes=PREDICTED, components=MONITORED)
    assert k["alert_precision"] == 0.5 and k["alert_precision_worst_half_year"] == 0.0
