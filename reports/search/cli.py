"""``fleetsim-search search=NAME [OVERRIDES]``: policy search, a Pareto front of KPIs (Optuna).

Runs (or resumes) a policy search, its final selection and its report (options:
``--out DIR --storage URL --n-jobs N --no-select``). ``search.<key>=`` overrides
change the definition (``search.trials=48``), every other override the scenario
(``fleet.size=10000``). A bad definition, override or storage stops before
the first trial with one line naming it (exit 2); Ctrl-C keeps the finished trials
(exit 130; rerun the same command to resume).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from configs.validate import ConfigError
from experiments.search import run_search
from experiments.search.spec import load_spec, search_names, split_overrides
from reports.search.report import build_report

PROG = "fleetsim-search"
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Policy search: a Pareto front of KPIs over config values, "
        "with Optuna, common random numbers and a paired final selection.",
        epilog=f"Searches: {', '.join(search_names())}.")
    parser.add_argument("overrides", nargs="*", metavar="OVERRIDE",
                        help="search=<name> (required), search.<key>=<value> for the "
                             "definition, anything else for the scenario")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="run directory (default: outputs/search/<name>); rerun to resume")
    parser.add_argument("--storage", metavar="URL", default=None,
                        help="SQLAlchemy URL of the Optuna study (default: "
                             "sqlite:///<out>/study.db), e.g. postgresql://user@host/db")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel replications (-1 = all)")
    parser.add_argument("--backend", default="loky", help="loky | threading | dask")
    parser.add_argument("--scheduler-address", default=None, help="Dask scheduler address")
    parser.add_argument("--no-select", action="store_true",
                        help="trials only (a worker of a shared study): no final selection")
    parser.add_argument("--no-report", action="store_true", help="do not write the report")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line tool; returns 0, or exits 2 on bad input and 130 on Ctrl-C."""
    parser = _parser()
    args = parser.parse_args(argv)
    name, search_ovs, scenario_ovs = split_overrides(args.overrides)
    if not name:
        parser.exit(EXIT_BAD_INPUT, f"{PROG}: error: give search=<name>; searches: "
                                    f"{', '.join(search_names())}\n")
    out = Path(args.out or Path("outputs") / "search" / Path(name).stem)
    try:
        spec = load_spec(name, search_ovs, scenario_ovs)
        data = run_search(spec, out, storage=args.storage, n_jobs=args.n_jobs,
                          backend=args.backend, scheduler_address=args.scheduler_address,
                          select=not args.no_select)
    except ConfigError as ex:
        parser.exit(EXIT_BAD_INPUT, f"{PROG}: error: {ex}\n")
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; the finished trials are kept in {out} "
              "(rerun the same command to resume)", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.no_report:
        print(build_report(out))
    print(answer_text(data))
    return 0


def answer_text(data: dict) -> str:
    """The counts, the front and the recommendation as a few lines."""
    c = data["counts"]
    lines = [f"trials: {c['complete']} complete, {c['fail']} failed, {c['running']} running; "
             f"{data['feasible']} feasible; Pareto front: trials {data['front']}"]
    sel = data.get("selection")
    if sel and sel.get("recommended") is not None:
        rec = next(x for x in sel["candidates"] if x["trial"] == sel["recommended"])
        lines.append(f"recommended: trial {rec['trial']}: {' '.join(rec['overrides'])}")
        if sel["ties"]:
            lines.append(f"tied with it on the first objective: trials {sel['ties']}")
    elif sel:
        lines.append("no candidate meets the constraints with the final replications")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
