"""``fleetsim-twin``: what-if projection of one vehicle of a saved run.

    fleetsim-twin RUN_DIR --vehicle ID [--usage calm] [--usage dc_share=0.02]
                  [--days 365] [--samples 200] [--seed 0] [--plot FILE.png] [--json]

Prints the vehicle, a health table (now, 3 and 12 months under its own and the
alternative usage) and the maintenance it will need. A bad run directory,
vehicle id or usage ends with one message and exit code 2, no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.io import atomic_write
from sim.whatif.project import project
from sim.whatif.result import ALT, HORIZONS, OWN, Projection
from sim.whatif.usage import KEYS, PRESETS, spec_text
from sim.whatif.vehicle import VehicleTwin, load_vehicle
from twins import component_label
from twins.usage import DAYS_PER_YEAR

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PROG = "fleetsim-twin"
EXIT_USAGE_ERROR = 2
EXIT_WRITE_ERROR = 1
DPI = 110
# Okabe-Ito blue / vermillion, as in the report.
COLORS = {OWN: "#0072B2", ALT: "#D55E00"}


def _parser() -> argparse.ArgumentParser:
    presets = "; ".join(f"{name} ({spec_text(spec)})" for name, spec in PRESETS.items())
    p = argparse.ArgumentParser(
        prog=PROG, description="Project one vehicle's component health and maintenance needs "
        "under its own usage and an alternative one.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a fleetsim run directory")
    p.add_argument("--vehicle", type=int, required=True, metavar="ID", help="vehicle id")
    p.add_argument("--usage", action="append", metavar="SPEC",
                   help=f"alternative usage: a preset or key=value (repeatable, merged). "
                   f"Presets: {presets}. Keys: {', '.join(KEYS)}; numbers absolute or "
                   f"xFACTOR (aggressiveness=x0.8); region a name, hottest or coldest")
    p.add_argument("--days", type=int, default=365, help="days to project (default 365)")
    p.add_argument("--samples", type=int, default=200,
                   help="Monte-Carlo copies per scenario (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the projection (default 0)")
    p.add_argument("--plot", metavar="FILE.png", help="write health vs day as a PNG")
    p.add_argument("--json", action="store_true", help="print the projection as JSON")
    return p


def describe_vehicle(vt: VehicleTwin) -> list[str]:
    """The vehicle in two lines: who drives it where, and how."""
    info, u = vt.info, vt.usage
    age = (f", age {info['age_days_end'] / DAYS_PER_YEAR:.1f} years"
           if "age_days_end" in info else "")
    tier = f" (city tier {info['city_tier']})" if "city_tier" in info else ""
    lines = [f"  profile {info.get('profile', '?')}, region {u['region']}{tier}{age}",
             f"  own usage: {u['km_per_day_mean']:.0f} km/day (cv {u['km_per_day_cv']:.2f}), "
             f"aggressiveness {u['aggressiveness']:.2f}, DC fast-charge share "
             f"{u['dc_share']:.1%}, charges to {u['soc_high']:.0%}"]
    if info.get("down"):
        lines.append("  stranded at the end of the run (an open roadside job)")
    return lines


def _changes(own: dict, alt: dict) -> str:
    diffs = []
    for key, value in alt.items():
        if value != own[key]:
            diffs.append(f"{key} {own[key]} -> {value}" if isinstance(value, str)
                         else f"{key} {own[key]:.3g} -> {value:.3g}")
    return ", ".join(diffs) or "no change from own usage"


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{x:.1%}"


def format_table(proj: Projection) -> str:
    """Health per component: now, then each horizon per scenario, aligned."""
    summary = proj.summary()
    header = ["component", *summary.columns]
    rows = [[component_label(c), *(_pct(v) for v in summary.loc[c])] for c in summary.index]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    return "\n".join([line(header), *(line(r) for r in rows)])


def format_report(proj: Projection, run_dir: str) -> str:
    """The full text output: vehicle, scenarios, health table, maintenance lists."""
    vt = proj.twin
    out = [f"vehicle {vt.vehicle} of {run_dir} (state at day {vt.start_day} of the run, "
           f"run seed {vt.cfg.seed})", *describe_vehicle(vt)]
    for name, sc in proj.scenarios.items():
        if name != OWN:
            out.append(f"  alternative ({sc['spec']}): "
                       f"{_changes(proj.scenarios[OWN]['usage'], sc['usage'])}")
    out.append(f"projection: {proj.days} days, {proj.samples} Monte-Carlo copies, seed "
               f"{proj.seed}, no repairs; health 1 = new, 0 = at its service threshold")
    if vt.skipped:
        out.append("not projected: " + "; ".join(f"{component_label(n)} ({why})"
                                                  for n, why in vt.skipped.items()))
    out += ["", format_table(proj)]
    window = proj.horizons()[-1].window
    for name, sc in proj.scenarios.items():
        title = "own usage" if name == OWN else f"alternative ({sc['spec']})"
        needs = proj.maintenance_list(name)
        out += ["", f"maintenance, {title}:"]
        out += [f"  - {n}" for n in needs] or [f"  - nothing likely within {window} (p < 0.05)"]
    return "\n".join(out)


def health_figure(proj: Projection) -> Figure:
    """Mean health vs day per component, one panel each, scenarios as lines."""
    from matplotlib.figure import Figure  # only when plotting: keeps the CLI start fast

    comps = list(next(iter(proj.health.values())).columns)
    ncols = min(3, len(comps))
    nrows = -(-len(comps) // ncols)
    fig = Figure(figsize=(3.2 * ncols, 2.4 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True)).ravel()
    for ax, comp in zip(axes, comps, strict=False):
        for i, (name, h) in enumerate(proj.health.items()):
            spec = proj.scenarios[name]["spec"]
            ax.plot(h.index, h[comp], color=COLORS.get(name, f"C{i}"),
                    linestyle="-" if name == OWN else "--",
                    label="own usage" if name == OWN else f"{name}: {spec}")
        for hz in HORIZONS:
            if hz.days <= proj.days:
                ax.axvline(hz.days, color="#999999", linewidth=0.6, linestyle=":")
        ax.set_title(component_label(comp), fontsize=10, loc="left")
        ax.set_ylim(0.0, 1.02)
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.tick_params(labelsize=8)
    for ax in axes[len(comps):]:
        ax.set_visible(False)
    for ax in axes[-ncols:]:
        ax.set_xlabel("day", fontsize=9)
    axes[0].set_ylabel("mean health", fontsize=9)
    axes[0].legend(fontsize=7, loc="lower left")
    fig.suptitle(f"Vehicle {proj.twin.vehicle}: projected health ({proj.samples} copies)",
                 fontsize=11)
    return fig


def write_plot(proj: Projection, path: str | Path) -> Path:
    """Write :func:`health_figure` as a PNG, atomically."""
    fig = health_figure(proj)
    return atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=DPI,
                                                    metadata={"Software": None}))


def _fail(message: str, code: int = EXIT_USAGE_ERROR) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """Console entry point. Returns the exit code (0 ok, 2 bad input, 1 plot not written)."""
    args = _parser().parse_args(argv)
    try:
        vt = load_vehicle(args.run_dir, args.vehicle)
        proj = project(vt, days=args.days, usage=args.usage, seed=args.seed,
                       samples=args.samples)
    except (FileNotFoundError, ValueError) as ex:
        return _fail(str(ex))
    if args.json:
        print(json.dumps(proj.to_dict(), indent=2))
    else:
        print(format_report(proj, args.run_dir))
    if args.plot:
        try:
            path = write_plot(proj, args.plot)
        except OSError as ex:
            return _fail(f"could not write the plot {args.plot}: {ex}", EXIT_WRITE_ERROR)
        print(f"plot: {path}", file=sys.stderr if args.json else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
