"""Payback of the levers that cost money, from an experiment's paired differences.

A lever's spend and gain come from two economics KPIs of each run
(:mod:`sim.service.economics`): ``academy_spend_per_month`` (trainees x their cost)
and ``service_profit_per_month`` (revenue less every cost of the line, the academy
included). Against the baseline, on common random numbers:

- extra spend = paired mean difference of ``academy_spend_per_month``;
- gain = paired mean difference of the profit *before* that spend
  (``service_profit_per_month + academy_spend_per_month``): what the lever returns
  through more first-time fixes, fewer departures and vacant vans, more visits;
- payback = the spend over the run (extra spend x the run's months) / the gain a
  month; NaN when the lever does not earn (gain <= 0).

A paired mean of a sum is the sum of the paired means, so the summary table's
``diff_mean`` column is enough.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.clock import DAYS_PER_YEAR

SPEND, PROFIT = "academy_spend_per_month", "service_profit_per_month"
MONTHS_PER_YEAR = 12.0


def _value(summary: pd.DataFrame, variant: str, kpi: str, column: str) -> float:
    row = summary[(summary["variant"] == variant) & (summary["kpi"] == kpi)]
    return float(row[column].iloc[0]) if len(row) else math.nan


def payback_rows(summary: pd.DataFrame, baseline: str) -> list[dict[str, Any]]:
    """One row per variant that spends more on the academy than the baseline.

    Args:
        summary: :func:`experiments.stats.summarize` output (``variant``, ``kpi``,
            ``mean``, ``diff_mean``), with the two KPIs above and ``horizon_days``.
        baseline: the baseline variant.

    Returns:
        Dicts with ``variant``, ``extra_spend_per_month``, ``gain_per_month``,
        ``spend_over_run``, ``payback_months`` (see module), in the summary's order.
    """
    if not {SPEND, PROFIT} <= set(summary["kpi"]):
        return []
    out = []
    for variant in dict.fromkeys(summary["variant"]):
        if variant == baseline:
            continue
        extra = _value(summary, variant, SPEND, "diff_mean")
        if not extra > 0:
            continue
        gain = extra + _value(summary, variant, PROFIT, "diff_mean")
        months = _value(summary, variant, "horizon_days", "mean") / DAYS_PER_YEAR * MONTHS_PER_YEAR
        spend = extra * months
        out.append({"variant": variant, "extra_spend_per_month": extra,
                    "gain_per_month": gain, "spend_over_run": spend,
                    "payback_months": spend / gain if gain > 0 else math.nan})
    return out
