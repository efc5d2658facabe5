"""The run report's "Seeds vs this run" service table as validation checks (deliverable 3).

The rows, their seed figures, sources and bands are the service-day table's own
(:func:`reports.serviceday.seeds.seed_rows`, targets in :mod:`reports.serviceday.targets`):
one check per row the table judges, passing where the table marks the row in band. Rows the
table shows for context only are left out.

Each row is judged on the default run, except the rows in :data:`BUSY_CITY_ROWS`: seed
001:227's productive hours per van-day ("less empty driving") are a figure of a network as
dense as the seed's, Tesla's tier-1 cities. They are judged on the default scenario's service
run on seed 001's busy tier-1 city (:func:`experiments.validate.runner.busy_city_config`:
20 000 cars in one tier-1 city, 90 days) by :func:`busy_city_checks`. The default's own 10 000
cars are spread over three cities, ~3 500 in a tier-1 disc of 30 km: its vans are as full, but
their legs are 1.5 times as long (16.4 road km per job against 10.8), so a van day holds ~4
jobs of 1.4 h hands-on, 5.6 h (README, "`fleetsim-validate` and the battery reference").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from experiments.validate.checks import Check
from reports.page.findings import kpi_value
from reports.serviceday.seeds import seed_rows

#: Rows judged on the busy city rather than the default scenario (see the module's doc).
BUSY_CITY_ROWS = ("technician_productive_hours_per_day",)


def seed_checks(kpis: Mapping[str, Any], cfg: Any) -> list[Check]:
    """One check per judged row of the seeds table for the default run's KPIs and config
    (the :data:`BUSY_CITY_ROWS` left to :func:`busy_city_checks`)."""
    return _checks(kpis, cfg, "default scenario", lambda key: key not in BUSY_CITY_ROWS)


def busy_city_checks(kpis: Mapping[str, Any], cfg: Any) -> list[Check]:
    """The :data:`BUSY_CITY_ROWS` of the seeds table on the busy city's run."""
    return _checks(kpis, cfg, "default service on seed 001's busy tier-1 city, 20 000 cars",
                   lambda key: key in BUSY_CITY_ROWS)


def _checks(kpis: Mapping[str, Any], cfg: Any, scenario: str,
            keep: Callable[[str], bool]) -> list[Check]:
    dispatch = str(cfg.service.dispatch) if "service" in cfg else None
    brand = str(cfg.demand.brand) if "demand" in cfg else None
    checks = []
    for row in seed_rows(kpis, dispatch, brand):
        value = kpi_value(kpis, row.key)
        if row.band is None or value is None or not keep(row.key):
            continue
        low, high = row.band
        checks.append(Check(
            name=f"seeds_{row.key}", title=f"{row.label} vs the seeds ({scenario})",
            figure=round(float(value), 5), unit=row.key, reference=row.seed,
            band=(float(low), float(high)), source=row.source,
            detail={"mark": row.mark, "dispatch": dispatch, "brand": brand, "scenario": scenario,
                    "table": "run report, service day, 'Seeds vs this run'"},
            plot={"kind": "band", "value": float(value), "band": [float(low), float(high)],
                  "x_label": row.label}))
    return checks
