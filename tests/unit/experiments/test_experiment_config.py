"""ExperimentConfig schema, the shipped experiment YAMLs, the cfg.experiment adapter."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

import experiments
import sim
from configs.experiment_schema import ExperimentConfig
from configs.validate import ConfigError, validate
from experiments.adapter import (
    base_overrides,
    experiment_kwargs,
    is_experiment,
    run_from_config,
)
from experiments.runner import (
    DEFAULT_HEADLINE,
    DEFAULT_HEADLINE_KPIS,
    ExperimentResult,
    check_headline,
    run_experiment,
    validate_variants,
)
from experiments.stats import summarize
from sim.kpis.catalogue import kpi

EXPERIMENT_DIR = Path(str(resources.files("configs").joinpath("experiment")))
NAMED = sorted(p.stem for p in EXPERIMENT_DIR.glob("*.yaml") if p.stem != "none")


def _experiment(**values) -> object:
    node = OmegaConf.structured(ExperimentConfig)
    return OmegaConf.merge(node, values)


def _problems(**values) -> str:
    with pytest.raises(ConfigError) as info:
        validate(_experiment(**values))
    return str(info.value)


def test_schema_defaults_are_a_single_run():
    cfg = _experiment()
    validate(cfg)
    assert (cfg.replications, cfg.n_jobs, cfg.backend, dict(cfg.variants)) == (1, 1, "loky", {})


@pytest.mark.parametrize(("values", "message"), [
    ({"backend": "spark"}, "backend='spark' is not allowed; allowed values: loky"),
    ({"replications": 0}, "replications=0 is out of range"),
    ({"n_jobs": 0}, "n_jobs=0 is not allowed"),
    ({"variants": {"a": []}, "baseline": "b"}, "baseline='b' is not a variant; variants: a"),
    ({"variants": {"a/b": []}}, "names ['a/b'] are not allowed"),
    ({"headline": {"mean_wait_h": "less"}}, "{'mean_wait_h': 'less'} not allowed"),
    ({"variants": {"a": ["seed=3"]}}, "variants.a sets 'seed=3'"),
])
def test_schema_rejects_bad_values_with_a_plain_message(values, message):
    assert message in _problems(**values)


def _scenario_overrides(raw) -> list[str]:
    """The non-experiment keys of a ``_global_`` experiment file as dotted overrides."""
    flat = {}

    def walk(node, prefix):
        for k, v in node.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                flat[f"{prefix}{k}"] = v

    walk({k: v for k, v in raw.items() if k != "experiment"}, "")
    return [f"{k}={json.dumps(v) if isinstance(v, list) else v}" for k, v in flat.items()]


@pytest.fixture(scope="module")
def kpi_names() -> set[str]:
    cfg = sim.load_config(["fleet.size=50", "horizon_days=2", "output.progress=false"])
    return set(sim.simulate(cfg).kpis)


def test_three_named_experiments_ship():
    assert {"alert_threshold_sweep", "technician_fleet_sizing",
            "mobile_vs_center_mix"} <= set(NAMED)
    assert (EXPERIMENT_DIR / "none.yaml").read_text().startswith("# @package _global_")


@pytest.mark.parametrize("name", NAMED)
def test_shipped_experiment_is_valid_and_every_variant_composes(name, kpi_names):
    path = EXPERIMENT_DIR / f"{name}.yaml"
    assert path.read_text().startswith("# @package _global_")
    raw = OmegaConf.to_container(OmegaConf.load(path))
    exp = _experiment(**raw["experiment"])
    validate(exp)
    assert exp.name == name
    assert len(exp.variants) >= 2 and exp.baseline in exp.variants
    assert exp.replications >= 5, "too few replications for a 95 % interval"
    assert set(exp.headline) <= kpi_names, set(exp.headline) - kpi_names
    check_headline(exp.headline)  # in the KPI catalogue, with its better directions
    scenario = _scenario_overrides(raw)
    validate_variants(scenario, exp.variants)  # raises ConfigError naming a bad variant
    if "experiment" in sim.load_config([]):  # once the schema is registered in configs/schema.py
        composed = sim.load_config([f"experiment={name}"])
        assert OmegaConf.to_container(composed.experiment) == OmegaConf.to_container(exp)
        assert is_experiment(composed)


def test_a_variant_typo_fails_naming_the_variant():
    with pytest.raises(ConfigError, match=r"^variant 'fast': .*servce"):
        validate_variants(["fleet.size=100"], {"ok": [], "fast": ["servce.mobile.x=1"]})
    with pytest.raises(ConfigError, match=r"^variant 'lfp': battery='lpf' is not a known"):
        validate_variants([], {"lfp": ["battery=lpf"]})


def test_adapter_reads_cfg_experiment():
    cfg = OmegaConf.create({
        "seed": 5, "output": {"progress": False, "report": False},
        "experiment": {"name": "", "baseline": "b", "variants": {"a": ["alerts=none"], "b": []},
                       "headline": {"mean_wait_h": "lower"}, "replications": 3, "n_jobs": 2,
                       "backend": "dask", "scheduler_address": "",
                       "targets": {"b": {"mean_wait_h": {"value": 3.0, "source": "S"}}}}})
    assert is_experiment(cfg)
    assert experiment_kwargs(cfg) == {
        "variants": {"a": ["alerts=none"], "b": []}, "replications": 3, "n_jobs": 2,
        "backend": "dask", "scheduler_address": None, "baseline": "b", "name": None,
        "headline": {"mean_wait_h": "lower"},
        "targets": {"b": {"mean_wait_h": {"value": 3.0, "source": "S"}}}}
    single = OmegaConf.create({"experiment": {"variants": {}, "replications": 1}})
    assert not is_experiment(single)
    assert not is_experiment(OmegaConf.create({"seed": 1}))
    assert base_overrides(["experiment=x", "experiment.n_jobs=4", "+experiment.headline.a=lower",
                           "fleet.size=9", "seed=3"]) == ["experiment=x", "fleet.size=9", "seed=3"]


def test_run_from_config_runs_the_replications(tmp_path):
    cfg = OmegaConf.create({
        "seed": 77, "output": {"progress": False, "report": False},
        "experiment": {"name": "reps", "baseline": "", "variants": {}, "headline": {},
                       "replications": 2, "n_jobs": 1, "backend": "loky",
                       "scheduler_address": ""}})
    res = run_from_config(cfg, tmp_path, ["fleet.size=150", "horizon_days=10", "seed=77",
                                          "experiment.replications=2"])
    assert res.name == "reps" and list(res.variants) == ["base"]
    assert res.meta["base_overrides"] == ["fleet.size=150", "horizon_days=10", "seed=77"]
    assert res.kpis["seed"].tolist() == experiments.replication_seeds(77, 2)
    assert res.kpis["vehicle_days"].tolist() == [1500.0, 1500.0]
    assert res.report_path is None and not (tmp_path / "report.html").exists()


def test_default_headline_directions_come_from_the_catalogue():
    assert list(DEFAULT_HEADLINE) == list(DEFAULT_HEADLINE_KPIS)
    assert DEFAULT_HEADLINE == {"breakdowns_per_1000_vehicle_years": "lower",
                                "mean_wait_h": "lower", "service_cost_per_vehicle_year": "lower"}
    assert all(kpi(k).better == v for k, v in DEFAULT_HEADLINE.items())


def test_headline_accepts_catalogue_kpis_and_either_direction_for_context_figures():
    check_headline({"mean_wait_h": "lower", "first_time_fix_rate": "higher",
                    "alert_precision_brakes": "higher", "ota_days_to_95pct_fix_2026_12": "lower"})
    check_headline({"technicians": "higher"})  # better "" (a size figure): either direction
    check_headline({"technicians": "lower"})


@pytest.mark.parametrize(("headline", "message"), [
    ({"mean_wait": "lower"},
     r"experiment\.headline: 'mean_wait' is not a KPI of the catalogue; did you mean "
     r"mean_wait_h.*fleetsim-kpis"),
    ({"alert_precision_tyres": "higher"}, r"'alert_precision_tyres' is not a KPI"),
    ({"mean_wait_h": "higher"},
     r"experiment\.headline\.mean_wait_h='higher' is not allowed: the KPI catalogue says "
     r"lower is better; expected 'lower' \(`fleetsim-kpis`"),
    ({"alert_precision": "lower"}, r"alert_precision='lower' is not allowed.*expected 'higher'"),
])
def test_headline_outside_the_catalogue_is_a_config_error(headline, message):
    with pytest.raises(ConfigError, match=message):
        check_headline(headline)


def test_run_experiment_rejects_a_bad_headline_before_any_task(tmp_path, monkeypatch):
    import experiments.runner as runner

    def no_tasks(*args, **kwargs):
        raise AssertionError("a task ran")

    monkeypatch.setattr(runner, "run_task", no_tasks)
    monkeypatch.setattr(runner, "load_config", no_tasks)
    out = tmp_path / "exp"
    with pytest.raises(ConfigError, match="'p90_wait' is not a KPI of the catalogue"):
        run_experiment(["fleet.size=100"], {}, 1, out, headline={"p90_wait": "lower"})
    with pytest.raises(ConfigError, match="mean_wait_h='higher' is not allowed"):
        run_experiment(["fleet.size=100"], {}, 1, out, headline={"mean_wait_h": "higher"})
    assert not out.exists()


def test_answer_names_headline_kpis_absent_from_the_results(tmp_path):
    kpis = pd.DataFrame({"variant": ["base", "base"], "replication": [0, 1],
                         "mean_wait_h": [2.0, 4.0]})
    summary = summarize(kpis, "base")
    result = ExperimentResult("x", tmp_path, "base", {"base": []}, [1, 2],
                              {"mean_wait_h": "lower", "ota_days_to_95pct": "lower"},
                              kpis, summary)
    text = result.answer_text()
    assert "mean_wait_h (lower is better): base 3" in text
    assert text.splitlines()[-1] == "  not KPIs of this run (check the names): ota_days_to_95pct"
