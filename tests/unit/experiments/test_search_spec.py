"""Search definitions: the shipped ones load; bad input stops with one line naming it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from configs.validate import ConfigError
from experiments.search.spec import (
    load_spec,
    override,
    overrides,
    parse_spec,
    search_names,
    split_overrides,
)

SHIPPED = ("alert_thresholds", "rollout_waves_and_gates", "van_fleet_and_experts")


def _data(**change):
    data = {"variables": {"service.mobile.vans_per_10000_vehicles": {"type": "float", "low": 3,
                                                                     "high": 9}},
            "objectives": {"mean_wait_h": "lower"}}
    data.update(change)
    return data


def test_the_shipped_searches_load_with_their_kpis_and_paths():
    assert set(SHIPPED) <= set(search_names())
    spec = load_spec("van_fleet_and_experts")
    assert [v.path for v in spec.variables] == ["service.mobile.vans_per_10000_vehicles",
                                                "service.experts.per_100_vans"]
    assert spec.constraints == {"rescue_within_target_rate": {"min": 0.9}}
    assert spec.objectives["cost_per_job_mobile"] == "lower"
    for name in SHIPPED[:2]:
        spec = load_spec(name, ["trials=5"], ["fleet.size=500"])
        assert spec.trials == 5 and spec.scenario[-1] == "fleet.size=500"


def test_overrides_are_canonical_text_so_a_repeated_policy_has_one_name():
    spec = parse_spec(_data(variables={
        "service.experts.per_100_vans": {"type": "int", "low": 1, "high": 9},
        "service.mobile.vans_per_10000_vehicles": {"type": "float", "low": 3, "high": 9}}))
    assert overrides(spec, {"service.experts.per_100_vans": 4.0,
                            "service.mobile.vans_per_10000_vehicles": 5.123456789}) == [
        "service.experts.per_100_vans=4", "service.mobile.vans_per_10000_vehicles=5.12346"]
    assert override(spec.variables[1], 6) == "service.mobile.vans_per_10000_vehicles=6"


def test_split_overrides_separates_the_name_the_definition_and_the_scenario():
    assert split_overrides(["search=x", "search.trials=3", "fleet.size=9"]) == (
        "x", ["trials=3"], ["fleet.size=9"])


@pytest.mark.parametrize(("change", "message"), [
    ({"variables": {"service.mobile.vans_per_10000_vehicles":
                    {"type": "float", "low": 5, "high": 5}}},
     "search.variables.service.mobile.vans_per_10000_vehicles: empty range [5, 5]"),
    ({"variables": {"service.experts.per_100_vans": {"type": "categorical", "choices": []}}},
     "search.variables.service.experts.per_100_vans: empty choices"),
    ({"objectives": {"mean_wiat_h": "lower"}}, "search.objectives: 'mean_wiat_h' is not a KPI"),
    ({"objectives": {"mean_wait_h": "higher"}}, "search.objectives.mean_wait_h='higher'"),
    ({"constraints": {"rescue_rate": {"min": 0.9}}},
     "search.constraints: 'rescue_rate' is not a KPI"),
    ({"sampler": "grid"}, "search.sampler='grid' is not allowed"),
])
def test_bad_definitions_name_the_key(change, message):
    with pytest.raises(ConfigError) as ex:
        parse_spec(_data(**change))
    assert str(ex.value).startswith(message)


def test_an_unknown_config_path_is_named_before_any_trial(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("variables:\n  service.mobile.vanz: {type: int, low: 1, high: 3}\n"
                    "objectives: {mean_wait_h: lower}\n")
    with pytest.raises(ConfigError) as ex:
        load_spec(str(path))
    assert str(ex.value) == "search.variables.service.mobile.vanz: not a key of the scenario config"


def test_the_command_exits_2_with_one_line_naming_the_bad_kpi(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "reports.search.cli", "search=van_fleet_and_experts",
         "search.objectives.not_a_kpi=lower", "--out", str(tmp_path / "s")],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == ("fleetsim-search: error: search.objectives: 'not_a_kpi' is not a KPI "
                        "of the catalogue (`fleetsim-kpis` lists the KPIs)")
    assert not (tmp_path / "s").exists()
