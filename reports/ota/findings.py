"""Findings and tiles on OTA campaigns: what the gates caught, adoption, problems, service load.

Each finding leads with the answer (who was stopped when, how many vehicles had
the defect by then). Counts come from the event log and the adoption columns;
the data checks compare them with kpis.json. Rules return ``None`` when their
inputs are missing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from reports.ota.counts import (
    CAUSE_LABELS,
    MODE_LABELS,
    ProblemRow,
    count_events,
    exposed_installs,
)
from reports.ota.view import GATE_ACTIONS, Release, gate_numbers, still_stopped
from reports.page.findings import Finding, Kpis, kpi_value, lower_first
from reports.page.formatting import fmt_int, fmt_num, fmt_pct, is_missing
from reports.page.tiles import Tile, kpi_label
from sim.ota.kpis import OTA_JOB_CAUSES

_CHECK_TOLERANCE = 1e-6


def fmt_days(value: float | None) -> str:
    """Days to 95 %: ``"19 d"``, or ``"not reached"`` when undefined."""
    return "not reached" if is_missing(value) else f"{fmt_int(value)} d"


def plural(n: float, word: str, many: str | None = None) -> str:
    """``"1 service job"``, ``"16 service jobs"`` (``many`` for an irregular plural)."""
    return f"{fmt_int(n)} {word if round(n) == 1 else many or word + 's'}"


def _hw_text(hw: Sequence[str]) -> str:
    return " and ".join(hw) if hw else "no hw config"


def ota_tiles(kpis: Kpis, releases: Sequence[Release], days: dict[str, float]) -> list[Tile]:
    """Tiles for the OTA KPIs present in kpis.json.

    Args:
        kpis: KPI name -> value.
        releases: The run's releases (for the defect hw configs and per-release days).
        days: Release -> days to 95 % from the adoption curve (NaN if never).
    """
    defect = sorted({h for r in releases for h in r.defect_hw})
    per_release = ""
    if len(releases) > 1:
        per_release = " Per release: " + ", ".join(
            f"{r.name} {fmt_days(days.get(r.name))}" for r in releases) + "."
    specs = (
        ("ota_days_to_95pct", fmt_days,
         "From the release day to the end of the first day with 95 % of the targets installed"
         + (" (the slowest release)." if len(releases) > 1 else ".") + per_release),
        ("ota_installed_share_end", fmt_pct,
         "Share of the targets running the release at the end of the run."),
        ("ota_vehicles_exposed_to_defect", fmt_int,
         f"Installs on a hw config where the release carries a latent defect "
         f"({_hw_text(defect)})."),
        ("ota_vehicles_bricked", fmt_int,
         "Vehicles that could not start after the update (silent brick or defect no-start)."),
        ("ota_service_jobs", fmt_int,
         "Jobs the campaigns caused: defect faults, no-start rescues and dealer flashes."),
        ("ota_data_cost", lambda v: "n/a" if is_missing(v) else f"{fmt_int(v)} CNY",
         "Download volume of the vehicles that downloaded a release, at the data price per GB."),
    )
    return [Tile(key, kpi_label(key), fmt(kpis.get(key)), meaning)
            for key, fmt, meaning in specs if key in kpis]


def _share(count: float | None, targets: float | None) -> str:
    if count is None or not targets:
        return ""
    return f" ({fmt_pct(count / targets)} of the {fmt_int(targets)} targets)"


def _gate_verb(action: str, scope: str) -> str:
    if action == "cohort_paused":
        return f"paused {scope}"
    if action == "cloud_rollback":
        return f"rolled back {scope or 'every released vehicle'}"
    return f"{action} the campaign"


def _numbers_text(reason: str) -> str:
    g = gate_numbers(reason)
    if g is None:
        return f" ({reason})" if reason else ""
    sample = f"in {plural(g.sample, 'result')}" if g.over == "executed" else (
        f"in {plural(g.sample, 'matured result')}" if g.over == "matured" else
        f"among {plural(g.sample, 'released vehicle')}")
    bar = "" if g.threshold is None else f" ≥ {fmt_pct(g.threshold, 1)}"
    if g.test:
        bar = f", {g.test}: above the acceptable rate"
    return f" after {plural(g.errors, 'error')} {sample} ({fmt_pct(g.rate)}{bar})"


def _first_gate(rows: pd.DataFrame) -> str:
    first = rows.iloc[0]
    return (f"{_gate_verb(first['action'], first['scope'])} on day {int(first['day'])}"
            f"{_numbers_text(first['reason'])}")


def gate_finding(release: Release, decided: pd.DataFrame | None, events: pd.DataFrame | None,
                 vehicle_hw: pd.Series | None, targets: float | None,
                 exposed_kpi: float | None = None) -> Finding | None:
    """What the error gate did for one release, and how far the defect had spread by then.

    The lead is the first gate decision that stopped the defect (one for the whole
    campaign, or for a hw config with the defect); a pause of a hw config without the
    defect is named as such (a false alarm).

    Args:
        release: The release.
        decided: :func:`reports.ota.decisions`.
        events: The OTA event rows.
        vehicle_hw: Hw config per vehicle, to count exposed installs before the decision.
        targets: The release's target count.
        exposed_kpi: ``ota_vehicles_exposed_to_defect``, used when the hw configs are unknown
            (only meaningful with a single release).
    """
    if decided is None or events is None:
        return None
    mine = decided[(decided["release"] == release.name) & decided["action"].isin(GATE_ACTIONS)]
    if not release.defect_hw:
        if mine.empty:
            return None
        return Finding(f"{release.name}: the server {_first_gate(mine)}; the release carried no "
                       "latent defect, so the gate reacted to install errors alone.", "info")
    end = exposed_installs(events, release, vehicle_hw)
    end = exposed_kpi if end is None else end
    hw = _hw_text(release.defect_hw)
    on_defect = (mine["scope"] == "") | mine["scope"].isin(release.defect_hw)
    stop, false_alarm = mine[on_defect], mine[~on_defect]
    also = "" if false_alarm.empty else (
        f" It had also {_first_gate(false_alarm)}, a hw config without the defect.")
    if stop.empty:
        if not end:
            return Finding(f"{release.name} carried a latent defect on {hw}, but no vehicle "
                           f"there installed it.{also}", "info")
        return Finding(
            f"No gate stopped {release.name} on {hw}: {plural(end, hw + ' vehicle')} installed "
            f"it with its latent defect{_share(end, targets)}.{also}", "watch")
    text = f"{release.name}: the server {_first_gate(stop)}"
    by_then = exposed_installs(events, release, vehicle_hw, before_day=int(stop.iloc[0]["day"]))
    if by_then is None:
        spread = "" if end is None else f"; {plural(end, hw + ' vehicle')} installed it by the end"
        return Finding(f"{text}{spread}.{also}", "watch")
    after = "" if end is None or end == by_then else f", {fmt_int(end)} by the end of the run"
    return Finding(
        f"{text}; {plural(by_then, hw + ' vehicle')} had installed its latent defect by then"
        f"{_share(by_then, targets)}{after}.{also}", "watch")


def _stopped_text(stopped: list[tuple[str, str, int]]) -> str:
    parts = [f"{what or 'the campaign'} was still {action} (since day {day})"
             for what, action, day in stopped]
    return "; " + "; ".join(parts) if parts else ""


def adoption_finding(release: Release, curve: pd.DataFrame | None, days: float,
                     decided: pd.DataFrame | None) -> Finding | None:
    """How fast a release reached 95 % of its targets, or what held it back."""
    if curve is None or curve.empty:
        return None
    last = curve.iloc[-1]
    targets, installed = float(last["targeted"]), float(last["installed"])
    share = installed / targets if targets else math.nan
    end = f"{fmt_pct(share)} ({fmt_int(installed)}) had it installed at the end"
    if not math.isnan(days):
        return Finding(
            f"{release.name} reached 95 % of its {fmt_int(targets)} targets {fmt_int(days)} "
            f"days after its release on day {release.release_day}; {end}.", "info")
    never = ""
    if "released_to_vehicle" in curve and last["released_to_vehicle"] < targets:
        never = f"; {fmt_int(targets - last['released_to_vehicle'])} targets were never released"
    return Finding(
        f"{release.name} did not reach 95 % of its {fmt_int(targets)} targets: {end}"
        f"{_stopped_text(still_stopped(decided, release.name))}{never}.", "info")


def server_view_finding(release: Release, curve: pd.DataFrame | None) -> Finding | None:
    """The day the server counted most successes beyond the vehicles running the release."""
    if curve is None or "reported_succeeded" not in curve or curve.empty:
        return None
    over = curve["reported_succeeded"] - curve["installed"]
    if over.max() <= 0:
        return None
    i = int(over.to_numpy().argmax())
    row = curve.iloc[i]
    why = []
    gates = (release.rollout or {}).get("gates") or {}
    if gates.get("success_counts_on") == "report":
        why.append("it counts a success on the vehicle's report, before the reboot that can fail")
    if row.get("reverted", 0) > 0:
        why.append(f"{fmt_int(row['reverted'])} vehicles reverted by its cloud rollback still "
                   "counted as successes")
    because = f"; {' and '.join(why)}" if why else ""
    return Finding(
        f"The server over-counted {release.name}: on day {int(row['day'])} it had "
        f"{fmt_int(row['reported_succeeded'])} reported successes for {fmt_int(row['installed'])} "
        f"vehicles running the release ({fmt_int(over.iloc[i])} too many{because}).", "watch")


def problems_finding(rows: Sequence[ProblemRow]) -> Finding:
    """Install failures by mode and rollbacks, over all releases."""
    def total(key: str) -> tuple[int, int]:
        mine = [r for r in rows if r.key == key]
        return sum(r.events for r in mine), sum(r.vehicles for r in mine)

    attempts, vehicles = total("all")
    modes = {}
    for r in rows:
        if r.group == "failures" and r.key != "all" and r.events:
            modes[r.key] = modes.get(r.key, 0) + r.events
    by_mode = ", ".join(f"{lower_first(MODE_LABELS.get(k, k))} {fmt_int(v)}"
                        for k, v in sorted(modes.items(), key=lambda kv: -kv[1]))
    ab, cloud = total("ota_rolled_back")[0], total("ota_cloud_rolled_back")[0]
    bricked, flash = total("ota_bricked")[1], total("ota_dealer_flash")[1]
    failed = (f"{plural(attempts, 'failed install attempt')} on {plural(vehicles, 'vehicle')} "
              f"({by_mode})" if attempts else "no failed install attempt")
    return Finding(
        f"Install problems: {failed}; {plural(ab, 'A/B rollback')}, "
        f"{plural(cloud, 'cloud rollback')}, {plural(bricked, 'bricked vehicle')}, "
        f"{plural(flash, 'dealer flash', 'dealer flashes')}.", "info")


def service_load_finding(per_period: pd.DataFrame | None, period: int) -> Finding | None:
    """The service jobs the campaigns caused, by cause, and the busiest period."""
    if per_period is None:
        return None
    counts = {c: int(per_period[c].sum()) for c in OTA_JOB_CAUSES if c in per_period}
    n = sum(counts.values())
    if n == 0:
        return Finding("The OTA campaigns caused no service job.", "info")
    parts = ", ".join(f"{fmt_int(v)} {CAUSE_LABELS[c]}" for c, v in counts.items() if v)
    load = per_period[list(counts)].sum(axis=1)
    i = int(load.to_numpy().argmax())
    start = int(per_period["start_d"].iloc[i])
    span = f"days {start}–{start + int(per_period['days'].iloc[i]) - 1}"
    name = "week" if period == 7 else f"{period}-day period"
    return Finding(
        f"The OTA campaigns caused {plural(n, 'service job')} ({parts}); the busiest {name}, "
        f"{span}, opened {fmt_int(load.iloc[i])}.", "info")


def _check(key: str, kpi: float | None, found: float, source: str, pct: bool = False) -> Finding:
    fmt = fmt_pct if pct else (lambda v: fmt_num(v, 0) if float(v).is_integer() else fmt_num(v))
    return Finding(f"Data check: {key} is {fmt(kpi) if kpi is not None else 'undefined'} in "
                   f"kpis.json but {fmt(found) if not math.isnan(found) else 'undefined'} "
                   f"from {source}.", "check")


def _differs(kpi: float | None, found: float) -> bool:
    if kpi is None or math.isnan(found):
        return (kpi is None) != math.isnan(found)
    return abs(kpi - found) > _CHECK_TOLERANCE * max(1.0, abs(found))


def ota_data_checks(kpis: Kpis, events: pd.DataFrame | None, jobs: pd.DataFrame | None,
                    exposed: int | None, share_end: float | None,
                    days: dict[str, float]) -> list[Finding]:
    """Flag OTA KPIs that disagree with the same value recomputed from the result files.

    Args:
        kpis: KPI name -> value.
        events: The OTA event rows (``None`` skips the log checks).
        jobs: :func:`reports.ota.ota_jobs`.
        exposed: Exposed installs from the log and fleet_state (``None``: unknown).
        share_end: Installed / targeted at the end over all releases (``None``: unknown).
        days: Release -> days to 95 % from the daily table.
    """
    found: list[tuple[str, float, str, bool]] = []
    if events is not None:
        log = "the event log"
        bricked = events[events["event"].isin(["ota_bricked", "ota_defect_no_start"])]
        found += [
            ("ota_install_failures", count_events(events, ["ota_install_failed"]), log, False),
            ("ota_rollbacks", count_events(events, ["ota_rolled_back", "ota_cloud_rolled_back"]),
             log, False),
            ("ota_campaign_paused", count_events(events, ["ota_paused", "ota_cohort_paused"]),
             log, False),
            ("ota_vehicles_bricked", bricked["vehicle"].nunique(), log, False),
        ]
    if jobs is not None:
        found.append(("ota_service_jobs", len(jobs), "the software jobs of the event log", False))
    if exposed is not None:
        found.append(("ota_vehicles_exposed_to_defect", exposed,
                      "the installs and fleet_state's hw configs", False))
    if share_end is not None:
        found.append(("ota_installed_share_end", share_end, "the daily adoption columns", True))
    for name, value in days.items():
        found.append((f"ota_days_to_95pct_{name}", value, "the daily adoption columns", False))
    return [_check(key, kpi_value(kpis, key), float(value), source, pct)
            for key, value, source, pct in found
            if key in kpis and _differs(kpi_value(kpis, key), float(value))]
