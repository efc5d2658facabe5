"""The OTA section of a real run's report, staged against big bang with the same seed.

Two small runs (3 000 vehicles, 120 days, the default release with its latent
defect on hw3) are simulated, saved and reported, the staged one with the big
bang one as ``--baseline``; the section's numbers must be the ones in kpis.json
and the counts of the event log.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

import reports
import sim
from sim.dataset import read_events

BASE = ["fleet.size=3000", "horizon_days=120", "seed=77", "output.progress=false", "alerts=none"]
BIG_BANG = [*BASE, "ota/rollout=big_bang"]
RELEASE = "fix_2026_12"
PROBLEM_EVENTS = {
    "A/B rollback (failed boot, back on the old version)": "ota_rolled_back",
    "Cloud rollback (reverted by the server)": "ota_cloud_rolled_back",
    "Latent defect: software fault (drivable)": "ota_defect_fault",
    "Latent defect: no-start (roadside)": "ota_defect_no_start",
    "Bricked: silent no-start after the reboot": "ota_bricked",
    "Retries exhausted: dealer flash booked": "ota_dealer_flash",
}
MODES = {"Download stuck (network)": "stuck_download", "Storage full": "insufficient_storage",
         "Low battery": "low_battery", "ECU communication error": "ecu_comm_error"}


def _save(overrides: list[str], out: Path) -> Path:
    sim.simulate(sim.load_config(overrides)).save(out, overrides=overrides)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("ota")
    return _save(BASE, base / "staged"), _save(BIG_BANG, base / "big_bang")


@pytest.fixture(scope="module")
def kpis(runs: tuple[Path, Path]) -> tuple[dict, dict]:
    return tuple(json.loads((d / "kpis.json").read_text()) for d in runs)


@pytest.fixture(scope="module")
def events(runs: tuple[Path, Path]) -> pd.DataFrame:
    return read_events(runs[0])


@pytest.fixture(scope="module")
def page(runs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    return reports.build_report(runs[0], out, baseline=runs[1]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def section(page: str) -> str:
    return page[page.index('<section id="ota">') : page.index('<section id="alerts">')]


def _cells(row: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)]


def _table(section: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table id="{table_id}">(.*?)</table>', section, re.S).group(1)
    return [c for c in (_cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)) if c]


def _tile(section: str, key: str) -> str:
    m = re.search(rf'id="tile-{key}">.*?<div class="value">([^<]*)</div>', section, re.S)
    return html.unescape(m.group(1))


def test_tiles_are_the_kpis(section: str, kpis: tuple[dict, dict]) -> None:
    k = kpis[0]
    days = k["ota_days_to_95pct"]
    assert _tile(section, "ota_days_to_95pct") == (
        "not reached" if days is None else f"{round(days)} d")
    share = k["ota_installed_share_end"]
    assert _tile(section, "ota_installed_share_end") == f"{share * 100:.1f} %"
    for key in ("ota_vehicles_exposed_to_defect", "ota_vehicles_bricked", "ota_service_jobs"):
        assert _tile(section, key) == f"{k[key]:,}"
    assert _tile(section, "ota_data_cost") == f"{round(k['ota_data_cost']):,} CNY"
    # The staged campaign caught the defect: fewer vehicles exposed than with the big bang.
    assert k["ota_vehicles_exposed_to_defect"] < kpis[1]["ota_vehicles_exposed_to_defect"]


def test_problem_table_counts_the_event_log(section: str, events: pd.DataFrame,
                                            kpis: tuple[dict, dict]) -> None:
    rows = {r[0]: r[1:] for r in _table(section, f"ota-problems-{RELEASE}")}
    mine = events[events["cause"] == RELEASE]
    failed = mine[mine["event"] == "ota_install_failed"]
    for name, mode in MODES.items():
        rows_mode = failed[failed["outcome"] == mode]
        assert rows[name][:2] == [f"{len(rows_mode):,}", f"{rows_mode['vehicle'].nunique():,}"]
    assert rows["All failed install attempts"][0] == f"{len(failed):,}"
    # the KPI also counts the attempts of the operator's hotfix (a release of its own)
    assert kpis[0]["ota_install_failures"] == (events["event"] == "ota_install_failed").sum()
    for name, event in PROBLEM_EVENTS.items():
        assert rows[name][0] == f"{(mine['event'] == event).sum():,}"
    ab = int(rows["A/B rollback (failed boot, back on the old version)"][0].replace(",", ""))
    cloud = int(rows["Cloud rollback (reverted by the server)"][0].replace(",", ""))
    everywhere = events["event"].isin(["ota_rolled_back", "ota_cloud_rolled_back"]).sum()
    assert ab + cloud == (mine["event"].isin(["ota_rolled_back", "ota_cloud_rolled_back"])).sum()
    assert kpis[0]["ota_rollbacks"] == everywhere     # the hotfix's too


def test_decision_table_is_the_log_in_order(section: str, events: pd.DataFrame) -> None:
    decided = events[events["vehicle"].eq(-1) & events["event"].str.startswith("ota_")]
    assert len(decided) >= 4   # the staged waves at least
    expected = [
        [str(int(math.floor(r.time_d))), r.cause, r.event.removeprefix("ota_")
         .replace("cohort_paused", "hw config paused").replace("_", " "), r.channel or "all",
         r.outcome]
        for r in decided.itertuples(index=False)
    ]
    assert _table(section, "ota-decisions") == expected


def _verb(action: str, scope: str) -> str:
    return {"cohort_paused": f"paused {scope}", "cloud_rollback": f"rolled back {scope}"}.get(
        action, f"{action.removeprefix('ota_')} the campaign")


def test_gate_finding_quotes_the_decision_and_the_exposure(
    page: str, events: pd.DataFrame, runs: tuple[Path, Path], kpis: tuple[dict, dict]
) -> None:
    gates = events[events["event"].isin(["ota_paused", "ota_cohort_paused", "ota_aborted",
                                         "ota_cloud_rollback"])]
    on_defect = gates["channel"].isin(["", "hw3"])
    assert on_defect.any(), "the default staged rollout should stop hw3 in this scenario"
    stop = gates[on_defect].iloc[0]
    day = int(stop["time_d"])
    hw = pd.read_parquet(runs[0] / "fleet_state.parquet").set_index("vehicle")["hw_config"]
    installs = events[(events["event"] == "ota_installed") & (events["cause"] == RELEASE)]
    by_then = int((hw.reindex(installs.loc[installs["time_d"] < day, "vehicle"]) == "hw3").sum())
    errors, sample, over = re.search(r"(\d+) errors / ([\d.]+) (executed|matured)",
                                     stop["outcome"]).groups()
    results = "results" if over == "executed" else "matured results"
    verb = _verb(stop["event"].removeprefix("ota_"), stop["channel"])
    text = html.unescape(page)
    assert (f"{RELEASE}: the server {verb} on day {day} after {errors} error"
            f"{'' if errors == '1' else 's'} in {round(float(sample)):,} {results}") in text
    exposed = kpis[0]["ota_vehicles_exposed_to_defect"]
    tail = "" if exposed == by_then else f", {exposed:,} by the end of the run"
    assert f"; {by_then:,} hw3 vehicles had installed its latent defect by then (" in text
    assert f"of the 3,000 targets){tail}." in text
    # A pause of a hw config without the defect is named as a false alarm.
    for row in gates[~on_defect].head(1).itertuples(index=False):
        assert (f"It had also paused {row.channel} on day {int(row.time_d)} after ") in text
        assert ", a hw config without the defect." in text


def test_service_load_and_baseline_table(section: str, kpis: tuple[dict, dict]) -> None:
    jobs = kpis[0]["ota_service_jobs"]
    if jobs:
        assert f"stacked by cause: {jobs:,} in all." in section
    rows = {r[0]: r[1:] for r in _table(section, "ota-baseline")}
    staged, big_bang = kpis
    exposed = rows["Vehicles exposed to a latent defect"]
    assert exposed[:2] == [f"{staged['ota_vehicles_exposed_to_defect']:,}",
                           f"{big_bang['ota_vehicles_exposed_to_defect']:,}"]
    days = rows["Days to 95 % installed (slowest release)"]

    def fmt_days(value: float | None) -> str:
        return "not reached" if value is None else f"{round(value):,}"

    assert days[:2] == [fmt_days(staged["ota_days_to_95pct"]),
                        fmt_days(big_bang["ota_days_to_95pct"])]
    assert rows["Service jobs caused by OTA"][:2] == [f"{staged['ota_service_jobs']:,}",
                                                      f"{big_bang['ota_service_jobs']:,}"]
    assert "This run: staged. The baseline: big_bang." in html.unescape(section)
    assert 'class="warning"' not in section    # same seed, fleet and horizon: paired


def test_no_data_check_fires(page: str) -> None:
    start = page.index('<section id="findings">')
    findings = page[start : page.index("</section>", start)]
    assert "Data check: ota_" not in findings
    assert f"{RELEASE}: the server " in html.unescape(findings)
    # ... and the section has a curve with the decisions drawn.
    assert re.search(r'alt="Adoption of fix_2026_12"', page)
