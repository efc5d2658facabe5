"""Findings on service quality and cost, compared with published field-service figures.

Rules read the service KPIs of kpis.json; when the event log gives a
:class:`~reports.service.view.ServiceView`, they add sample sizes and exact
confidence intervals, and the log is used to cross-check the KPIs. A KPI file
without the service-network keys gives no findings here.
"""

from __future__ import annotations

import math

import pandas as pd

from reports.page.findings import Finding, Kpis, Level, band_verdict, kpi_value
from reports.page.formatting import fmt_hours, fmt_int, fmt_num, fmt_pct, fmt_share
from reports.page.intervals import binomial_ci
from reports.page.targets import Benchmark
from reports.service import targets
from reports.service.view import ServiceView
from reports.service.waits import WaitStats

_FEW = 20
# Rates recomputed from the log agree with kpis.json to rounding; beyond this they disagree.
_CHECK_TOLERANCE = 0.005


def _ci_text(counts: tuple[int, int] | None, unit: str) -> tuple[str, float | None]:
    """Return ``" (95 % CI a–b, n unit)"`` and the upper bound, or ``("", None)``."""
    if counts is None or counts[1] <= 0:
        return "", None
    low, high = binomial_ci(*counts)
    return f" (95 % CI {_span(low, high)}, {fmt_int(counts[1])} {unit})", high


def _span(low: float, high: float) -> str:
    """An interval of fractions as ``"75.2–79.8 %"``: one decimal, so a bound at 79.8 % never
    reads as the 80 % it is compared with."""
    return f"{low * 100:.1f}–{high * 100:.1f} %"


def _against_tiers(
    lead: str,
    value: float,
    bench: Benchmark,
    counts: tuple[int, int] | None = None,
    unit: str = "",
    tail: str = "",
) -> Finding:
    """Place a rate among the published tiers; off target only when clearly below average."""
    ci, high = _ci_text(counts, unit)
    level: Level
    if value >= bench.best:
        position, level = "at or above best-in-class", "ok"
    elif value >= bench.average:
        position, level = "above the average, below best-in-class", "ok"
    elif high is not None and high >= bench.average:
        position, level = "below the average, but within the uncertainty of this run", "info"
    elif bench.laggard is not None and value <= bench.laggard:
        position, level = "at or below the laggards", "watch"
    else:
        position, level = "below the average", "watch"
    few = " Few cases: the rate is uncertain." if counts and 0 < counts[1] < _FEW else ""
    return Finding(
        f"{lead} {fmt_pct(value)}{ci}: {position} ({bench.source}: {bench.tiers_text()}).{few}"
        f"{tail}",
        level,
    )


def load(kpis: Kpis) -> Finding | None:
    """Technician utilization and waits, with a queueing reading of the load."""
    util = kpi_value(kpis, "technician_utilization")
    mean_w, p90_w = kpi_value(kpis, "mean_wait_h"), kpi_value(kpis, "p90_wait_h")
    if util is None and mean_w is None:
        return None
    text = (
        f"Technician utilization {fmt_pct(util, 0)}; mean wait {fmt_hours(mean_w)}, "
        f"p90 wait {fmt_hours(p90_w)}."
    )
    if util is None:
        return Finding(text, "info")
    if util >= targets.UTILIZATION_HIGH:
        return Finding(
            text + " Technicians are near saturation: a little more load will lengthen "
            "waits sharply.",
            "watch",
        )
    if util < targets.UTILIZATION_LOW:
        return Finding(text + " There is spare technician capacity.", "info")
    return Finding(text + " Load and capacity are balanced.", "ok")


def backlog(kpis: Kpis, daily: pd.DataFrame | None) -> Finding | None:
    """Jobs still open at the end and whether the backlog grew over the run."""
    jobs, open_end = kpi_value(kpis, "service_jobs"), kpi_value(kpis, "service_jobs_open_end")
    if not jobs or open_end is None:
        return None
    text = (
        f"{fmt_int(open_end)} of {fmt_int(jobs)} service jobs ({fmt_share(open_end / jobs)}) "
        "were still open at the end of the run."
    )
    if daily is None or "jobs_open" not in daily.columns or len(daily) < 14:
        return Finding(text, "info")
    first, last = daily["jobs_open"].head(7).mean(), daily["jobs_open"].tail(7).mean()
    if last > 1.5 * first and last - first >= 3:
        return Finding(
            text + f" The backlog grew from {fmt_num(first, 1)} (first week, mean) to "
            f"{fmt_num(last, 1)} (last week): demand exceeds capacity.",
            "watch",
        )
    return Finding(text + f" The backlog stayed level (last week mean {fmt_num(last, 1)}).", "ok")


def first_time_fix(kpis: Kpis, view: ServiceView | None = None) -> Finding | None:
    """First-time fix rate against the Aberdeen tiers."""
    ftf = kpi_value(kpis, "first_time_fix_rate")
    if ftf is None:
        return None
    revisits = kpi_value(kpis, "revisits")
    tail = f" {fmt_int(revisits)} return visits were needed." if revisits is not None else ""
    counts = view.first_time_fix() if view is not None else None
    return _against_tiers(
        "First-time fix", ftf, targets.FIRST_TIME_FIX, counts, "jobs fixed with a visit", tail
    )


def on_time_arrival(kpis: Kpis, view: ServiceView | None = None) -> Finding | None:
    """Booked mobile visits arriving within their window, against response compliance."""
    rate = kpi_value(kpis, "on_time_arrival_rate")
    if rate is None:
        return None
    counts = (view.booked_on_time, view.booked_visits) if view is not None else None
    return _against_tiers(
        "On-time arrival of booked mobile visits",
        rate,
        targets.RESPONSE_COMPLIANCE,
        counts,
        "visits",
    )


def rescue_within_target(kpis: Kpis, view: ServiceView | None = None) -> Finding | None:
    """Roadside rescues reached within the tier's response target, against compliance."""
    rate = kpi_value(kpis, "rescue_within_target_rate")
    if rate is None:
        return None
    counts = view.rescue_within_target() if view is not None else None
    return _against_tiers(
        "Roadside rescues reached within the response target",
        rate,
        targets.RESPONSE_COMPLIANCE,
        counts,
        "rescues",
    )


def mobile_share(kpis: Kpis, view: ServiceView | None = None) -> Finding | None:
    """Share of visited jobs served by mobile vans, beside seed 001 and J.D. Power China."""
    share = kpi_value(kpis, "mobile_share")
    if share is None:
        return None
    seed, owners = targets.MOBILE_SHARE_OF_DEMAND, targets.MOBILE_SERVICE_OWNERS_CHINA
    low = high = share
    counted = ""
    if view is not None:
        mobile = int((view.jobs["channel"] == "mobile").sum())
        visited = int(view.jobs["channel"].isin(["mobile", "center", "body"]).sum())
        if visited:
            low, high = binomial_ci(mobile, visited)
            counted = f" ({fmt_int(mobile)} of {fmt_int(visited)})"
    position, _ = band_verdict(low, high, seed)
    return Finding(
        f"Mobile vans served {fmt_pct(share, 0)} of the jobs that needed a visit{counted}, "
        f"{position} the ~{seed.band_text(0, 100, ' %')} of demand planned as mobile work "
        f"({seed.source}). For comparison, {fmt_num(owners.low * 100, 1)} % of NEV owners "
        f"used mobile on-site service ({owners.source}; a share of owners, not of jobs).",
        "info",
    )


def remote_resolution(kpis: Kpis, view: ServiceView | None = None) -> Finding | None:
    """Jobs fixed by remote diagnosis; software faults against seed 003 when the log allows."""
    rate = kpi_value(kpis, "remote_resolution_rate")
    if rate is None:
        return None
    ref = targets.SOFTWARE_REMOTE_FIX
    jobs = kpi_value(kpis, "service_jobs")
    of_jobs = f" ({fmt_int(rate * jobs)} of {fmt_int(jobs)})" if jobs else ""
    text = f"Remote diagnosis fixed {fmt_pct(rate, 0)} of all jobs{of_jobs} without a visit."
    software = None
    if view is not None:
        # Software jobs still in remote diagnosis at the end have no result yet.
        software = view.jobs[(view.jobs["component"] == "software") & (view.jobs["channel"] != "")]
    if software is None or software.empty:
        return Finding(
            text + f" ({ref.source}: {ref.band_text(0, 100, ' %')} of software faults "
            "can be fixed remotely.)",
            "info",
        )
    fixed = int((software["outcome"] == "remote_fixed").sum())
    low, high = binomial_ci(fixed, len(software))
    position, level = band_verdict(low, high, ref)
    few = " Few software faults: the share is uncertain." if len(software) < _FEW else ""
    return Finding(
        text + f" Software faults: {fmt_pct(fixed / len(software))} fixed remotely "
        f"(95 % CI {_span(low, high)}, {fmt_int(len(software))} jobs), "
        f"{position} {ref.source} ({ref.band_text(0, 100, ' %')}).{few}",
        level,
    )


def van_productivity(kpis: Kpis) -> Finding | None:
    """Mobile visits per van and working day against the seeds' 3-5."""
    per_day = kpi_value(kpis, "jobs_per_technician_day")
    if per_day is None:
        return None
    ref, vendor = targets.JOBS_PER_VAN_DAY, targets.JOBS_PER_VAN_DAY_VENDOR
    position, level = band_verdict(per_day, per_day, ref)
    util = kpi_value(kpis, "technician_utilization")
    busy = f"; vans were busy {fmt_pct(util, 0)} of their shift hours" if util is not None else ""
    reading = {
        "below": " Vans have spare capacity (or travel long distances).",
        "above": " Vans are stretched: waits will grow with more demand.",
    }.get(position, "")
    return Finding(
        f"Mobile vans did {fmt_num(per_day, 1)} visits per working day, {position} the "
        f"{ref.source}' {ref.band_text(0)} ({vendor.source}: {vendor.band_text(0)}){busy}."
        f"{reading}",
        level,
    )


def parts_and_tows(kpis: Kpis) -> Finding | None:
    """Jobs delayed by missing parts, and cars towed."""
    stockouts, tows = kpi_value(kpis, "parts_stockouts"), kpi_value(kpis, "tows")
    if stockouts is None and tows is None:
        return None
    parts = []
    if stockouts is not None:
        jobs = kpi_value(kpis, "service_jobs")
        share = f" ({fmt_share(stockouts / jobs)} of jobs)" if jobs else ""
        parts.append(f"{fmt_int(stockouts)} jobs waited for a part delivery{share}")
    if tows is not None:
        parts.append(f"{fmt_int(tows)} cars were towed")
    text = "; ".join(parts)
    return Finding(text[:1].upper() + text[1:] + ".", "info")


def service_findings(kpis: Kpis, daily: pd.DataFrame | None = None,
                     view: ServiceView | None = None) -> list[Finding]:
    """All service findings that the inputs allow, in reading order: load, backlog, quality.

    Args:
        kpis: KPI name -> value.
        daily: The daily table, for the backlog trend; optional.
        view: Per-job service facts from the event log; optional.

    Returns:
        Findings, possibly none.
    """
    found = [
        load(kpis),
        backlog(kpis, daily),
        first_time_fix(kpis, view),
        on_time_arrival(kpis, view),
        rescue_within_target(kpis, view),
        mobile_share(kpis, view),
        remote_resolution(kpis, view),
        van_productivity(kpis),
        parts_and_tows(kpis),
    ]
    return [f for f in found if f is not None]


def _ratio(counts: tuple[int, int]) -> float:
    return counts[0] / counts[1] if counts[1] else math.nan


def service_checks(kpis: Kpis, view: ServiceView | None,
                   waits: WaitStats | None = None) -> list[Finding]:
    """Data checks: kpis.json's service KPIs against the event log."""
    return wait_check(kpis, waits) + service_data_checks(kpis, view)


def service_data_checks(kpis: Kpis, view: ServiceView | None) -> list[Finding]:
    """Flag service KPIs that disagree with the same rate recomputed from the event log.

    Args:
        kpis: KPI name -> value.
        view: Per-job service facts from the event log; without it nothing is checked.

    Returns:
        One ``check`` finding per disagreeing KPI.
    """
    if view is None:
        return []
    from_log = {
        "mobile_share": view.channel_share("mobile"),
        "remote_resolution_rate": view.remote_share(),
        "first_time_fix_rate": _ratio(view.first_time_fix()),
        "on_time_arrival_rate": _ratio((view.booked_on_time, view.booked_visits)),
        "rescue_within_target_rate": _ratio(view.rescue_within_target()),
    }
    out = []
    for key, logged in from_log.items():
        reported = kpi_value(kpis, key)
        if reported is None or math.isnan(logged):
            continue
        if abs(reported - logged) > _CHECK_TOLERANCE:
            out.append(
                Finding(
                    f"Data check: {key} is {fmt_pct(reported)} in kpis.json but "
                    f"{fmt_pct(logged)} from the event log.",
                    "check",
                )
            )
    return out


def wait_check(kpis: Kpis, waits: WaitStats | None) -> list[Finding]:
    """Data check: the mean wait from the event log against kpis.json's."""
    kpi_mean = kpi_value(kpis, "mean_wait_h")
    if waits is None or not waits.n_jobs or kpi_mean is None:
        return []
    if abs(waits.mean_h - kpi_mean) <= 0.01 * abs(kpi_mean) + 0.01:
        return []
    return [Finding(f"Data check: mean wait from the event log is {fmt_hours(waits.mean_h, 2)}, "
                    f"but kpis.json reports {fmt_hours(kpi_mean, 2)}.", "check")]
