"""``fleetsim-validate [--full] [--out DIR] [--cells-only]``: run the validation checks.

Writes ``DIR/validation.json`` and ``DIR/validation/report.html``; exits 0 when every
check passes, ``EXIT_FAILED`` naming the failing checks otherwise.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Sequence
from pathlib import Path

from experiments.validate.runner import run_checks, write
from reports.validate.page import write_report
from reports.validate.seeds import busy_city_checks, seed_checks

PROG = "fleetsim-validate"
EXIT_FAILED = 1
DEFAULT_ROOT = Path("outputs") / "validate"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=(
        "Compare fleetsim's models with their published references (BLAST-Lite, Geotab, "
        "ADAC, CALIBRATION.md, the seeds, Erlang C) "
        "and write validation.json and validation/report.html."))
    p.add_argument("--full", action="store_true", help="the full tier (default: the fast tier)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help=f"run directory (default: {DEFAULT_ROOT}/<UTC time>)")
    p.add_argument("--cells-only", action="store_true",
                   help="only the battery cell checks (no simulation)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run_dir = Path(args.out) if args.out else (
        DEFAULT_ROOT / _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H-%M-%S"))
    doc = run_checks("full" if args.full else "fast", fleet=not args.cells_only,
                     run_extra=(seed_checks,), busy_city_extra=(busy_city_checks,))
    path = write(doc, run_dir)
    report = write_report(run_dir)
    for c in doc["checks"]:
        verdict = "pass" if c["passed"] else "FAIL"
        print(f"{verdict:4s}  {c['name']}: {c['figure']:.4g} {c['unit']} "
              f"(band {c['band'][0]:g}-{c['band'][1]:g}; {c['reference']})")
    print(f"wrote {path} and {report}")
    if doc["failed"]:
        print(f"{PROG}: failing checks: {', '.join(doc['failed'])}", file=sys.stderr)
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
