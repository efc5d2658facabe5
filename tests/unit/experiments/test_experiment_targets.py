"""Published figures of an experiment: config checks, target rows, what the runner stores."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf
from scipy import stats

from configs.experiment_schema import ExperimentConfig, experiment_problems
from configs.load import load_config
from configs.validate import ConfigError, validate
from experiments.runner import run_experiment
from experiments.targets import TARGET_COLUMNS, normalize_targets, target_rows, within_text

T975_3 = 3.182446305284263  # t(0.975, 3 degrees of freedom)


def _experiment(**values) -> object:
    return OmegaConf.merge(OmegaConf.structured(ExperimentConfig), values)


def _problems(**values) -> list[str]:
    problems = experiment_problems(_experiment(**values))
    assert all("\n" not in p for p in problems)
    return problems


AB = {"a": [], "b": ["alerts=none"]}


def test_targets_default_to_none_and_a_valid_table_passes():
    assert dict(_experiment().targets) == {}
    validate(_experiment(variants=AB, targets={
        "a": {"mean_wait_h": {"value": 3.5, "band_rel": 0.2, "source": "Seed 002"}},
        "b": {"first_time_fix_rate": {"value": 0.8, "label": "FTF"}}}))
    validate(_experiment(targets={"base": {"mean_wait_h": {"value": 0}}}))  # no variants: base


@pytest.mark.parametrize(("values", "message"), [
    ({"variants": AB, "targets": {"c": {"mean_wait_h": {"value": 1.0}}}},
     "experiment.targets.c: 'c' is not a variant; allowed: a, b"),
    ({"targets": {"a": {"mean_wait_h": {"value": 1.0}}}},
     "experiment.targets.a: 'a' is not a variant; allowed: base"),
    ({"targets": {"base": {"mean_wait_h": {"value": 1.0, "band_rel": 0}}}},
     "experiment.targets.base.mean_wait_h.band_rel=0 is out of range; allowed: a number in "
     "(0, 10]"),
    ({"targets": {"base": {"mean_wait_h": {"value": 1.0, "band_rel": 10.5}}}},
     "experiment.targets.base.mean_wait_h.band_rel=10.5 is out of range; allowed: a number "
     "in (0, 10]"),
    ({"targets": {"base": {"mean_wait_h": {"band_rel": 0.1}}}},
     "experiment.targets.base.mean_wait_h.value=missing is not allowed; expected a finite "
     "number"),
    ({"targets": {"base": {"mean_wait_h": {"value": float("inf")}}}},
     "experiment.targets.base.mean_wait_h.value=inf is not allowed; expected a finite number"),
    ({"targets": {"base": {"mean_wait_h": {"value": 1.0, "tolerance": 0.1}}}},
     "experiment.targets.base.mean_wait_h.'tolerance' is not a known key; allowed: band_rel, "
     "label, source, value"),
    ({"targets": {"base": {"mean_wait_h": 3.0}}},
     "experiment.targets.base.mean_wait_h=3.0 is not allowed; expected a mapping with keys "
     "value, band_rel, source, label"),
])
def test_bad_targets_are_one_line_config_errors(values, message):
    (problem,) = _problems(**values)
    assert problem.startswith(message)


def test_a_command_line_target_is_checked_with_its_full_key():
    cfg = load_config(["+experiment.targets.base.mean_wait_h={value:3.5,source:ACME 2020}"])
    assert OmegaConf.to_container(cfg.experiment.targets) == {
        "base": {"mean_wait_h": {"value": 3.5, "source": "ACME 2020"}}}
    with pytest.raises(ConfigError, match=r"^experiment\.targets\.base\.mean_wait_h\.band_rel=0 "
                                          r"is out of range; allowed: a number in \(0, 10\]$"):
        load_config(["+experiment.targets.base.mean_wait_h.value=3",
                     "+experiment.targets.base.mean_wait_h.band_rel=0"])


def _catalogue_problems(targets: dict) -> list[str]:
    from experiments.runner import _unknown_kpi

    cfg = _experiment(variants=AB, targets=targets)
    return experiment_problems(cfg, "experiment", unknown_kpi=_unknown_kpi)


def test_target_kpis_must_be_in_the_catalogue_families_included():
    ok = {"a": {"failures_by_component_battery": {"value": 4},
                "failures_by_component_{component}": {"value": 4},
                "ota_days_to_95pct_fix_2026_12": {"value": 9}}}  # {release}: any name
    assert _catalogue_problems(ok) == []
    assert _catalogue_problems({"a": {"mean_wait": {"value": 1}}}) == [
        "experiment.targets.a.mean_wait: 'mean_wait' is not a KPI of the catalogue; did you "
        "mean mean_wait_h, regular_mean_wait_h, mean_repair_h? (`fleetsim-kpis` lists the KPIs)"]
    tyres = _catalogue_problems({"b": {"failures_by_component_tyres": {"value": 1}}})
    assert len(tyres) == 1 and tyres[0].startswith(
        "experiment.targets.b.failures_by_component_tyres: 'failures_by_component_tyres' is "
        "not a KPI of the catalogue")


def test_run_experiment_rejects_a_bad_target_before_any_task(tmp_path, monkeypatch):
    import experiments.runner as runner

    def no_tasks(*args, **kwargs):
        raise AssertionError("a task ran")

    monkeypatch.setattr(runner, "run_task", no_tasks)
    monkeypatch.setattr(runner, "load_config", no_tasks)
    out = tmp_path / "exp"
    with pytest.raises(ConfigError, match=r"^experiment\.targets\.base\.p90_wait: 'p90_wait' "
                                          r"is not a KPI of the catalogue"):
        run_experiment(["fleet.size=100"], {}, 1, out,
                       targets={"base": {"p90_wait": {"value": 1.0}}})
    with pytest.raises(ConfigError, match=r"targets\.fast: 'fast' is not a variant; "
                                          r"allowed: slow$"):
        run_experiment(["fleet.size=100"], {"slow": []}, 1, out,
                       targets={"fast": {"mean_wait_h": {"value": 1.0}}})
    assert not out.exists()


def test_normalize_fills_the_row_defaults():
    assert normalize_targets({"a": {"mean_wait_h": {"value": 3}}}) == {
        "a": {"mean_wait_h": {"value": 3.0, "band_rel": 0.15, "source": "", "label": ""}}}
    assert normalize_targets(None) == {}


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "variant": ["a"] * 4 + ["b"] * 4,
        "replication": [0, 1, 2, 3] * 2,
        "mean_wait_h": [1.0, 2.0, 3.0, 4.0, 10.0, 10.0, 10.0, 10.0],
        "first_time_fix_rate": [0.8, np.nan, 0.9, np.nan, 0.5, 0.5, 0.5, 0.5],
        "rescue_within_target_rate": [np.nan] * 8,
    })


TARGETS = {
    "a": {"mean_wait_h": {"value": 2.4, "band_rel": 0.1, "source": "Seed 002"},
          "first_time_fix_rate": {"value": 0.8, "label": "FTF, published"},
          "rescue_within_target_rate": {"value": 0.9}},
    "b": {"mean_wait_h": {"value": 8.0, "band_rel": 0.2}, "tows": {"value": 3.0}},
}


def test_target_rows_give_means_intervals_bands_and_within():
    rows = target_rows(_frame(), TARGETS)
    assert [(r["variant"], r["kpi"]) for r in rows] == [
        ("a", "mean_wait_h"), ("a", "first_time_fix_rate"), ("a", "rescue_within_target_rate"),
        ("b", "mean_wait_h"), ("b", "tows")]
    assert all(tuple(r) == TARGET_COLUMNS for r in rows)
    wait_a, ftf, rescue, wait_b, tows = rows

    half = T975_3 * math.sqrt(5 / 3) / 2  # sd of 1..4 over sqrt(4)
    assert (wait_a["n"], wait_a["mean"]) == (4, 2.5)
    assert wait_a["ci_half"] == pytest.approx(half)
    assert (wait_a["ci_low"], wait_a["ci_high"]) == pytest.approx((2.5 - half, 2.5 + half))
    assert (wait_a["band_low"], wait_a["band_high"]) == pytest.approx((2.16, 2.64))
    assert wait_a["rel_error"] == pytest.approx(0.1 / 2.4)
    assert wait_a["within"] is True
    assert (wait_a["label"], wait_a["source"], wait_a["target"]) == ("Mean wait", "Seed 002", 2.4)

    # NaN replications are left out: mean of 0.8 and 0.9 over n=2; default band 15 %.
    assert (ftf["n"], ftf["mean"], ftf["label"]) == (2, pytest.approx(0.85), "FTF, published")
    assert ftf["ci_half"] == pytest.approx(stats.t.ppf(0.975, 1) * 0.05 * math.sqrt(2)
                                           / math.sqrt(2))
    assert (ftf["band_low"], ftf["band_high"]) == pytest.approx((0.68, 0.92))
    assert ftf["rel_error"] == pytest.approx(0.0625) and ftf["within"] is True

    # Undefined in every replication: no mean, not within.
    assert rescue["n"] == 0 and math.isnan(rescue["mean"]) and math.isnan(rescue["rel_error"])
    assert rescue["within"] is False and rescue["label"] == "Rescues within target"

    # 10 against 8 +- 20 % = [6.4, 9.6]: outside, 25 % above; zero spread = zero half-width.
    assert (wait_b["mean"], wait_b["ci_half"]) == (10.0, 0.0)
    assert (wait_b["band_low"], wait_b["band_high"]) == pytest.approx((6.4, 9.6))
    assert wait_b["rel_error"] == pytest.approx(0.25) and wait_b["within"] is False

    assert tows["n"] == 0 and tows["within"] is False  # a KPI the frame lacks
    assert within_text(rows) == "2 of 5 figures within their bands"


def test_band_edges_zero_and_negative_targets():
    frame = pd.DataFrame({"variant": ["v", "v"], "replication": [0, 1],
                          "mean_wait_h": [2.0, 2.0], "mean_repair_h": [0.0, 0.0]})
    edge = target_rows(frame, {"v": {"mean_wait_h": {"value": 2.5, "band_rel": 0.2}}})[0]
    assert edge["band_low"] == pytest.approx(2.0) and edge["within"] is True  # closed band
    zero = target_rows(frame, {"v": {"mean_repair_h": {"value": 0.0}}})[0]
    assert (zero["band_low"], zero["band_high"], zero["within"]) == (0.0, 0.0, True)
    assert math.isnan(zero["rel_error"])
    neg = target_rows(frame.assign(mean_wait_h=-1.1),
                      {"v": {"mean_wait_h": {"value": -1.0, "band_rel": 0.2}}})[0]
    assert (neg["band_low"], neg["band_high"]) == pytest.approx((-1.2, -0.8))
    assert neg["within"] is True and neg["rel_error"] == pytest.approx(-0.1)
    assert target_rows(frame.drop(columns="variant"), {"v": {"mean_repair_h": {"value": 1}}})[0][
        "n"] == 0


def test_the_runner_stores_the_targets_with_defaults_in_experiment_json(tmp_path):
    res = run_experiment(["fleet.size=50", "horizon_days=2"], {}, 1, tmp_path, progress=False,
                         targets={"base": {"vehicle_days": {"value": 100, "source": "50 x 2"}}})
    stored = {"base": {"vehicle_days": {"value": 100.0, "band_rel": 0.15, "source": "50 x 2",
                                        "label": ""}}}
    assert res.meta["targets"] == stored
    assert json.loads((tmp_path / "experiment.json").read_text())["targets"] == stored
    (row,) = target_rows(res.kpis, res.meta["targets"])
    assert (row["n"], row["mean"], row["rel_error"], row["within"]) == (1, 100.0, 0.0, True)
