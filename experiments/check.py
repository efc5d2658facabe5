"""``fleetsim-check``: KPI regression guard against a committed baseline.

Runs the fixed, seeded scenario named in the baseline file, compares every
KPI with its baseline value under a per-KPI tolerance, prints a table and
exits non-zero on any regression. ``--update`` rewrites the baseline's KPI
values (keeping its scenario and tolerances).

A KPI passes when ``|now - baseline| <= abs + rel * |baseline|``. Tolerances
come from the baseline file: ``tolerance[name]`` or else ``tolerance["*"]``.
The table shows each KPI's better direction from the KPI catalogue
(``fleetsim-kpis``); a KPI the run produces that the catalogue does not define
fails the check, so the catalogue cannot fall behind the code.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from sim.io import write_json
from sim.kpis.catalogue import lookup, unknown

DEFAULT_BASELINE = Path(str(resources.files("configs").joinpath("baselines", "check.json")))
EXIT_REGRESSION = 1
EXIT_USAGE = 2


def load_baseline(path: Path) -> dict[str, Any]:
    """Read a baseline file with ``scenario.overrides``, ``tolerance`` and ``kpis`` sections."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("scenario", "tolerance", "kpis"):
        if key not in data:
            raise ValueError(f"baseline {path} has no {key!r} section")
    return data


def tolerance_for(name: str, tolerance: dict[str, dict[str, float]]) -> tuple[float, float]:
    """(abs, rel) tolerance of KPI ``name``."""
    tol = tolerance.get(name, tolerance.get("*", {}))
    return float(tol.get("abs", 0.0)), float(tol.get("rel", 0.0))


def _isnan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _better(name: str) -> str | None:
    """The catalogue's better direction of KPI ``name`` (None: not in the catalogue)."""
    entry = lookup(name)
    return None if entry is None else entry.better


def compare(baseline: dict[str, float], now: dict[str, float],
            tolerance: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """One row per KPI: better direction, baseline, now, change, allowed band and verdict.

    Verdicts: ``ok``, ``REGRESSION`` (outside the band), ``new`` (not in the
    baseline) and ``missing`` (in the baseline, not produced any more).
    """
    rows = []
    for name in sorted(set(baseline) | set(now)):
        b, n = baseline.get(name, "absent"), now.get(name, "absent")
        abs_tol, rel_tol = tolerance_for(name, tolerance)
        row = {"kpi": name, "better": _better(name), "baseline": b, "now": n, "change": None,
               "tolerance": None, "verdict": "ok"}
        if b == "absent":
            row["verdict"] = "new"
        elif n == "absent":
            row["verdict"] = "missing"
        elif _isnan(b) or _isnan(n):
            row["verdict"] = "ok" if _isnan(b) and _isnan(n) else "REGRESSION"
        else:
            allowed = abs_tol + rel_tol * abs(b)
            row["change"] = n - b
            row["tolerance"] = allowed
            row["verdict"] = "ok" if abs(n - b) <= allowed + 1e-12 else "REGRESSION"
        rows.append(row)
    return rows


def _fmt(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    return f"{x:.6g}"


def _fmt_better(better: str | None) -> str:
    """``lower``/``higher``; ``-`` for a size or context figure; ``?`` not in the catalogue."""
    return "?" if better is None else better or "-"


def format_table(rows: list[dict[str, Any]]) -> str:
    """The comparison as an aligned text table."""
    head = ("kpi", "better", "baseline", "now", "change", "tolerance", "verdict")
    body = [[r["kpi"], _fmt_better(r.get("better")), _fmt(r["baseline"]), _fmt(r["now"]),
             "" if r["change"] is None else f"{r['change']:+.4g}",
             "" if r["tolerance"] is None else f"±{r['tolerance']:.4g}", r["verdict"]]
            for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in [head, *body]]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def run_scenario(overrides: list[str]) -> dict[str, float]:
    """KPIs of the check scenario."""
    import sim

    cfg = sim.load_config([*overrides, "output.progress=false"])
    return sim.simulate(cfg).kpis


def main(argv: list[str] | None = None) -> int:
    """Console entry point."""
    ap = argparse.ArgumentParser(prog="fleetsim-check", description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE,
                    help=f"baseline JSON file (default: {DEFAULT_BASELINE})")
    ap.add_argument("--update", action="store_true",
                    help="rewrite the baseline's KPI values with this run's")
    args = ap.parse_args(argv)
    try:
        base = load_baseline(args.baseline)
    except (OSError, ValueError) as ex:
        print(f"fleetsim-check: cannot read baseline {args.baseline}: {ex}", file=sys.stderr)
        return EXIT_USAGE
    overrides = list(base["scenario"].get("overrides", []))
    print(f"fleetsim-check: scenario {' '.join(overrides)}", file=sys.stderr)
    now = run_scenario(overrides)
    uncatalogued = unknown(now)
    if args.update:
        if uncatalogued:
            print(_uncatalogued_message(uncatalogued))
            return EXIT_REGRESSION
        write_json(args.baseline, dict(base, kpis=now))
        print(f"fleetsim-check: baseline updated: {args.baseline} ({len(now)} KPIs)")
        return 0
    rows = compare(base["kpis"], now, base["tolerance"])
    print(format_table(rows))
    bad = [r["kpi"] for r in rows if r["verdict"] in ("REGRESSION", "missing")]
    if bad:
        print(f"\nfleetsim-check: FAILED, {len(bad)} KPI(s) outside tolerance: {', '.join(bad)}")
    if uncatalogued:
        print(f"\n{_uncatalogued_message(uncatalogued)}")
    if bad or uncatalogued:
        return EXIT_REGRESSION
    new = sum(r["verdict"] == "new" for r in rows)
    note = f" ({new} new KPI(s) not in the baseline; run --update to add them)" if new else ""
    print(f"\nfleetsim-check: OK, {len(rows) - new} KPIs within tolerance{note}")
    return 0


def _uncatalogued_message(keys: list[str]) -> str:
    return (f"fleetsim-check: FAILED, {len(keys)} KPI(s) of the run not in the KPI catalogue: "
            f"{', '.join(keys)}; add them to the catalogue (sim/kpis/definitions.py; "
            "`fleetsim-kpis` lists it)")


def cli() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())


if __name__ == "__main__":
    cli()
