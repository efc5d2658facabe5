"""The KPI catalogue: it defines every KPI a run produces, once, and formats their values."""

from __future__ import annotations

import ast
import dataclasses
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import sim
from configs.alerts_schema import LEVELS
from sim.kpis import catalogue
from sim.kpis.catalogue import CATALOGUE, DOMAINS, Kpi, format_value, kpi, lookup, matches
from sim.kpis.cli import format_markdown
from twins import TWINS

ROOT = Path(__file__).resolve().parents[3]
BASELINE = Path(str(resources.files("configs").joinpath("baselines", "check.json")))
SMALL = ["fleet.size=300", "horizon_days=30", "output.progress=false"]


@pytest.fixture(scope="module")
def run_keys() -> dict[str, list[str]]:
    """KPI names of a small default run and of one with alerts and OTA off."""
    out = {}
    for name, extra in (("default", []), ("bare", ["alerts=none", "ota=none"])):
        out[name] = list(sim.simulate(sim.load_config([*SMALL, *extra])).kpis)
    return out


def _samples(entry: Kpi) -> list[str]:
    """Concrete keys of an entry: itself, or every member of a family (one made-up release)."""
    members = {"component": list(TWINS), "level": list(LEVELS), "release": ["fix_2026_12"]}
    if not entry.is_family:
        return [entry.key]
    return [entry.key.replace(f"{{{entry.placeholder}}}", m) for m in members[entry.placeholder]]


@pytest.mark.parametrize("run", ["default", "bare"])
def test_every_kpi_of_a_real_run_is_defined_exactly_once(run_keys, run):
    keys = run_keys[run]
    assert len(keys) > 90
    assert catalogue.unknown(keys) == []
    for key in keys:
        assert [k.key for k in [lookup(key)]] == [key]
        assert len(matches(key)) == 1, (key, [m.key for m in matches(key)])


def test_every_kpi_of_the_check_baseline_is_defined_exactly_once():
    keys = list(json.loads(BASELINE.read_text(encoding="utf-8"))["kpis"])
    assert len(keys) == 165   # the 5 prognostics_* KPIs: 165 once the baseline is regenerated
    assert catalogue.unknown(keys) == []
    assert all(len(matches(key)) == 1 for key in keys)


def test_no_two_entries_match_the_same_key():
    assert len({k.key for k in CATALOGUE}) == len(CATALOGUE)
    for entry in CATALOGUE:
        for key in _samples(entry):
            assert [m.key for m in matches(key)] == [entry.key], key


def test_catalogue_is_in_domain_reading_order_and_complete():
    assert DOMAINS == ("run", "fleet", "battery", "service", "demand", "workforce", "alerts",
                       "ota", "prognostics")
    order = [DOMAINS.index(k.domain) for k in CATALOGUE]
    assert order == sorted(order)
    assert {k.domain for k in CATALOGUE} == set(DOMAINS)
    families = {k.key for k in CATALOGUE if k.is_family}
    assert families == {
        "failures_by_component_{component}", "breakdowns_by_component_{component}",
        "breakdown_share_{component}", "alert_precision_{level}", "alert_share_{level}",
        "alert_median_lead_days_{level}",
        "alert_precision_{component}", "alert_recall_{component}",
        "ota_days_to_95pct_{release}"}
    for k in CATALOGUE:
        assert k.label and k.unit and k.definition and "\n" not in k.definition, k.key
        assert k.better in ("lower", "higher", "")


def test_entries_are_frozen_and_validated():
    entry = kpi("mean_wait_h")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.label = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="better='up'"):
        dataclasses.replace(entry, better="up")
    with pytest.raises(ValueError, match="domain='cars'"):
        dataclasses.replace(entry, domain="cars")


def test_exact_lookups_give_the_catalogue_fields():
    k = kpi("breakdowns_per_1000_vehicle_years")
    assert (k.label, k.unit, k.fmt, k.better, k.domain) == (
        "Breakdowns per 1,000 vehicle-years", "1/(1000 vehicle-years)", ".2f", "lower", "fleet")
    assert "ADAC" in k.definition
    assert kpi("technicians").better == ""
    assert kpi("technician_utilization").better == "higher"
    assert (kpi("mean_wait_h").unit, kpi("service_cost_total").unit) == ("h", "CNY")


@pytest.mark.parametrize(("key", "label", "family"), [
    ("failures_by_component_battery", "Failures: Traction battery",
     "failures_by_component_{component}"),
    ("breakdowns_by_component_aux12v", "Breakdowns: 12 V battery",
     "breakdowns_by_component_{component}"),
    ("breakdown_share_coolant", "Breakdown share: Coolant loop", "breakdown_share_{component}"),
    ("alert_precision_red", "Alert precision: red alerts", "alert_precision_{level}"),
    ("alert_precision_electrics", "Alert precision: LV electrics",
     "alert_precision_{component}"),
    ("alert_recall_tires", "Alert recall: Tires", "alert_recall_{component}"),
    ("ota_days_to_95pct_fix_2026_12", "Days to 95 % installed: fix_2026_12",
     "ota_days_to_95pct_{release}"),
])
def test_family_members_get_their_own_key_and_label(key, label, family):
    member, fam = lookup(key), kpi(family)
    assert member is not None and fam.is_family
    assert (member.key, member.label) == (key, label)
    assert (member.unit, member.fmt, member.better, member.domain) == (
        fam.unit, fam.fmt, fam.better, fam.domain)
    assert [m.key for m in matches(key)] == [family]


@pytest.mark.parametrize("key", [
    "alert_precision_foo", "failures_by_component_", "failures_by_component_wheels",
    "ota_days_to_95pct_", "mean_wait", "MEAN_WAIT_H", ""])
def test_keys_outside_the_catalogue_are_not_found(key):
    assert lookup(key) is None
    assert catalogue.unknown(["vehicles", key, key]) == [key]


def test_an_unknown_key_raises_naming_it():
    with pytest.raises(KeyError, match=r"'no_such_kpi' is not in the KPI catalogue.*add it"):
        kpi("no_such_kpi")
    with pytest.raises(KeyError, match="no_such_kpi"):
        format_value("no_such_kpi", 1.0)


@pytest.mark.parametrize(("key", "value", "text"), [
    ("vehicle_days", 3_650_000, "3,650,000"),
    ("failures_total", 1641.0, "1,641"),
    ("breakdowns_per_1000_vehicle_years", 2.4, "2.40"),
    ("mean_wait_h", 25.7912, "25.79 h"),
    ("first_time_fix_rate", 0.8187, "81.9%"),
    ("battery_soh_mean_end", np.float32(0.94377), "94.38%"),
    ("service_cost_per_vehicle_year", 185.26, "185 CNY"),
    ("service_cost_total", 365200.0, "365,200 CNY"),
    ("km_per_vehicle_year", 13201.9, "13,202 km/yr"),
    ("battery_loss_pct_per_year_of_age", 2.2077, "2.21 %/yr"),
    ("alert_median_lead_days", 7.444, "7.4 d"),
    ("breakdown_share_tires", 0.2, "20.0%"),
    ("ota_days_to_95pct_fix_2026_12", 12.0, "12.0 d"),
    ("mean_wait_h", None, "n/a"),
    ("alert_precision_red", math.nan, "n/a"),
    ("technician_utilization", np.nan, "n/a"),
])
def test_format_value(key, value, text):
    assert format_value(key, value) == text


def test_kpis_package_init_stays_import_free():
    tree = ast.parse((ROOT / "sim" / "kpis" / "__init__.py").read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def _glossary() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### KPI glossary")
    return text[start:text.index("\n## ", start)]


def test_every_catalogue_key_is_in_the_readme_glossary():
    glossary = _glossary()
    assert [k.key for k in CATALOGUE if f"`{k.key}`" not in glossary] == []


def test_readme_glossary_is_the_generated_table():
    table = format_markdown(CATALOGUE)
    assert table in _glossary(), ("README's KPI glossary is stale: paste the output of "
                                  "`fleetsim-kpis --markdown` (python -m sim.kpis.cli --markdown)")
    assert "fleetsim-kpis --markdown" in _glossary()
