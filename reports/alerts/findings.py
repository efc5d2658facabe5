"""Findings and tiles on predictive-alert quality, against the seed 002 targets.

Rates come from kpis.json; the scored event log (:class:`~reports.alerts.AlertView`)
adds the counts behind them, exact confidence intervals, and cross-checks.
Each rule returns ``None`` when its inputs are missing.
"""

from __future__ import annotations

import math

from reports.alerts import targets
from reports.alerts.view import AlertView, QualityRow
from reports.page.components import label
from reports.page.findings import Finding, Kpis, Level, kpi_value, lower_first
from reports.page.formatting import fmt_int, fmt_num, fmt_pct, is_missing
from reports.page.intervals import binomial_ci
from reports.page.targets import Target
from reports.page.tiles import Tile, kpi_label

_CHECK_TOLERANCE = 0.005
_LEVEL_RANK: dict[Level, int] = {"ok": 0, "info": 1, "watch": 2, "check": 3}


def fmt_rate(value: float | None) -> str:
    """Format alerts per vehicle-month so that small rates keep two significant digits."""
    if is_missing(value):
        return "n/a"
    return fmt_num(value, 2) if abs(value) >= 0.1 or value == 0 else f"{value:.2g}"


def target_text(target: Target, value: float | None, percent: bool = True) -> str:
    """Say whether a value passes its target, e.g. ``"seed 002 target > 85 %: met"``."""
    bound = target.text(100, " %") if percent else target.text()
    if is_missing(value):
        return f"{target.source} target {bound}: nothing to score"
    return f"{target.source} target {bound}: {'met' if target.met(value) else 'missed'}"


def _tile_level(target: Target, value: float | None) -> str:
    if is_missing(value):
        return ""
    return "ok" if target.met(value) else "watch"


def alert_tiles(kpis: Kpis) -> list[Tile]:
    """Tiles for the alert KPIs present, each compared with its seed target where one exists.

    Args:
        kpis: KPI name -> value.

    Returns:
        Tiles in reading order; empty for a run without alert KPIs.
    """
    # Shares keep one decimal: 84.6 % must not read as the 85 % it is compared with.
    pct = fmt_pct
    specs = (
        ("alert_precision", pct, targets.ALERT_PRECISION,
         "Alerts followed by a failure of that component within their window"),
        ("alert_recall", pct, None,
         "Failures the detectors target that an alert predicted at least a day ahead"),
        ("owner_response_rate", pct, targets.OWNER_RESPONSE,
         "Alerts the owner acted on by booking the preventive repair"),
        ("breakdowns_avoided_share", pct, targets.BREAKDOWNS_AVOIDED,
         "Of the failures an alert warned of (any severity), the share the repair prevented"),
        ("alerts_per_vehicle_month", fmt_rate,
         targets.ALERTS_PER_VEHICLE_MONTH, "Alert volume averaged over the fleet and the run"),
    )
    tiles = []
    for key, fmt, target, meaning in specs:
        if key not in kpis:
            continue
        value = kpis[key]
        if target is None:
            text = f"{meaning}. No seed target (seed 002: better to miss than to false-alarm)."
            tiles.append(Tile(key, kpi_label(key), fmt(value), text))
            continue
        verdict = target_text(target, value, percent=key != "alerts_per_vehicle_month")
        text = f"{meaning}. {verdict[:1].upper()}{verdict[1:]}."
        tiles.append(Tile(key, kpi_label(key), fmt(value), text, _tile_level(target, value)))
    return tiles


def _verdict(target: Target, hits: int, total: int, unit: str) -> tuple[str, Level]:
    """Compare a proportion with a target, allowing for the uncertainty of its count.

    Returns e.g. ``"meets the seed 002 bar of > 85 % (95 % CI 84.1–88.7 % over 895 alerts,
    reaching below the bar)"`` and the finding level.
    """
    value = hits / total
    low, high = binomial_ci(hits, total)
    ci = f"95 % CI {low * 100:.1f}–{high * 100:.1f} % over {fmt_int(total)} {unit}"
    bound = f"the {target.source} bar of {target.text(100, ' %')}"
    if target.met(value):
        clear = low > target.bound if target.above else high < target.bound
        side = "below" if target.above else "above"
        return f"meets {bound} ({ci}" + ("" if clear else f", reaching {side} the bar") + ")", "ok"
    reachable = high > target.bound if target.above else low < target.bound
    if reachable:
        return f"misses {bound} ({ci}, within the uncertainty of this run)", "info"
    return f"misses {bound} ({ci})", "watch"


def _worst(*levels: Level) -> Level:
    return max(levels, key=_LEVEL_RANK.__getitem__)


def prevention(view: AlertView) -> Finding | None:
    """Failures the alerts prevented and the precision they did it at."""
    alerts = len(view.alerts)
    if alerts == 0:
        return Finding("No predictive alert was raised in this run.", "info")
    scored = view.n_scored
    if scored == 0:
        return Finding(f"Every one of the {fmt_int(alerts)} alerts is censored: their windows "
                       "were still open when the run ended, so their precision is unknown.",
                       "info")
    precision = view.n_true / scored
    p_verdict, p_level = _verdict(targets.ALERT_PRECISION, view.n_true, scored, "alerts")
    warned = view.prevented + view.alerted_failures
    if warned == 0:
        return Finding(
            f"No failure an alert warned of happened or was prevented; precision "
            f"{fmt_pct(precision)} {p_verdict}.",
            p_level,
        )
    a_verdict, a_level = _verdict(
        targets.BREAKDOWNS_AVOIDED, view.prevented, warned, "alerted failures"
    )
    return Finding(
        f"Alerts prevented {fmt_int(view.prevented)} failures "
        f"({fmt_pct(view.prevented / warned)} of the {fmt_int(warned)} they warned of) at "
        f"precision {fmt_pct(precision)}. Prevention {a_verdict}; precision {p_verdict}.",
        _worst(a_level, p_level),
    )


def response_and_volume(kpis: Kpis, view: AlertView) -> Finding | None:
    """Owner response and alert volume, the two fatigue targets of seed 002."""
    alerts = len(view.alerts)
    per_month = kpi_value(kpis, "alerts_per_vehicle_month")
    if alerts == 0 or per_month is None:
        return None
    r_verdict, r_level = _verdict(targets.OWNER_RESPONSE, view.n_accepted, alerts, "alerts")
    cap = targets.ALERTS_PER_VEHICLE_MONTH
    v_level: Level = "ok" if cap.met(per_month) else "watch"
    v_verdict = f"{'within' if cap.met(per_month) else 'above'} the {cap.source} limit {cap.text()}"
    return Finding(
        f"Owners acted on {fmt_pct(view.n_accepted / alerts)} of the alerts "
        f"({fmt_int(view.n_accepted)}), which {r_verdict}; the fleet got "
        f"{fmt_rate(per_month)} alerts per vehicle-month, {v_verdict}.",
        _worst(r_level, v_level),
    )


def _name(row: QualityRow) -> str:
    return f"{row.key} alerts" if row.group == "level" else lower_first(label(row.key))


def weak_groups(rows: list[QualityRow]) -> Finding | None:
    """Levels and components whose precision is below the seed's bar."""
    bar = targets.ALERT_PRECISION
    weak = [r for r in rows
            if r.group != "all" and r.alerts > r.censored and not bar.met(r.precision)]
    if not weak:
        return None
    clear = [r for r in weak if binomial_ci(r.true, r.alerts - r.censored)[1] <= bar.bound]
    parts = [
        f"{_name(r)} {fmt_pct(r.precision)} ({fmt_int(r.true)} of "
        f"{fmt_int(r.alerts - r.censored)})"
        for r in sorted(weak, key=lambda r: r.precision)
    ]
    tail = "" if clear else " Each is within the uncertainty of its few alerts."
    return Finding(
        f"Precision below the {bar.source} bar of {bar.text(100, ' %')}: {'; '.join(parts)}.{tail}",
        "watch" if clear else "info",
    )


def recall(kpis: Kpis, rows: list[QualityRow]) -> Finding | None:
    """How many of the targeted failures were predicted, and how early."""
    value = kpi_value(kpis, "alert_recall")
    if value is None:
        return None
    lead = kpi_value(kpis, "alert_median_lead_days")
    early = f", with a median warning of {fmt_num(lead, 1)} days" if lead is not None else ""
    comps = [r for r in rows if r.group == "component" and r.recall is not None]
    lowest = ""
    if len(comps) > 1:
        low = min(comps, key=lambda r: (r.recall, r.key))
        lowest = f" Lowest: {lower_first(label(low.key))} ({fmt_pct(low.recall, 0)})."
    return Finding(
        f"Alerts predicted {fmt_pct(value)} of the failures their detectors target{early} "
        f"(no seed target: seed 002 prefers a miss to a false alarm).{lowest}",
        "info",
    )


def alert_data_checks(kpis: Kpis, view: AlertView) -> list[Finding]:
    """Flag alert KPIs that disagree with the same value recomputed from the event log."""
    alerts = len(view.alerts)
    from_log = {
        "alert_precision": view.n_true / view.n_scored if view.n_scored else math.nan,
        "owner_response_rate": view.n_accepted / alerts if alerts else math.nan,
        "breakdowns_avoided_share": view.avoided_share(),
    }
    out = []
    reported = kpi_value(kpis, "alerts")
    if reported is not None and round(reported) != alerts:
        out.append(
            Finding(
                f"Data check: kpis.json counts {fmt_int(reported)} alerts but the event log "
                f"holds {fmt_int(alerts)}.",
                "check",
            )
        )
    for key, logged in from_log.items():
        value = kpi_value(kpis, key)
        if value is not None and not math.isnan(logged) and abs(value - logged) > _CHECK_TOLERANCE:
            out.append(
                Finding(
                    f"Data check: {key} is {fmt_pct(value)} in kpis.json but {fmt_pct(logged)} "
                    "from the event log.",
                    "check",
                )
            )
    return out


def alert_findings(kpis: Kpis, view: AlertView, rows: list[QualityRow]) -> list[Finding]:
    """All alert findings the inputs allow, in reading order.

    Args:
        kpis: KPI name -> value.
        view: The scored alerts of the run.
        rows: The quality table (:func:`reports.alerts.quality_rows`).

    Returns:
        Findings, data checks last.
    """
    found = [prevention(view), response_and_volume(kpis, view), weak_groups(rows)]
    found.append(recall(kpis, rows))
    return [f for f in found if f is not None] + alert_data_checks(kpis, view)
