"""The report's answer first: a title from the scenario and a short executive summary.

The summary is three to five sentences built from the KPIs and the findings: the
state of the fleet, the state of the service, what needs attention (the WATCH
findings, which the page also lists first) and what to do about it. Each "what to
do" sentence follows from a named KPI crossing a named level, so the advice is
traceable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports.page.findings import Finding, Kpis, kpi_value
from reports.page.formatting import fmt_hours, fmt_int, fmt_num, fmt_pct

#: Levels behind the advice; assumptions of a service planner, named in the sentence.
UTILIZATION_HIGH = 0.85         # above ~85 % busy, queues grow fast (the utilization tile's note)
P90_WAIT_HIGH_H = 72.0          # 9 in 10 jobs assigned within 3 days
RESCUE_ON_TIME_LOW = 0.8        # rescues within their target
MARGIN_LOW = 0.0                # the line loses money
ORDER = {"watch": 0, "check": 1, "ok": 2, "info": 3}


def title(run: Mapping[str, Any], fallback: str) -> str:
    """``fleetsim — <experiment or "default scenario"> (overrides)``; ``fallback`` names the
    run dir when run.json is missing."""
    overrides = [str(o) for o in run.get("overrides") or []
                 if not str(o).startswith(("output.", "hydra."))]
    if not run:
        return f"Fleet simulation report — {fallback}"
    name = next((o.split("=", 1)[1] for o in overrides if o.startswith("experiment=")),
                "default scenario")
    rest = [o for o in overrides if not o.startswith("experiment=")]
    return f"fleetsim — {name}" + (f" ({', '.join(rest)})" if rest else "")


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """WATCH first, then data checks, then the rest (stable within a level)."""
    return sorted(findings, key=lambda f: ORDER.get(f.level, 9))


def _advice(kpis: Kpis) -> list[str]:
    out = []
    util, p90 = kpi_value(kpis, "technician_utilization"), kpi_value(kpis, "p90_wait_h")
    if (util is not None and util > UTILIZATION_HIGH) or (
            p90 is not None and p90 > P90_WAIT_HIGH_H):
        out.append("Add service capacity: vans are "
                   f"{fmt_pct(util, 0) if util is not None else 'n/a'} busy and 9 in 10 jobs "
                   f"wait up to {fmt_hours(p90) if p90 is not None else 'n/a'} (levels "
                   f"{fmt_pct(UTILIZATION_HIGH, 0)} and {fmt_hours(P90_WAIT_HIGH_H)}); "
                   "`service.mobile.sizing=auto` finds the fewest vans and bays for a target.")
    rescue = kpi_value(kpis, "rescue_within_target_rate")
    if rescue is not None and rescue < RESCUE_ON_TIME_LOW:
        out.append(f"Only {fmt_pct(rescue, 0)} of roadside rescues arrive within target: "
                   "more tow trucks or vans on call in the regions that miss.")
    margin = kpi_value(kpis, "service_margin")
    if margin is not None and margin < MARGIN_LOW:
        out.append(f"The service line loses money (margin {fmt_pct(margin, 0)}): idle shift "
                   "hours are paid, so fewer vans or more work per van.")
    return out


def summary(kpis: Kpis, findings: Sequence[Finding]) -> list[str]:
    """Three to five sentences: fleet, service, attention, action (see module)."""
    out = []
    breakdowns = kpi_value(kpis, "breakdowns_per_1000_vehicle_years")
    soh = kpi_value(kpis, "battery_soh_mean_end")
    if breakdowns is not None:
        fleet = f"The fleet had {fmt_num(breakdowns)} roadside breakdowns per 1,000 vehicle-years"
        if soh is not None:
            fleet += f" and ends with {fmt_pct(soh)} battery health on average"
        out.append(fleet + ".")
    jobs, wait = kpi_value(kpis, "service_jobs"), kpi_value(kpis, "mean_wait_h")
    if jobs is not None and wait is not None:
        service = (f"The service network handled {fmt_int(jobs)} jobs with a mean wait of "
                   f"{fmt_hours(wait)}")
        cost = kpi_value(kpis, "service_cost_total")
        if cost is not None:
            service += f" at a cost of {fmt_int(cost)} CNY"
        out.append(service + ".")
    watch = [f for f in findings if f.level == "watch"]
    checks = [f for f in findings if f.level == "check"]
    if watch:
        # A finding that needs a decision of its own (a stalled OTA campaign) has its own
        # sentence (the first such one, so the advice still fits in five sentences).
        own = [f.summary for f in watch if f.summary][:1]
        rest = [f for f in watch if not f.summary]
        n = f"{len(watch)} findings are" if len(watch) > 1 else "1 finding is"
        first = (f", the first: {rest[0].text.split('. ')[0].rstrip('.')}" if rest and not own
                 else "")
        out.append(f"Needs attention: {n} off target (listed first below){first}.")
        out.extend(own)
    else:
        out.append("No finding is off its target.")
    if checks:
        out.append(f"{len(checks)} data check(s) failed: the result files disagree; "
                   "read them before acting.")
    advice = _advice(kpis)
    out.extend(advice[: max(0, 5 - len(out))])
    return out[:5]
