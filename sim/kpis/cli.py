"""``fleetsim-kpis``: print the KPI catalogue (text table, Markdown table or JSON).

The README's KPI glossary is the output of ``fleetsim-kpis --markdown``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from sim.kpis.catalogue import DOMAINS, Kpi, by_domain

EXIT_USAGE = 2
COLUMNS = ("key", "label", "unit", "better", "domain", "definition")
NO_DIRECTION = "-"  # shown for better == "" (a size or context figure)


def _cells(k: Kpi) -> list[str]:
    return [k.key, k.label, k.unit, k.better or NO_DIRECTION, k.domain, k.definition]


def format_text(kpis: tuple[Kpi, ...]) -> str:
    """The entries as an aligned text table, one line each."""
    body = [_cells(k) for k in kpis]
    widths = [max(len(x) for x in col) for col in zip(COLUMNS, *body, strict=True)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in [list(COLUMNS), *body]]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def format_markdown(kpis: tuple[Kpi, ...]) -> str:
    """The entries as a Markdown table (the README's KPI glossary)."""
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [row(["KPI", "label", "unit", "better", "domain", "definition"]),
             "|---|---|---|---|---|---|"]
    for k in kpis:
        cells = _cells(k)
        cells[0] = f"`{k.key}`"
        lines.append(row(cells))
    return "\n".join(lines)


def format_json(kpis: tuple[Kpi, ...]) -> str:
    """The entries as a JSON list of objects (every field, ``fmt`` included)."""
    return json.dumps([k.as_dict() for k in kpis], indent=2, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit code (2: an unknown ``--domain``)."""
    ap = argparse.ArgumentParser(prog="fleetsim-kpis", description=__doc__.split("\n\n")[0])
    style = ap.add_mutually_exclusive_group()
    style.add_argument("--markdown", action="store_true", help="a Markdown table")
    style.add_argument("--json", action="store_true", help="a JSON list")
    ap.add_argument("--domain", metavar="NAME",
                    help=f"only one domain: {', '.join(DOMAINS)}")
    args = ap.parse_args(argv)
    try:
        kpis = by_domain(args.domain)
    except ValueError as ex:
        print(f"fleetsim-kpis: {ex}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(format_json(kpis))
    elif args.markdown:
        print(format_markdown(kpis))
    else:
        print(format_text(kpis))
    return 0


def cli() -> None:
    """Console-script wrapper: exit with :func:`main`'s code (quietly when the reader of a
    pipe, e.g. ``head``, stops early)."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at devnull so that flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    cli()
