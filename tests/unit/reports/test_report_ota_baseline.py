"""The OTA KPIs of a run against a baseline run (``--baseline``): rows, pairing, finding, HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import reports
from reports.ota.compare import compare_ota, ota_comparison_finding, rollout_name
from reports.page.loader import RunFiles

if TYPE_CHECKING:
    from conftest import SyntheticRun

STAGED = {
    "vehicles": 3000, "horizon_days": 120,
    "ota_vehicles_exposed_to_defect": 220, "ota_days_to_95pct": None,
    "ota_installed_share_end": 0.6324, "ota_service_jobs": 16, "ota_vehicles_bricked": 0,
    "ota_install_failures": 63, "ota_rollbacks": 4, "ota_campaign_paused": 1,
    "ota_data_cost": 1583.0,
}
BIG_BANG = STAGED | {
    "ota_vehicles_exposed_to_defect": 2048, "ota_days_to_95pct": 19.0,
    "ota_installed_share_end": 0.998, "ota_service_jobs": 209, "ota_install_failures": 94,
    "ota_rollbacks": 10, "ota_campaign_paused": 0, "ota_data_cost": 2500.0,
}


def _config(policy: str, **gates: object) -> dict:
    rollout = {"policy": policy, "gates": {"error_action": "pause"} | gates}
    return {"seed": 5, "fleet": {"size": 3000}, "alerts": {"enabled": False},
            "ota": {"enabled": True, "rollout": rollout, "releases": {"r": {"release_day": 30}}}}


def _run(overrides: list[str], config: dict, seed: int = 5) -> dict:
    return {"seed": seed, "overrides": overrides, "config": config}


STAGED_RUN = _run([], _config("staged"))
BB_RUN = _run(["ota/rollout=big_bang"], _config("big_bang", error_action="none"))


def _files(name: str, kpis: dict, run: dict) -> RunFiles:
    return RunFiles(Path(name), kpis, run)


def test_rows_statements_and_rollout_names() -> None:
    cmp = compare_ota(_files("s", STAGED, STAGED_RUN), _files("b", BIG_BANG, BB_RUN))
    rows = {r.key: (r.this_text, r.other_text, r.diff_text) for r in cmp.rows}
    assert rows == {
        "ota_vehicles_exposed_to_defect": ("220", "2,048", "−1,828 (−89 %)"),
        "ota_days_to_95pct": ("not reached", "19", "n/a"),
        "ota_installed_share_end": ("63.2 %", "99.8 %", "−36.6 pp"),
        "ota_service_jobs": ("16", "209", "−193 (−92 %)"),
        "ota_vehicles_bricked": ("0", "0", "±0"),
        "ota_install_failures": ("63", "94", "−31 (−33 %)"),
        "ota_rollbacks": ("4", "10", "−6 (−60 %)"),
        "ota_campaign_paused": ("1", "0", "+1"),
        "ota_data_cost": ("1,583", "2,500", "−917 (−37 %)"),
    }
    assert (cmp.this_rollout, cmp.baseline_rollout) == ("staged", "big_bang")
    assert cmp.statements == (
        "This run: staged. The baseline: big_bang.",
        "Both runs have the same seed (5), same fleet size (3,000 vehicles), same horizon "
        "(120 days).",
    )
    assert cmp.warnings == ()
    finding = ota_comparison_finding(cmp)
    assert finding.level == "info"
    assert finding.text == (
        "OTA rollout staged against the baseline's big_bang: vehicles exposed to a latent defect "
        "220 vs 2,048 (−89 %), days to 95 % installed not reached vs 19, installed at the end "
        "63.2 % vs 99.8 % (−36.6 pp), OTA service jobs 16 vs 209 (−92 %)."
    )


def test_unpaired_runs_and_same_settings_are_warned() -> None:
    other_seed = _run(["ota/rollout=big_bang"], _config("big_bang", error_action="none"), seed=6)
    cmp = compare_ota(_files("s", STAGED, STAGED_RUN), _files("b", BIG_BANG, other_seed))
    assert cmp.warnings == (
        "The seeds differ (5 here, 6 in the baseline): a paired comparison needs the same seed, "
        "so the difference mixes the effect of the rollout with chance.",
    )
    assert ota_comparison_finding(cmp).level == "watch"
    assert ota_comparison_finding(cmp).text.endswith(
        "(−92 %). Not a paired comparison: " + cmp.warnings[0])
    # The same OTA settings (e.g. a baseline with alerts=none): no OTA comparison.
    assert compare_ota(_files("s", STAGED, STAGED_RUN), _files("t", BIG_BANG, STAGED_RUN)) is None
    # Settings outside ota still count as other differences.
    alerts_on = _run([], _config("staged") | {"alerts": {"enabled": True}})
    cmp = compare_ota(_files("s", STAGED, alerts_on), _files("b", BIG_BANG, BB_RUN))
    assert cmp.warnings[-1] == "Other settings differ: alerts.enabled (True vs False)."


def test_no_comparison_without_campaigns_or_shared_kpis() -> None:
    off = _run(["ota=none"], {"seed": 5, "ota": {"enabled": False, "releases": {}}})
    assert rollout_name(_files("o", STAGED, off)) == "OTA off"
    assert compare_ota(_files("a", STAGED, off), _files("b", BIG_BANG, off)) is None
    old = {"vehicles": 3000, "horizon_days": 120}
    assert compare_ota(_files("a", STAGED, STAGED_RUN), _files("b", old, {"seed": 5})) is None
    # One run with OTA off still compares: its zeros are the effect of having no campaign.
    cmp = compare_ota(_files("a", STAGED, STAGED_RUN), _files("b", BIG_BANG, off))
    assert cmp.baseline_rollout == "OTA off" and len(cmp.rows) == 9


def test_rollout_name_from_overrides_or_config() -> None:
    assert rollout_name(_files("a", STAGED, BB_RUN)) == "big_bang"
    assert rollout_name(_files("a", STAGED, _run(["ota.rollout.policy=exponential"],
                                                 _config("exponential")))) == "exponential"
    assert rollout_name(_files("a", STAGED, STAGED_RUN)) == "staged"


def test_report_shows_the_ota_baseline_table(make_run: Callable[..., SyntheticRun]) -> None:
    this = make_run("staged", kpi_overrides=STAGED, run_overrides=STAGED_RUN)
    other = make_run("bb", kpi_overrides=BIG_BANG, run_overrides=BB_RUN)
    page = reports.build_report(this.path, baseline=other.path).read_text(encoding="utf-8")
    section = page[page.index('<section id="ota">') : page.index('<section id="alerts">')]
    body = re.search(r'<table id="ota-baseline">(.*?)</table>', section, re.S).group(1)
    rows = {
        key: [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
        for key, row in re.findall(r'<tr id="ota-baseline-([a-z0-9_]+)">(.*?)</tr>', body, re.S)
    }
    assert rows["ota_vehicles_exposed_to_defect"] == [
        "Vehicles exposed to a latent defect", "220", "2,048", "−1,828 (−89 %)"]
    assert rows["ota_days_to_95pct"] == [
        "Days to 95 % installed (slowest release)", "not reached", "19", "n/a"]
    assert len(rows) == 9
    assert "OTA rollout staged against the baseline&#39;s big_bang" in page
