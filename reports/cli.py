"""``fleetsim-report PATH [--out FILE] [--baseline DIR]``: rebuild the HTML report of a run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from reports.build import build_report
from reports.page.loader import ReportInputError, expected_files_text

PROG = "fleetsim-report"
EXIT_BAD_INPUT = 2
EXIT_WRITE_FAILED = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Build a self-contained report.html from the result files of a run.",
        epilog=expected_files_text().capitalize() + ".",
    )
    parser.add_argument("path", metavar="PATH",
                        help="a run directory (holds kpis.json), a policy search directory "
                             "(search.json), an experiment directory "
                             "(experiment.json) or a Hydra multirun directory (points with "
                             "kpis.json): the latter two get the comparison report")
    parser.add_argument(
        "--out", metavar="FILE", default=None, help="output file (default: PATH/report.html)"
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        default=None,
        help="run directory to compare with in the alert section, normally the same scenario "
        "and seed with alerts=none",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line tool.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when ``None``.

    Returns:
        0 on success.

    Raises:
        SystemExit: Code 2 for bad input (missing directory or kpis.json, unreadable
            files, of the run or of the baseline), code 1 when the report cannot be
            written; one error line on stderr.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        kind = path_kind(Path(args.path))
        if kind == "search":
            from reports.search import build_report as search_report
            path = search_report(args.path, args.out)
        elif kind == "experiment":
            from reports.experiment import build_report as experiment_report
            path = experiment_report(args.path, args.out)
        elif kind == "multirun":
            from reports.experiment import multirun_report
            out_dir = Path(args.out).parent if args.out else None
            path = multirun_report(args.path, out_dir, baseline=args.baseline)
        else:
            path = build_report(args.path, args.out, args.baseline)
    except (ReportInputError, ValueError) as exc:
        parser.exit(EXIT_BAD_INPUT, f"{PROG}: error: {exc}\n")
    except OSError as exc:
        target = args.out or f"{args.path}/report.html"
        parser.exit(EXIT_WRITE_FAILED, f"{PROG}: error: cannot write {target}: {exc}\n")
    print(path)
    return 0


def path_kind(path: Path) -> str:
    """``run``, ``search`` (has search.json: a policy search, finished or interrupted),
    ``experiment`` (has experiment.json) or ``multirun`` (points with kpis.json)."""
    if (path / "search.json").is_file():
        return "search"
    if (path / "experiment.json").is_file():
        return "experiment"
    if not (path / "kpis.json").is_file() and path.is_dir() and (
            (path / "multirun.yaml").is_file()
            or any((p / "kpis.json").is_file() for p in path.iterdir() if p.is_dir())):
        return "multirun"
    return "run"


if __name__ == "__main__":
    sys.exit(main())
