"""sim.load_config: every bad override fails with key, value and what is allowed."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

import sim

# override -> fragments the message must contain (key, value, what is allowed)
BAD = {
    "fleet.size=-5": ["fleet.size", "-5", "[1, 50000000]"],
    "horizon_days=abc": ["horizon_days", "abc", "integer"],
    "fleet.regen_share=1.7": ["fleet.regen_share", "1.7", "[0, 1]"],
    "battery=foo": ["battery", "foo", "lfp", "nmc"],
    "fleet.sizee=3": ["fleet.sizee", "size", "regen_share", "profiles"],
    "battery.chemistry=xyz": ["battery.chemistry", "xyz", "nmc", "lfp"],
    "fleet.regions.tier1_east.share=0.5": ["fleet.regions", "1.15", "sum to 1"],
    "fleet.profiles.commuter.share=0.4": ["fleet.profiles", "0.8", "sum to 1"],
    "service.mobile.shift_start_h=20": ["service.mobile.shift_start_h", "20",
                                        "service.mobile.shift_end_h", "18"],
    "fleet.regen_share=nan": ["fleet.regen_share", "nan", "[0, 1]"],
    "seed=-1": ["seed", "-1"],
    "sizee=3": ["sizee", "horizon_days", "fleet"],
    "fleet.hw_configs.hw4=0.9": ["fleet.hw_configs", "1.3", "sum to 1"],
    "fleet.cohorts.employee=-0.1": ["fleet.cohorts", "-0.1", "[0, 1]"],
    "alerts=bogus": ["alerts", "bogus", "default", "none", "sensitive", "threshold"],
    "alerts.rules.brake_padsx.threshold=1.9": ["alerts.rules.brake_padsx", "alerts.rules:",
                                               "brake_pads", "coolant_temp"],
    "alerts.rules.brake_pads.level=purple": ["alerts.rules.brake_pads.level", "purple",
                                             "red, yellow, blue"],
    "alerts.trends.tire_tread.cause=flat_tyre": ["alerts.trends.tire_tread.cause", "flat_tyre",
                                                 "tread_worn", "puncture"],
    "alerts.levels.red.service_priority=asap": ["alerts.levels.red.service_priority", "asap",
                                                "red_alert", "booked"],
    "alerts.horizon_days_red=9": ["alerts.horizon_days_red=9", "alerts.horizon_days_yellow=7"],
    "service.economics.warranty_share_by_source.faults=1.5": [
        "service.economics.warranty_share_by_source.faults", "1.5", "[0, 1]"],
    "+service.economics.warranty_share_by_source.recalls=0.5": [
        "service.economics.warranty_share_by_source.recalls", "0.5",
        "faults, alerts, maintenance, owner"],
    "service.economics.warranty_rate_factor=1.2": ["service.economics.warranty_rate_factor",
                                                   "1.2", "[0, 1]"],
    "service.economics.preventive_margin=2": ["service.economics.preventive_margin", "2",
                                              "[-1, 1]"],
    "service.economics.emergency_margin=-1.5": ["service.economics.emergency_margin", "-1.5",
                                                "[-1, 1]"],
    "service.economics.repair_revenue_preventive=-5": [
        "service.economics.repair_revenue_preventive", "-5", "[0, 1000000]"],
    "service.economics.repair_revenue_emergency=-5": [
        "service.economics.repair_revenue_emergency", "-5", "[0, 1000000]"],
    "service.economics.owner_avoided_cost_per_breakdown=-1": [
        "service.economics.owner_avoided_cost_per_breakdown", "-1", "[0, 1000000]"],
    "service.economics.center_staff_per_technician_cost=-0.5": [
        "service.economics.center_staff_per_technician_cost", "-0.5", "[0, 100]"],
    "service.economics.center_site_per_technician_cost=abc": [
        "service.economics.center_site_per_technician_cost", "abc"],
}


def test_an_entry_missing_under_the_chosen_group_is_named():
    """alerts=none has no rules: the message says so instead of listing a rule's fields."""
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(["alerts=none", "alerts.rules.tire_tread.threshold=1.9"])
    assert "keys allowed under alerts.rules: (none)" in str(info.value)


@pytest.mark.parametrize("override", list(BAD))
def test_bad_override_names_key_value_and_allowed(override):
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config([override])
    message = str(info.value)
    for fragment in BAD[override]:
        assert fragment in message, f"{fragment!r} missing from: {message}"
    assert "\n" not in message.strip()


def test_config_error_is_a_value_error():
    assert issubclass(sim.ConfigError, ValueError)


def test_several_errors_are_reported_together():
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(["fleet.regen_share=1.7", "battery.replace_soh_frac=2"])
    assert "fleet.regen_share" in str(info.value)
    assert "battery.replace_soh_frac" in str(info.value)


@pytest.mark.parametrize(("overrides", "check"), [
    (["battery=lfp"], lambda c: c.battery.chemistry == "lfp"),
    (["fleet.size=1234"], lambda c: c.fleet.size == 1234),
    (["horizon_days=17", "seed=99"], lambda c: c.horizon_days == 17 and c.seed == 99),
    (["fleet.regen_share=0.5"], lambda c: c.fleet.regen_share == 0.5),
    (["service.mobile.shift_start_h=6", "service.mobile.shift_end_h=22"],
     lambda c: (c.service.mobile.shift_start_h, c.service.mobile.shift_end_h) == (6, 22)),
])
def test_valid_overrides_change_the_value(overrides, check):
    assert check(sim.load_config(overrides))


def test_lfp_set_differs_from_the_default_nmc_set():
    nmc, lfp = sim.load_config([]), sim.load_config(["battery=lfp"])
    assert nmc.battery.chemistry == "nmc"
    rate = "calendar_loss_frac_per_sqrt_year"
    assert lfp.battery[rate] < nmc.battery[rate]  # LFP fades more slowly
    assert nmc.fleet == lfp.fleet


def _fleetsim() -> list[str]:
    exe = shutil.which("fleetsim")
    return [exe] if exe else [sys.executable, "-m", "reports.app"]


@pytest.mark.parametrize(("override", "fragments"), [
    ("fleet.size=-5", ["fleet.size", "-5"]),
    ("battery=foo", ["battery", "foo", "lfp", "nmc"]),
])
def test_cli_reports_config_errors_without_traceback(tmp_path, override, fragments):
    proc = subprocess.run([*_fleetsim(), override], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "outputs").exists(), "a run directory was created for a bad config"


def test_appending_an_unknown_key_is_rejected():
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(["+fleet.regen_sharee=0.5"])
    assert "fleet.regen_sharee" in str(info.value) and "regen_share" in str(info.value)


@pytest.mark.parametrize(("overrides", "message"), [
    (["service.mobile.nope=1"], "'service.mobile.nope' is not a known config key; keys allowed "
                                "under service.mobile: appointments, "),
    (["alerts=none", "alerts.rules.x=1"],
     "'alerts.rules.x' is not a known config key; keys allowed under alerts.rules: (none)"),
])
def test_an_unknown_key_is_named_from_the_errors_full_key(overrides, message):
    """The key comes from OmegaConf's ``full_key``, not from Hydra's wording (issue 16, 9)."""
    with pytest.raises(sim.ConfigError) as err:
        sim.load_config(overrides)
    assert str(err.value).startswith(message)
