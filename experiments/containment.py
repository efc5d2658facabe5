"""Containment of a latent defect per rollout policy, from an experiment's summary table.

An experiment whose variants are named ``<policy>-d<percent>`` (for example
``staged-d05``: the ``staged`` preset with 5 % of installs defective, see
``configs/experiment/ota_containment.yaml``) sweeps the defect rate for each
policy on common random numbers. Here its mean exposure
(``ota_vehicles_exposed_to_defect``) becomes one row per policy and defect
rate, with the share of what ``big_bang`` exposes at the same rate.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

EXPOSED = "ota_vehicles_exposed_to_defect"
REFERENCE = "big_bang"
VARIANT = re.compile(r"^(?P<policy>.+)-d(?P<pct>\d+)$")


def containment_rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows ``policy, defect_pct, exposed, ci_low, ci_high, share_of_big_bang`` (may be empty).

    Args:
        summary: as returned by :func:`experiments.stats.summarize`.
    """
    rows = summary[summary["kpi"] == EXPOSED]
    out = []
    for r in rows.itertuples(index=False):
        m = VARIANT.match(str(r.variant))
        if m:
            out.append({"policy": m["policy"], "defect_pct": int(m["pct"]),
                        "exposed": float(r.mean), "ci_low": float(r.ci_low),
                        "ci_high": float(r.ci_high)})
    ref = {r["defect_pct"]: r["exposed"] for r in out if r["policy"] == REFERENCE}
    for r in out:
        base = ref.get(r["defect_pct"], math.nan)
        r["share_of_big_bang"] = r["exposed"] / base if base and base == base else math.nan
    return sorted(out, key=lambda r: (r["policy"], r["defect_pct"]))
