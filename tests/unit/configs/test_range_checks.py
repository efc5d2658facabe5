"""Numbers inside lists and mappings are range-checked like scalar keys (issue 16, item 6).

Response targets, parts stock, van stock, city speeds and rating cut points used to be
accepted negative or NaN and silently changed results.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import sim
from configs.fields import check_each

SPEEDS_NAN = "service.city.speed_kmh_by_hour=[" + ",".join(["30"] * 23 + ["nan"]) + "]"

# override -> the exact one-line message
BAD = {
    "service.response_target_h_by_tier=[-1,2,4,4]":
        "service.response_target_h_by_tier[0]=-1.0 is out of range; allowed: a number in "
        "(0, 8760]",
    "service.response_target_h_by_tier=[2,nan,4,4]":
        "service.response_target_h_by_tier[1]=nan is not allowed; expected a number in "
        "(0, 8760]",
    "service.response_target_h_by_tier=[2,0,4,4]":
        "service.response_target_h_by_tier[1]=0.0 is out of range; allowed: a number in "
        "(0, 8760]",
    "service.response_target_h_by_tier=[2,2,4,inf]":
        "service.response_target_h_by_tier[3]=inf is not allowed; expected a number in "
        "(0, 8760]",
    "service.parts.stock_per_1000_vehicles.tire=-3":
        "service.parts.stock_per_1000_vehicles.tire=-3.0 is out of range; allowed: a number "
        "in [0, 1000000]",
    "service.parts.stock_per_1000_vehicles.hv_pack=nan":
        "service.parts.stock_per_1000_vehicles.hv_pack=nan is not allowed; expected a number "
        "in [0, 1000000]",
    "service.mobile.van_parts.tire=-2":
        "service.mobile.van_parts.tire=-2 is out of range; allowed: a number in [0, 10000]",
    SPEEDS_NAN:
        "service.city.speed_kmh_by_hour[23]=nan is not allowed; expected a number in (0, 300]",
    "service.quality.thresholds=[1.5,2.5,3.5,nan]":
        "service.quality.thresholds[3]=nan is not allowed; expected a number in [-20, 20]",
}


@pytest.mark.parametrize("override", list(BAD))
def test_a_bad_number_in_a_list_or_mapping_is_named(override):
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config([override])
    assert str(info.value) == BAD[override]


def test_good_values_in_lists_and_mappings_pass():
    cfg = sim.load_config(["service.response_target_h_by_tier=[6,1.5,3,3]",
                           "service.parts.stock_per_1000_vehicles.tire=0"])
    assert list(cfg.service.response_target_h_by_tier) == [6.0, 1.5, 3.0, 3.0]
    assert cfg.service.parts.stock_per_1000_vehicles.tire == 0.0


def test_check_each_walks_nested_mappings_and_lists():
    meta = {"lo": 0.0, "hi": 1.0, "lo_open": False}
    values = {"a": {"x": 0.5, "y": 1.5}, "b": [0.1, -0.1]}
    assert check_each("k", values, meta) == [
        "k.a.y=1.5 is out of range; allowed: a number in [0, 1]",
        "k.b[1]=-0.1 is out of range; allowed: a number in [0, 1]"]
    assert check_each("k", None, meta) == []


@pytest.mark.parametrize("override", [
    "service.response_target_h_by_tier=[-1,2,4,4]",
    "service.response_target_h_by_tier=[nan,2,4,4]",
    "service.parts.stock_per_1000_vehicles.tire=-3",
])
def test_cli_exits_2_naming_the_key(tmp_path, override):
    proc = subprocess.run([sys.executable, "-m", "reports.app", override, "fleet.size=10",
                           "horizon_days=2", f"hydra.run.dir={tmp_path / 'run'}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    key = override.split("=")[0]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"fleetsim: config error: {key}")
    assert not (tmp_path / "run").exists()
