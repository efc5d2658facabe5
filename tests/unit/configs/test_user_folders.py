"""The user's own config folders (`--config-dir`, `hydra.searchpath`): parameter sets, rollout
policies and experiments beside fleetsim's, validated the same way (issue 16, deliverable 1)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

import sim
from configs.load import plain_overrides


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A planner's folder with a rollout policy (AWS's, with a faster ramp) and an experiment."""
    rollout = tmp_path / "ota" / "rollout"
    rollout.mkdir(parents=True)
    aws = resources.files("configs").joinpath("ota/rollout/aws_abort.yaml").read_text()
    (rollout / "fast_ramp.yaml").write_text(aws.replace("increment_factor: 2.0",
                                                        "increment_factor: 4.0"))
    (tmp_path / "experiment").mkdir()
    (tmp_path / "experiment" / "my_rollouts.yaml").write_text(
        "# @package _global_\n"
        "fleet: {size: 300}\nhorizon_days: 20\n"
        "experiment:\n  name: my_rollouts\n  baseline: staged\n"
        "  variants: {staged: [ota/rollout=staged], fast: [ota/rollout=fast_ramp]}\n"
        "  headline: {ota_vehicles_exposed_to_defect: lower}\n"
        "  replications: 1\n  n_jobs: 1\n")
    return tmp_path


def test_config_dir_becomes_a_search_path(folder):
    ov = plain_overrides(["--config-dir", str(folder), "fleet.size=10", "-m"])
    assert ov == ["fleet.size=10", f"hydra.searchpath=[file://{folder.resolve()}]"]
    assert plain_overrides([f"--config-dir={folder}"]) == ov[1:]


def test_a_rollout_policy_from_the_users_folder_is_composed_and_validated(folder):
    ov = plain_overrides(["--config-dir", str(folder), "ota/rollout=fast_ramp"])
    cfg = sim.load_config(ov)
    assert cfg.ota.rollout.exponential.increment_factor == 4.0
    assert cfg.ota.rollout.policy == "exponential"
    with pytest.raises(sim.ConfigError, match="ota/rollout='nope' is not a known parameter set; "
                                              "valid ota/rollout sets: .*fast_ramp"):
        sim.load_config([*ov[:-1], "ota/rollout=nope", ov[-1]])
    # a bad value in the user's file is named like one of ours
    bad = folder / "ota" / "rollout" / "fast_ramp.yaml"
    bad.write_text(bad.read_text().replace("increment_factor: 4.0", "increment_factor: -4.0"))
    with pytest.raises(sim.ConfigError, match="ota.rollout.exponential.increment_factor=-4"):
        sim.load_config(ov)


def test_broken_yaml_names_the_file_and_line(folder):
    broken = folder / "ota" / "rollout" / "broken.yaml"
    broken.write_text("policy: staged\ngates: {a: 1\n  b: [\n")
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(plain_overrides(["-cd", str(folder), "ota/rollout=broken"]))
    assert str(info.value).startswith(f"{folder / 'ota' / 'rollout' / 'broken.yaml'}, line 3: "
                                      "invalid YAML")


def test_a_users_main_config_or_a_missing_folder_is_an_error(folder, tmp_path):
    shutil.copy(resources.files("configs").joinpath("config.yaml"), folder / "config.yaml")
    with pytest.raises(sim.ConfigError, match="cannot replace fleetsim's main config"):
        sim.load_config(plain_overrides(["--config-dir", str(folder)]))
    with pytest.raises(sim.ConfigError, match="does not exist"):
        sim.load_config(plain_overrides(["--config-dir", str(tmp_path / "nowhere")]))


def test_an_experiment_in_the_users_folder_runs_their_policy(folder, tmp_path):
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "reports.app", "--config-dir", str(folder),
                           "experiment=my_rollouts", f"hydra.run.dir={out}",
                           "output.progress=false", "output.report=false"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "my_rollouts: 2 variants x 1 replication (2 tasks" in done.stdout
    meta = json.loads((out / "experiment.json").read_text())
    assert meta["variants"]["fast"] == ["ota/rollout=fast_ramp"]
    assert meta["base_overrides"][-1] == f"hydra.searchpath=[file://{folder.resolve()}]"


@pytest.mark.parametrize("override", ["fleet.size=北京", "experiment.name=上海 test"])
def test_an_unquoted_non_ascii_or_spaced_value_says_to_quote_it(override):
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config([override])
    assert str(info.value) == (f"cannot read the override {override!r} (a value with spaces or "
                               "non-ASCII characters must be quoted: key='value', and the whole "
                               "override in shell quotes)")


def test_a_nested_group_lists_its_presets():
    with pytest.raises(sim.ConfigError, match="ota/rollout='foo' is not a known parameter set; "
                                              "valid ota/rollout sets: aws_abort, big_bang, "
                                              "hawkbit_default, mender_phased, staged"):
        sim.load_config(["ota/rollout=foo"])
