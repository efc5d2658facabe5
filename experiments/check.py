"""``fleetsim-check``: KPI regression guard against a committed baseline.

Runs the fixed, seeded scenario named in the baseline file, compares every KPI
with its baseline value, prints what it checked (package, config tree, baseline
file, scenario) and a table with regressions first, and exits 1 on a
regression. Each KPI's tolerance and better direction come from the KPI
catalogue (``fleetsim-kpis``; :mod:`experiments.verdicts`): counts by a Poisson
test, fractions in absolute points, other KPIs relative, all widened by the
noise of a replicated baseline. Improvements are reported as ``IMPROVED`` and
fail only with ``--strict``. A KPI the run produces that the catalogue does not
define fails the check, so the catalogue cannot fall behind the code.

``--update`` rewrites the baseline's KPI values (keeping its scenario and
tolerances); ``--update --replications R`` also measures each KPI's standard
deviation over R seeds spawned from the scenario's seed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from experiments import verdicts
from experiments.verdicts import compare, failing
from sim.io import write_json
from sim.kpis.catalogue import unknown

DEFAULT_BASELINE = Path(str(resources.files("configs").joinpath("baselines", "check.json")))
EXIT_REGRESSION = 1
EXIT_USAGE = 2
FORMAT = 2


def load_baseline(path: Path) -> dict[str, Any]:
    """Read a baseline file: ``scenario.overrides``, ``tolerance``, ``kpis`` and, when
    replicated, ``replications`` (``seeds`` and each KPI's ``sd``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("scenario", "tolerance", "kpis"):
        if key not in data:
            raise ValueError(f"baseline {path} has no {key!r} section")
    return data


def package_root() -> Path:
    """The source tree the ``sim`` package is imported from."""
    import sim

    return Path(sim.__file__).resolve().parent.parent


def checkout_root(start: Path) -> Path | None:
    """The fleetsim checkout ``start`` is in (a folder with ``pyproject.toml`` naming
    fleetsim and a ``sim/`` package), or None."""
    for folder in [start.resolve(), *start.resolve().parents]:
        project = folder / "pyproject.toml"
        if project.is_file() and (folder / "sim" / "__init__.py").is_file():
            text = project.read_text(encoding="utf-8", errors="replace")
            if 'name = "fleetsim"' in text:
                return folder
    return None


def tree_mismatch(cwd: Path, root: Path) -> str | None:
    """The error when ``cwd`` is in a fleetsim checkout other than the imported ``root``."""
    checkout = checkout_root(cwd)
    if checkout is None or checkout == root:
        return None
    return (f"the fleetsim package imported is {root}, not this checkout {checkout}; "
            f"install this one (pip install -e {checkout}) or run with "
            f"PYTHONPATH={checkout}, so that the code checked is the code checked out")


def _fmt(x: Any) -> str:
    if x is None:   # JSON's null: a KPI undefined in that run
        return "nan"
    if isinstance(x, str):
        return x
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    return f"{x:.6g}"


def _fmt_better(better: str | None) -> str:
    """``lower``/``higher``; ``-`` for a size or context figure; ``?`` not in the catalogue."""
    return "?" if better is None else better or "-"


def _fmt_rel(rel: float | None) -> str:
    return "" if rel is None else f"{rel:+.1%}"


def _fmt_tol(row: dict[str, Any]) -> str:
    if row["tolerance"] is None:
        return ""
    return f"±{row['tolerance']:.4g} ({row['rule']})"


def format_table(rows: list[dict[str, Any]]) -> str:
    """The comparison as an aligned text table, in the rows' order."""
    head = ("kpi", "better", "baseline", "now", "change", "rel", "tolerance", "verdict")
    body = [[r["kpi"], _fmt_better(r.get("better")), _fmt(r["baseline"]), _fmt(r["now"]),
             "" if r["change"] is None else f"{r['change']:+.4g}", _fmt_rel(r["rel_change"]),
             _fmt_tol(r), r["verdict"]] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in [head, *body]]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def run_scenario(overrides: list[str]) -> dict[str, float]:
    """KPIs of the check scenario."""
    import sim

    cfg = sim.load_config([*overrides, "output.progress=false"])
    return sim.simulate(cfg).kpis


def replicate(overrides: list[str], replications: int, n_jobs: int) -> dict[str, Any]:
    """Each KPI's standard deviation over ``replications`` seeds spawned from the scenario's
    (``experiments.tasks.replication_seeds``)."""
    import sim
    from experiments.backends import run_parallel
    from experiments.tasks import replication_seeds

    seeds = replication_seeds(int(sim.load_config(overrides).seed), replications)
    runs = list(run_parallel(run_scenario, [[*overrides, f"seed={s}"] for s in seeds],
                             n_jobs=n_jobs))
    sd = {}
    for key in runs[0]:
        values = [float(r[key]) for r in runs if key in r and not verdicts._isnan(r[key])]
        if len(values) >= 2:
            sd[key] = statistics.stdev(values)
    return {"seeds": seeds, "sd": sd}


def _header(args: argparse.Namespace, base: dict[str, Any], overrides: list[str]) -> str:
    root = package_root()
    reps = base.get("replications") or {}
    noise = (f"{len(reps['seeds'])} replications: noise per KPI" if reps.get("seeds")
             else "not replicated")
    return "\n".join([
        f"fleetsim-check: package  {root}",
        f"                configs  {Path(str(resources.files('configs')))}",
        f"                baseline {Path(args.baseline).resolve()} ({noise})",
        f"                scenario {' '.join(overrides)}",
    ])


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="fleetsim-check", description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE,
                    help=f"baseline JSON file (default: {DEFAULT_BASELINE})")
    ap.add_argument("--update", action="store_true",
                    help="rewrite the baseline's KPI values with this run's")
    ap.add_argument("--strict", action="store_true",
                    help="also fail on improvements and on KPIs the baseline lacks")
    ap.add_argument("--replications", type=int, default=None,
                    help="with --update: measure each KPI's noise over R seeds (default: as "
                         "many as the baseline has; 0: none)")
    ap.add_argument("--n-jobs", type=int, default=1,
                    help="with --replications: parallel runs (-1: every core)")
    return ap


def main(argv: list[str] | None = None) -> int:
    """Console entry point."""
    args = _parser().parse_args(argv)
    mismatch = tree_mismatch(Path.cwd(), package_root())
    if mismatch:
        print(f"fleetsim-check: {mismatch}", file=sys.stderr)
        return EXIT_USAGE
    try:
        base = load_baseline(args.baseline)
    except (OSError, ValueError) as ex:
        print(f"fleetsim-check: cannot read baseline {args.baseline}: {ex}", file=sys.stderr)
        return EXIT_USAGE
    overrides = list(base["scenario"].get("overrides", []))
    print(_header(args, base, overrides), flush=True)
    now = run_scenario(overrides)
    uncatalogued = unknown(now)
    if args.update:
        return _update(args, base, overrides, now, uncatalogued)
    rows = compare(base["kpis"], now, base["tolerance"],
                   (base.get("replications") or {}).get("sd"))
    print(format_table(rows))
    return _verdict(rows, uncatalogued, args.strict)


def _verdict(rows: list[dict[str, Any]], uncatalogued: list[str], strict: bool) -> int:
    bad = failing(rows, strict)
    counts = {v: sum(r["verdict"] == v for r in rows) for v in verdicts.ORDER}
    tally = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    if bad:
        names = ", ".join(f"{r['kpi']} ({r['verdict']})" for r in bad)
        print(f"\nfleetsim-check: FAILED ({tally}); outside tolerance: {names}")
    if uncatalogued:
        print(f"\n{_uncatalogued_message(uncatalogued)}")
    if bad or uncatalogued:
        return EXIT_REGRESSION
    hint = []
    if counts[verdicts.IMPROVED]:
        hint.append("improvements pass; --strict fails them, --update records them")
    if counts[verdicts.NEW]:
        hint.append("run --update to add the new KPIs")
    print(f"\nfleetsim-check: OK ({tally}){'; ' + '; '.join(hint) if hint else ''}")
    return 0


def _update(args: argparse.Namespace, base: dict[str, Any], overrides: list[str],
            now: dict[str, float], uncatalogued: list[str]) -> int:
    if uncatalogued:
        print(_uncatalogued_message(uncatalogued))
        return EXIT_REGRESSION
    reps = args.replications
    if reps is None:
        reps = len((base.get("replications") or {}).get("seeds", []))
    data = {**{k: v for k, v in base.items() if k != "replications"}, "format": FORMAT,
            "kpis": now}
    if reps >= 2:
        data["replications"] = replicate(overrides, reps, args.n_jobs)
    write_json(args.baseline, data)
    note = f", noise over {reps} replications" if reps >= 2 else ""
    print(f"fleetsim-check: baseline updated: {args.baseline} ({len(now)} KPIs{note})")
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
