"""The search report's words: variable names, objective and constraint phrases."""

from __future__ import annotations

from reports.search.words import (
    constraint_phrase,
    objective_phrase,
    recommendation,
    variable_label,
)


def test_variable_labels_read_as_words():
    assert variable_label("service.mobile.vans_per_10000_vehicles") == \
        "mobile vans per 10000 vehicles"
    assert variable_label("ota.rollout.waves.1.size") == "wave 2 size"
    assert variable_label("ota/rollout") == "ota rollout"


def test_objective_phrases_give_the_relative_difference_and_its_interval_or_no_difference():
    cheaper = {"diff": -110.0, "diff_low": -140.0, "diff_high": -80.0, "diff_rel": -0.11,
               "mean": 890.0, "distinguishable": True}
    assert objective_phrase("cost_per_job_mobile", "lower", cheaper, 1000.0) == (
        "cost per mobile visit 11.0% lower than the baseline (± 3.0%; 890 against 1,000)")
    noise = {"diff": 2.0, "diff_low": -1.0, "diff_high": 5.0, "diff_rel": 0.1, "mean": 22.0,
             "distinguishable": False}
    assert objective_phrase("mean_wait_h", "lower", noise, 20.0) == (
        "mean wait not distinguishable from the baseline (+2, 95 % CI -1 to +5)")
    worse = dict(noise, diff_low=1.0, diff_high=3.0, distinguishable=True)
    assert objective_phrase("mean_wait_h", "lower", worse, 20.0).endswith(
        "10.0% higher than the baseline (± 5.0%; 22.00 h against 20.00 h) (worse)")


def test_constraint_phrases_say_met_or_missed():
    assert constraint_phrase("rescue_within_target_rate", {"min": 0.9}, 0.93) == (
        "rescues within target 93.0% (required >= 90.0%): met")
    assert constraint_phrase("ota_vehicles_bricked", {"max": 5}, 7.0).endswith(": missed")


def test_the_recommendation_leads_with_the_setting_and_names_its_ties():
    row = {"diff": -1.0, "diff_low": -1.5, "diff_high": -0.5, "diff_rel": -0.2, "mean": 4.0,
           "distinguishable": True}
    cand = {"trial": 3, "params": {"service.mobile.vans_per_10000_vehicles": 4.5},
            "overrides": ["service.mobile.vans_per_10000_vehicles=4.5"],
            "means": {"cost_per_job_mobile": 4.0},
            "versus_baseline": {"cost_per_job_mobile": row}}
    data = {"spec": {"objectives": {"cost_per_job_mobile": "lower"}, "constraints": {},
                     "scenario": ["fleet.size=500"]},
            "selection": {"recommended": 3, "ties": [5], "replications": 8,
                          "baseline": {"means": {"cost_per_job_mobile": 5.0}},
                          "candidates": [cand]}}
    rec = recommendation(data)
    assert rec["headline"] == (
        "Recommended: mobile vans per 10000 vehicles = 4.5: cost per mobile visit 20.0% lower "
        "than the baseline (± 10.0%; 4 against 5), over 8 replications on common random "
        "numbers.")
    assert rec["command"] == "fleetsim fleet.size=500 service.mobile.vans_per_10000_vehicles=4.5"
    assert rec["ties"].startswith("Trial 5 is tied with it on cost per mobile visit")
    assert recommendation({"spec": data["spec"]}) is None


def test_a_baseline_that_misses_a_constraint_is_said_and_the_command_keeps_the_last_value():
    row = {"diff": 1.0, "diff_low": 0.5, "diff_high": 1.5, "diff_rel": 0.2, "mean": 6.0,
           "distinguishable": True}
    cand = {"trial": 0, "params": {"service.mobile.vans_per_10000_vehicles": 8.0},
            "overrides": ["service.mobile.vans_per_10000_vehicles=8"],
            "means": {"cost_per_job_mobile": 6.0, "rescue_within_target_rate": 0.95},
            "versus_baseline": {"cost_per_job_mobile": row}}
    data = {"spec": {"objectives": {"cost_per_job_mobile": "lower"},
                     "constraints": {"rescue_within_target_rate": {"min": 0.9}},
                     "scenario": ["fleet.size=500", "horizon_days=9", "fleet.size=900"]},
            "selection": {"recommended": 0, "ties": [], "replications": 4,
                          "baseline": {"means": {"cost_per_job_mobile": 5.0,
                                                 "rescue_within_target_rate": 0.89}},
                          "candidates": [cand]}}
    rec = recommendation(data)
    assert rec["headline"].endswith(
        "The baseline misses its constraints (rescues within target 89.0% (required >= 90.0%):"
        " missed), so a candidate may be worse than it on an objective.")
    assert rec["details"][-1] == "rescues within target 95.0% (required >= 90.0%): met"
    assert rec["command"] == ("fleetsim horizon_days=9 fleet.size=900 "
                              "service.mobile.vans_per_10000_vehicles=8")
