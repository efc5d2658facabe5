"""The ``ota`` group composes with Hydra, presets are selectable, bad values are named.

The root config does not list ``ota`` yet (the engine registers it), so the
tests compose against a temporary root in the ConfigStore that holds only
``ota: OtaConfig`` and selects ``ota: default`` like ``config.yaml`` will.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pytest
from hydra import compose, initialize_config_module
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import MISSING, OmegaConf

from configs.ota_schema import ExponentialConfig, GatesConfig, OtaConfig
from configs.validate import ConfigError, validate
from sim.ota import OtaCampaigns
from sim.ota.sandbox import SyntheticFleet, ota_config

PRESETS = ["aws_abort", "big_bang", "hawkbit_default", "mender_phased", "staged", "staged_beta",
           "staged_rate", "staged_wilson"]


@dataclass
class _Root:
    ota: OtaConfig = MISSING


def composed(*overrides: str):
    cs = ConfigStore.instance()
    cs.store(name="ota_test_schema", node=_Root)
    cs.store(name="ota_test_root",
             node={"defaults": ["ota_test_schema", {"ota": "default"}, "_self_"]})
    GlobalHydra.instance().clear()
    with initialize_config_module("configs", version_base=None):
        cfg = compose("ota_test_root", overrides=list(overrides))
    validate(cfg)
    return cfg


def test_the_rollout_presets_are_the_files_of_the_nested_group():
    folder = resources.files("configs").joinpath("ota", "rollout")
    assert sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")) == PRESETS


def test_default_composes_to_the_seed_waves_with_a_health_gate():
    ota = composed().ota
    assert ota.enabled and list(ota.releases) == ["fix_2026_12"]
    rel = ota.releases.fix_2026_12
    assert rel.release_day == 30 and rel.rollout is None
    assert rel.effects.software_fault_rate_factor == 0.7
    assert max(rel.defect_prob_by_hw_config.values()) > 0
    r = ota.rollout
    assert r.policy == "staged"
    assert [(w.size, w.min_days, w.cohort) for w in r.waves] == [
        (0.001, 1, "employee"), (0.01, 3, "early_adopter"), (0.1, 7, "any"), (1.0, 14, "any")]
    assert r.gates.error_action == "pause" and r.gates.min_executed > 0


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_is_selectable_from_the_command_line_and_matches_the_sandbox(preset):
    ota = composed(f"ota/rollout={preset}").ota
    assert OmegaConf.to_container(ota) == OmegaConf.to_container(ota_config(rollout=preset))


def test_presets_carry_their_servers_defaults():
    hawkbit = composed("ota/rollout=hawkbit_default").ota.rollout
    assert (hawkbit.gates.success_threshold_frac, hawkbit.gates.error_threshold_frac,
            hawkbit.gates.min_executed, hawkbit.gates.success_counts_on,
            hawkbit.gates.error_action) == (0.5, 0.5, 0, "report", "pause")
    assert len({w.size for w in hawkbit.waves[:-1]}) == 1          # equal groups
    aws = composed("ota/rollout=aws_abort").ota.rollout
    assert aws.policy == "exponential" and aws.gates.error_action == "abort"
    assert aws.gates.min_executed > 0 and aws.exponential.increment_factor == 2.0
    mender = composed("ota/rollout=mender_phased").ota.rollout
    assert mender.gates.success_threshold_frac == 0 and mender.gates.error_action == "none"
    assert composed("ota/rollout=big_bang").ota.rollout.policy == "big_bang"


def test_a_key_of_the_preset_and_one_release_can_be_overridden():
    assert composed("ota.rollout.policy=big_bang").ota.rollout.policy == "big_bang"
    ota = composed("+ota/rollout@ota.releases.fix_2026_12.rollout=aws_abort").ota
    assert ota.rollout.policy == "staged"
    assert ota.releases.fix_2026_12.rollout.policy == "exponential"


def test_ota_none_has_no_releases_and_does_nothing():
    ota = composed("ota=none", "ota/rollout=aws_abort").ota
    assert ota.enabled is False and len(ota.releases) == 0
    fleet = SyntheticFleet(n=50)
    out = fleet.campaigns(ota).step(40, fleet.context(40))
    assert out.counts == {} and out.events == {} and out.decisions == []


def _scalars(obj) -> dict:
    return {k: v for k, v in dataclasses.asdict(obj).items() if not isinstance(v, (dict, list))}


def test_schema_defaults_equal_the_default_files():
    """As in alerts_schema: every scalar default of the schema is the sourced YAML value."""
    ota = OmegaConf.to_container(composed().ota)
    assert {k: ota[k] for k in _scalars(OtaConfig())} == _scalars(OtaConfig())
    assert ota["rollout"]["gates"] == dataclasses.asdict(GatesConfig())
    aws = OmegaConf.to_container(composed("ota/rollout=aws_abort").ota.rollout)
    assert aws["exponential"] == dataclasses.asdict(ExponentialConfig())


BAD = {  # overrides -> fragments of the message (key, value, what is allowed)
    ("ota.rollout.policy=canary",): ["ota.rollout.policy", "canary", "big_bang, staged"],
    ("ota.rollout.gates.error_threshold_frac=0",): ["error_threshold_frac=0", "(0, 1]"],
    ("ota.max_retries=11",): ["ota.max_retries=11", "[0, 10]"],
    ("ota.connectivity_prob_per_day=1.5",): ["connectivity_prob_per_day=1.5", "[0, 1]"],
    ("ota.rollout.gates.error_action=rollback",): ["error_action", "pause, abort, none"],
    ("ota/rollout=big_bang", "ota.rollout.policy=staged"): ["ota.rollout.waves is empty",
                                                            "policy=staged"],
    ("ota.rollout.waves=[{size:2.5}]",): ["ota.rollout.waves[0].size=2.5", "whole number"],
    ("ota.rollout.waves=[{size:0}]",): ["ota.rollout.waves[0].size=0", "(0, 1000000000]"],
    ("ota.rollout.waves=[{size:0.5,cohort:vip}]",): ["waves[0].cohort='vip'", "employee"],
    ("ota.releases.fix_2026_12.defect_prob_by_hw_config.hw3=1.5",): [
        "fix_2026_12.defect_prob_by_hw_config.hw3=1.5", "[0, 1]"],
    ("ota.install_duration_h=5",): ["install_duration_h=5", "maintenance_window_h=4"],
    ("ota.releases.fix_2026_12.version=",): ["fix_2026_12.version=''"],
    ("ota/rollout=staged_rate", "ota.rollout.gates.resume_threshold_frac=0.05"): [
        "gates.resume_threshold_frac=0.05 must be below", "gates.error_threshold_frac=0.05"],
    ("ota.rollout.gates.acceptable_error_frac=0.05",): [
        "gates.acceptable_error_frac=0.05 must be below", "gates.error_threshold_frac=0.05"],
    ("ota.rollout.gates.error_test=bayes",): ["error_test", "bayes", "rate, wilson, beta, sprt"],
    ("ota.rollout.gates.confidence=1",): ["gates.confidence=1", "[0.5, 0.9999]"],
}


@pytest.mark.parametrize("overrides", list(BAD))
def test_a_bad_value_names_key_value_and_what_is_allowed(overrides):
    with pytest.raises(ConfigError) as info:
        composed(*overrides)
    for fragment in BAD[overrides]:
        assert fragment in str(info.value)


@pytest.mark.parametrize("key, name", [
    ("releases.fix_2026_12.defect_prob_by_hw_config", {"hw9": 0.1}),
    ("releases.fix_2026_12.applies_to_regions", ["west"]),
    ("rollout.waves", [{"size": 0.5, "hw_configs": ["hw9"]}]),
])
def test_a_name_the_fleet_lacks_fails_with_the_valid_names(key, name):
    cfg = ota_config(overrides={key: name})
    fleet = SyntheticFleet(n=20)
    with pytest.raises(ConfigError) as info:
        OtaCampaigns(cfg, n=20, rng=np.random.default_rng(1), **fleet.attrs)
    assert "is not a known name; allowed:" in str(info.value)
    assert ("hw3, hw4" in str(info.value)) or ("north, south" in str(info.value))
