"""The recommended policy of a search in words, with its exact overrides.

Reads the ``selection`` of ``search.json`` (:mod:`experiments.search.select`):
each objective's paired difference to the baseline, relative and with its 95 %
interval, the constraints met, and the candidates tied with the recommendation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.kpis.catalogue import format_value, lookup


def variable_label(path: str) -> str:
    """``service.mobile.vans_per_10000_vehicles`` -> ``mobile vans per 10000 vehicles``."""
    parts = path.replace("/", ".").split(".")
    tail = [p for p in parts[-2:] if not p.isdigit()] if len(parts) > 1 else parts
    if len(parts) > 2 and parts[-2].isdigit():       # a list item: waves.1.size -> wave 2 size
        tail = [f"{parts[-3].rstrip('s')} {int(parts[-2]) + 1}", parts[-1]]
    return " ".join(tail).replace("_", " ")


def kpi_label(key: str) -> str:
    """The KPI catalogue's label, lower-case first letter (the key for an unknown KPI)."""
    found = lookup(key)
    if found is None:
        return key
    label = found.label
    return label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label


def _value(key: str, x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return format_value(key, x) if lookup(key) is not None else f"{x:.4g}"


def _pct(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{abs(x):.1%}"


def objective_phrase(key: str, direction: str, row: Mapping[str, Any],
                     base_mean: float | None) -> str:
    """``cost per mobile visit 11.2 % lower than the baseline (± 3.1 %)`` or ``no different``."""
    diff, low, high = row.get("diff"), row.get("diff_low"), row.get("diff_high")
    label = kpi_label(key)
    if diff is None:
        return f"{label} not comparable (undefined)"
    if not row.get("distinguishable"):
        return (f"{label} not distinguishable from the baseline "
                f"({_signed(diff)}, 95 % CI {_signed(low)} to {_signed(high)})")
    word = "lower" if diff < 0 else "higher"
    better = (word == direction)
    rel = row.get("diff_rel")
    half = (high - low) / 2 if low is not None and high is not None else None
    if base_mean and rel is not None and half is not None:
        text = (f"{label} {_pct(rel)} {word} than the baseline "
                f"(± {_pct(half / abs(base_mean))}; {_value(key, row.get('mean'))} against "
                f"{_value(key, base_mean)})")
    else:
        text = f"{label} {word} by {_signed(diff)} (95 % CI {_signed(low)} to {_signed(high)})"
    return text + ("" if better else " (worse)")


def _signed(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:+.4g}"


def constraint_phrase(key: str, bounds: Mapping[str, float], mean: float | None) -> str:
    """``rescues within target 93.1 % (required >= 90 %): met``."""
    need = " and ".join(f"{'>=' if s == 'min' else '<='} {_value(key, v)}"
                        for s, v in bounds.items())
    ok = mean is not None and all(
        (mean >= v) if s == "min" else (mean <= v) for s, v in bounds.items())
    return f"{kpi_label(key)} {_value(key, mean)} (required {need}): {'met' if ok else 'missed'}"


def recommendation(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The recommendation as ``headline`` (words), ``details`` (one line per objective and
    constraint), ``ties`` (words), ``overrides`` (the policy's) and ``command`` (scenario
    and policy overrides for ``fleetsim``); None before a final selection."""
    sel = data.get("selection")
    if not sel or sel.get("recommended") is None:
        return None
    spec = data["spec"]
    rec = next(c for c in sel["candidates"] if c["trial"] == sel["recommended"])
    setting = ", ".join(f"{variable_label(p)} = {_param(v)}" for p, v in rec["params"].items())
    base = sel["baseline"]["means"]
    phrases = [objective_phrase(k, d, rec["versus_baseline"].get(k, {}), base.get(k))
               for k, d in spec["objectives"].items()]
    first = phrases[0]
    details = phrases + [constraint_phrase(k, b, rec["means"].get(k))
                         for k, b in spec["constraints"].items()]
    missed = [constraint_phrase(k, b, base.get(k)) for k, b in spec["constraints"].items()]
    missed = [m for m in missed if m.endswith("missed")]
    baseline_note = (f" The baseline misses its constraints ({'; '.join(missed)}), so a "
                     "candidate may be worse than it on an objective." if missed else "")
    ties = ""
    if sel["ties"]:
        first_kpi = kpi_label(next(iter(spec["objectives"])))
        who = (f"Trial {sel['ties'][0]} is" if len(sel["ties"]) == 1 else
               f"Trials {', '.join(str(t) for t in sel['ties'])} are")
        ties = (f"{who} tied with it on "
                f"{first_kpi} (the paired 95 % interval of the difference includes zero); "
                "it is preferred on the next objectives, not on noise.")
    return {
        "trial": rec["trial"],
        "headline": f"Recommended: {setting}: {first}, over {sel['replications']} "
                    "replications on common random numbers." + baseline_note,
        "details": details,
        "ties": ties,
        "overrides": rec["overrides"],
        "command": " ".join(["fleetsim", *_last_wins([*spec["scenario"], *rec["overrides"]])]),
    }


def _last_wins(overrides: list[str]) -> list[str]:
    """Overrides with a key given twice kept once, at its last value (as Hydra applies them)."""
    last = {o.partition("=")[0]: i for i, o in enumerate(overrides)}
    return [o for i, o in enumerate(overrides) if last[o.partition("=")[0]] == i]


def _param(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
