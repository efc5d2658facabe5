"""``fleetsim-report PATH [--out FILE] [--baseline DIR]``: rebuild the HTML report of a run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from reports.build import build_report
from reports.loader import ReportInputError, expected_files_text

PROG = "fleetsim-report"
EXIT_BAD_INPUT = 2
EXIT_WRITE_FAILED = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Build a self-contained report.html from the result files of a run.",
        epilog=expected_files_text().capitalize() + ".",
    )
    parser.add_argument("path", metavar="PATH", help="run directory (holds kpis.json)")
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
        path = build_report(args.path, args.out, args.baseline)
    except ReportInputError as exc:
        parser.exit(EXIT_BAD_INPUT, f"{PROG}: error: {exc}\n")
    except OSError as exc:
        target = args.out or f"{args.path}/report.html"
        parser.exit(EXIT_WRITE_FAILED, f"{PROG}: error: cannot write {target}: {exc}\n")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
