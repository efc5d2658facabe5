"""The run report's "Seeds vs this run" service table as validation checks (deliverable 3).

The rows, their seed figures, sources and bands are the service-day table's own
(:func:`reports.serviceday.seeds.seed_rows`, targets in :mod:`reports.serviceday.targets`):
one check per row the table judges, on the default run's KPIs, passing where the table
marks the row in band. Rows the table shows for context only are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from experiments.validate.checks import Check
from reports.page.findings import kpi_value
from reports.serviceday.seeds import seed_rows


def seed_checks(kpis: Mapping[str, Any], cfg: Any) -> list[Check]:
    """One check per judged row of the seeds table for a run's KPIs and config."""
    dispatch = str(cfg.service.dispatch) if "service" in cfg else None
    brand = str(cfg.demand.brand) if "demand" in cfg else None
    checks = []
    for row in seed_rows(kpis, dispatch, brand):
        value = kpi_value(kpis, row.key)
        if row.band is None or value is None:
            continue
        low, high = row.band
        checks.append(Check(
            name=f"seeds_{row.key}", title=f"{row.label} vs the seeds (default scenario)",
            figure=round(float(value), 5), unit=row.key, reference=row.seed,
            band=(float(low), float(high)), source=row.source,
            detail={"mark": row.mark, "dispatch": dispatch, "brand": brand,
                    "table": "run report, service day, 'Seeds vs this run'"},
            plot={"kind": "band", "value": float(value), "band": [float(low), float(high)],
                  "x_label": row.label}))
    return checks
