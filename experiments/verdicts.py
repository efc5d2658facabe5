"""Verdicts of ``fleetsim-check``: is a KPI's change noise, an improvement or a regression?

Each KPI's tolerance follows from its KPI catalogue entry (``fleetsim-kpis``):

* ``run`` domain (fleet size, days): must be equal; another value means another scenario.
* ``count`` and rates of events per vehicle exposure (``1/(1000 vehicle-years)``,
  ``1/vehicle-year``, ...; turned back into counts with ``vehicle_days``): two Poisson
  counts compared by the exact conditional test (the count now out of both counts is
  binomial with p = 1/2 under "same rate"; ``scipy.stats.binomtest``), so one breakdown
  more or less out of five is noise and fifty more out of three hundred is not.
* ``fraction``: absolute points (:data:`FRACTION_POINTS`), not a share of the value: a
  1-point drop of a 94 % battery health is not "1 %".
* anything else: a relative band (:data:`REL_TOL`).

A replicated baseline (``fleetsim-check --update --replications R``) stores each KPI's
standard deviation over R seeds. A fraction or other non-count KPI built on few events (a
rescue rate over five rescues, an alert precision over a dozen alerts) is recognised by
it: its effective number of events, ``p(1-p)/sd^2`` for a fraction and ``(mean/sd)^2``
otherwise, is below :data:`FEW_EVENTS`; its band is then ``Z * sqrt(2) * sd`` (the
difference of two independent runs). KPIs over many events keep the rule's band: their
spread over seeds is mostly the fleet each seed draws, which a rerun of the same seed
keeps. A per-KPI ``tolerance`` entry in the baseline file (``abs`` + ``rel`` x
|baseline|) replaces the rule for that KPI.

A change outside its band is ``IMPROVED`` or ``REGRESSION`` by the catalogue's better
direction, ``CHANGED`` for a KPI without one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from scipy import stats

from sim.kpis.catalogue import Kpi, lookup

FRACTION_POINTS = 0.005   # half a percentage point
REL_TOL = 0.02
COUNT_ALPHA = 0.01        # two-sided level of the Poisson comparison
Z = 3.29                  # two-sided 0.1 % per KPI: ~0.15 false alarms over 150 KPIs
FEW_EVENTS = 400          # fewer effective events: the replicated noise sets the band
# Vehicle-days per unit of exposure of the catalogue's event-rate units.
EXPOSURE_DAYS = {"1/(1000 vehicle-years)": 365.25 * 1000, "1/vehicle-year": 365.25,
                 "1/(1000 vehicle-days)": 1000.0, "1/(vehicle-month)": 30.44}

OK, IMPROVED, REGRESSION, CHANGED, NEW, MISSING = (
    "ok", "IMPROVED", "REGRESSION", "CHANGED", "new", "missing")
# Table order: what fails first, then what --strict fails, then the rest.
ORDER = (REGRESSION, CHANGED, MISSING, IMPROVED, NEW, OK)
FAILING = (REGRESSION, CHANGED, MISSING)
FAILING_STRICT = (*FAILING, IMPROVED, NEW)


def _isnan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def poisson_same_rate(base: float, now: float, alpha: float = COUNT_ALPHA) -> bool:
    """True when counts ``base`` and ``now`` are consistent with one Poisson rate."""
    b, n = round(base), round(now)
    if b + n == 0:
        return True
    return stats.binomtest(n, b + n, 0.5).pvalue >= alpha


def poisson_band(base: float, alpha: float = COUNT_ALPHA) -> tuple[int, int]:
    """The counts ``now`` that :func:`poisson_same_rate` accepts next to ``base``: [lo, hi]."""
    b = round(base)
    hi_out = b + 10 * int(math.sqrt(b)) + 20      # surely outside
    lo, hi = b, hi_out
    while hi - lo > 1:                            # largest accepted count above b
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if poisson_same_rate(b, mid, alpha) else (lo, mid)
    upper = lo
    lo, hi = -1, b                                # smallest accepted count below b
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if poisson_same_rate(b, mid, alpha) else (mid, hi)
    return hi, upper


def _rule(entry: Kpi | None) -> str:
    if entry is None:
        return "rel"
    if entry.domain == "run":
        return "exact"
    if entry.unit == "count":
        return "count"
    if entry.unit in EXPOSURE_DAYS:
        return "rate"
    return "points" if entry.unit == "fraction" else "rel"


def effective_events(rule: str, b: float, sd: float | None) -> float:
    """How many events a KPI's replicated spread ``sd`` amounts to (inf: no spread known)."""
    if sd is None or not math.isfinite(sd) or sd <= 0:
        return math.inf
    if rule == "points":
        return b * (1.0 - b) / sd**2
    return (b / sd) ** 2


def _outside(name: str, b: float, n: float, entry: Kpi | None,
             explicit: Mapping[str, float] | None, sd: float | None,
             vehicle_days: float | None) -> tuple[bool, float | None, str]:
    """(outside the band, band half-width for the table, how the band was made)."""
    diff = abs(n - b)
    rule = _rule(entry)
    few = rule in ("points", "rel") and effective_events(rule, b, sd) < FEW_EVENTS
    noise = Z * math.sqrt(2.0) * sd if few else 0.0
    if explicit is not None:
        band = float(explicit.get("abs", 0.0)) + float(explicit.get("rel", 0.0)) * abs(b)
        band = max(band, noise)
        return diff > band + 1e-12, band, "set"
    if rule == "exact":
        return diff > 1e-9, 0.0, "exact"
    scale = 1.0
    if rule == "rate":
        if not vehicle_days:
            rule = "rel"
        else:
            scale = vehicle_days / EXPOSURE_DAYS[entry.unit]
    if rule in ("count", "rate"):
        lo, hi = poisson_band(b * scale)
        half = max(hi - b * scale, b * scale - lo) / scale
        return not poisson_same_rate(b * scale, n * scale), half, "Poisson"
    band = FRACTION_POINTS if rule == "points" else REL_TOL * abs(b)
    how = "points" if rule == "points" else "rel"
    if noise > band:
        band, how = noise, "noise"
    return diff > band + 1e-12, band, how


def verdict(better: str | None, b: float, n: float, outside: bool) -> str:
    """``ok`` inside the band; else IMPROVED / REGRESSION by ``better``, or CHANGED."""
    if not outside:
        return OK
    if better == "lower":
        return IMPROVED if n < b else REGRESSION
    if better == "higher":
        return IMPROVED if n > b else REGRESSION
    return CHANGED


def compare(baseline: Mapping[str, float], now: Mapping[str, float],
            tolerance: Mapping[str, Mapping[str, float]] | None = None,
            noise: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """One row per KPI, failing verdicts first (see :data:`ORDER`), the largest relative
    change first within a verdict.

    Args:
        baseline: the baseline's KPIs.
        now: this run's KPIs.
        tolerance: per-KPI ``{"abs", "rel"}`` bands that replace the catalogue's rule.
        noise: per-KPI standard deviation over the baseline's replications.

    Returns:
        Rows with ``kpi, better, baseline, now, change, rel_change, tolerance, rule,
        verdict`` (``better`` None: the catalogue does not define the KPI).
    """
    tolerance, noise = dict(tolerance or {}), dict(noise or {})
    vd = now.get("vehicle_days", baseline.get("vehicle_days"))
    rows = []
    for name in set(baseline) | set(now):
        entry = lookup(name)
        better = None if entry is None else entry.better
        b, n = baseline.get(name, "absent"), now.get(name, "absent")
        row = {"kpi": name, "better": better, "baseline": b, "now": n, "change": None,
               "rel_change": None, "tolerance": None, "rule": "", "verdict": OK}
        if b == "absent":
            row["verdict"] = NEW
        elif n == "absent":
            row["verdict"] = MISSING
        elif _isnan(b) or _isnan(n):
            row["verdict"] = OK if _isnan(b) and _isnan(n) else CHANGED
        else:
            b, n = float(b), float(n)
            outside, band, how = _outside(name, b, n, entry, tolerance.get(name),
                                          noise.get(name), vd)
            row.update(change=n - b, rel_change=(n - b) / abs(b) if b else None,
                       tolerance=band, rule=how, verdict=verdict(better, b, n, outside))
        rows.append(row)
    return sorted(rows, key=_sort_key)


def _sort_key(row: dict[str, Any]) -> tuple[int, float, str]:
    rel = row["rel_change"]
    size = abs(rel) if rel is not None else (math.inf if row["change"] else 0.0)
    return ORDER.index(row["verdict"]), -size, row["kpi"]


def failing(rows: list[dict[str, Any]], strict: bool = False) -> list[dict[str, Any]]:
    """The rows that fail the check (with ``strict``, improvements and new KPIs too)."""
    bad = FAILING_STRICT if strict else FAILING
    return [r for r in rows if r["verdict"] in bad]
