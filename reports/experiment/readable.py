"""Readable numbers for the experiment report: catalogue formats and units, bounded
intervals, relative changes that mean something, and warnings a reader needs.

- values and differences in the KPI catalogue's format and unit (a share as "%", its
  difference in percentage points);
- an interval of a share is clipped to [0, 100 %] (a t interval can leave the range a
  proportion lives in; the clipped bound is the honest one);
- a relative difference against a baseline near zero is not a percentage worth
  printing ("+11961 %"): shown as "n/a (baseline near 0)";
- a warning when there are too few replications for the intervals to mean much;
- a sentence when different variants win different headline KPIs (a trade-off).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import stats

from sim.kpis.catalogue import format_value, lookup

MIN_REPLICATIONS = 5       # below this, say how wide the t intervals are
REL_LIMIT = 10.0           # |relative difference| above 1000 %: the baseline is near zero


def _is_share(key: str) -> bool:
    found = lookup(key)
    return found is not None and found.unit == "fraction"


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def value(key: str, x: float) -> str:
    """``x`` in the catalogue's format and unit (4 significant digits for an unknown key)."""
    if not _finite(x):
        return "n/a"
    return format_value(key, x) if lookup(key) is not None else f"{x:.4g}"


def diff(key: str, x: float) -> str:
    """A signed difference: percentage points for a share, else the catalogue's format."""
    if not _finite(x):
        return "n/a"
    if _is_share(key):
        return f"{x * 100:+.1f} pts"
    text = value(key, abs(x))
    return ("−" if x < 0 else "+") + text


def clip(key: str, low: Any, high: Any) -> tuple[Any, Any]:
    """An interval (scalars or arrays) of a share clipped to [0, 1]; other KPIs unchanged."""
    if not _is_share(key):
        return low, high
    lo, hi = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    return (float(lo), float(hi)) if np.ndim(lo) == 0 else (lo, hi)


def interval(key: str, low: float, high: float) -> str:
    low, high = clip(key, low, high)
    if not (_finite(low) and _finite(high)):
        return "n/a"
    return f"{value(key, low)} to {value(key, high)}"


def relative(rel: float, base_mean: float | None = None) -> str:
    """``+12.3 %``; ``n/a (baseline near 0)`` when the baseline is 0 or the ratio absurd."""
    if base_mean is not None and _finite(base_mean) and base_mean == 0:
        return "n/a (baseline near 0)"
    if not _finite(rel):
        return "n/a"
    if abs(rel) > REL_LIMIT:
        return "n/a (baseline near 0)"
    return f"{rel:+.1%}"


def replication_warning(n: int) -> str:
    """A note when ``n`` replications make wide intervals ("" from :data:`MIN_REPLICATIONS`)."""
    if n >= MIN_REPLICATIONS:
        return ""
    if n < 2:
        return ("One replication: no interval can be computed, so no difference can be told "
                f"from chance. Run at least {MIN_REPLICATIONS} (`experiment.replications`).")
    t = stats.t.ppf(0.975, n - 1)
    return (f"Only {n} replications: each 95 % interval is ±{t:.1f} standard errors wide "
            f"(t with {n - 1} degrees of freedom, against 1.96 for many), so only large "
            f"differences are told from chance. Run at least {MIN_REPLICATIONS} "
            "(`experiment.replications`) before acting on a 'no'.")


def trade_off(answers: Sequence[Any], label: Any) -> str:
    """A sentence when the best variant differs between headline KPIs ("" otherwise)."""
    best = {a.kpi: a.best for a in answers if a.best}
    if len(set(best.values())) < 2:
        return ""
    parts = [f"{variant} on {', '.join(label(k) for k, v in best.items() if v == variant)}"
             for variant in dict.fromkeys(best.values())]
    return ("Trade-off: no variant is best on every headline KPI — best is "
            + "; ".join(parts) + ".")


def inputs_rows(inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The inputs as (name, text): a mapping as ``key: value`` lines, a list joined."""
    rows = []
    for k, v in inputs.items():
        if isinstance(v, Mapping):
            text = "\n".join(f"{kk}: {_plain(vv)}" for kk, vv in v.items())
        else:
            text = _plain(v)
        rows.append((str(k), text))
    return rows


def _plain(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return ", ".join(_plain(x) for x in v) if v else "(none)"
    return json.dumps(v, default=str)


def undefined_notes(summary: Any, kpis: Sequence[str], replications: int,
                    label: Any) -> list[str]:
    """Headline KPIs a variant left undefined in some replications, said in words: an
    outcome never reached (e.g. "days to 95 % installed") is not a zero, and its mean
    covers only the replications that reached it."""
    out = []
    for key in kpis:
        rows = summary[summary["kpi"] == key]
        for _, r in rows.iterrows():
            n = int(r["n"])
            if n >= replications:
                continue
            missing = replications - n
            text = (f"{label(key)}: {r['variant']} never reached it in {missing} of "
                    f"{replications} replications")
            text += (" (no mean, no comparison)." if n == 0 else
                     f"; its mean covers the other {n} only, so compare with care.")
            out.append(text)
    return out
