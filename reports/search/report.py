"""The search report: ``<run>/reports/search/report.html``, self-contained.

It leads with the recommended policy in words and its exact overrides, then the
final selection (each Pareto candidate against the baseline, paired, with ties),
the front's 2-D projections, the decision variables' parallel coordinates and
every trial. It reads ``search.json``; for a study that was interrupted the
trials are first refreshed from the study's storage (the SQLite file in the run
directory), so a half-finished search renders with the trials it has.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from experiments.search import SEARCH_JSON, refresh_summary
from reports.page.html import render
from reports.search.figures import axis_title, front_figure, parallel_figure
from reports.search.words import kpi_label, recommendation, variable_label
from sim.io import write_text

REPORT_DIR = Path("reports") / "search"
REPORT_FILE = "report.html"
TEMPLATE = "search/report.html.j2"


def is_search_dir(path: str | Path) -> bool:
    """A search run directory (holds ``search.json``)."""
    return (Path(path) / SEARCH_JSON).is_file()


def load_search(run_dir: str | Path) -> dict[str, Any]:
    """``search.json`` of a run directory, its trials refreshed from the study if it can be
    opened (an interrupted study).

    Raises:
        ValueError: no readable ``search.json``.
    """
    path = Path(run_dir) / SEARCH_JSON
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as ex:
        raise ValueError(f"{path}: not a search result ({ex})") from None
    return refresh_summary(run_dir, data)


def _fmt(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def _ci(row: dict[str, Any]) -> str:
    if row.get("diff_low") is None:
        return "n/a"
    return f"{row['diff_low']:+.4g} to {row['diff_high']:+.4g}"


def context(data: dict[str, Any]) -> dict[str, Any]:
    """Template variables of the search page."""
    spec = data["spec"]
    objectives = spec["objectives"]
    keys = list(dict.fromkeys([*objectives, *spec["constraints"]]))
    sel = data.get("selection")
    candidates = []
    if sel:
        for c in sel["candidates"]:
            cells = []
            for k in keys:
                v = c["versus_baseline"].get(k, {})
                cells.append({"mean": _fmt(c["means"].get(k)), "diff": _fmt(v.get("diff")),
                              "ci": _ci(v), "distinct": "yes" if v.get("distinguishable")
                              else "no"})
            candidates.append({"trial": c["trial"], "overrides": " ".join(c["overrides"]),
                               "cells": cells, "feasible": "yes" if c["feasible"] else "no",
                               "pick": c["trial"] == sel["recommended"],
                               "tie": c["trial"] in sel["ties"]})
    trials = [{"number": t["number"], "state": t["state"],
               "params": ", ".join(f"{variable_label(p)} {_fmt(v)}"
                                   for p, v in t["params"].items()),
               "kpis": [_fmt(t["kpis"].get(k)) for k in keys],
               "feasible": "yes" if t["feasible"] else "no",
               "front": t["number"] in data["front"]} for t in data["trials"]]
    counts = data["counts"]
    finished = counts["complete"] + counts["fail"]
    return {
        "title": spec["name"],
        "recommendation": recommendation(data),
        "interrupted": finished < spec["trials"] or not sel,
        "finished": finished, "budget": spec["trials"], "counts": counts,
        "feasible": data["feasible"], "front": data["front"],
        "selection": sel, "candidates": candidates,
        "baseline": " ".join(spec["baseline"]) or "the scenario as configured",
        "baseline_means": [_fmt((sel or {}).get("baseline", {}).get("means", {}).get(k))
                           for k in keys],
        "keys": [{"key": k, "label": kpi_label(k), "title": axis_title(k),
                  "role": objectives.get(k, "constraint")} for k in keys],
        "variables": [{"path": v["path"], "label": variable_label(v["path"]),
                       "range": ", ".join(map(str, v["choices"])) if v["choices"]
                       else f"{v['low']:g} to {v['high']:g}{' (log)' if v['log'] else ''}"
                       + (f", step {v['step']:g}" if v.get("step") else ""),
                       "type": v["type"]} for v in spec["variables"]],
        "constraints": [f"{kpi_label(k)} " + " and ".join(
            f"{'>=' if s == 'min' else '<='} {b:g}" for s, b in bounds.items())
            for k, bounds in spec["constraints"].items()],
        "spec": spec, "storage": data["storage"], "study_name": data["study_name"],
        "front_png": front_figure(data), "parallel_png": parallel_figure(data),
        "trials": trials,
    }


def build_report(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the search report of a run directory; returns its path.

    Raises:
        ValueError: the directory holds no search result.
    """
    data = load_search(run_dir)
    target = Path(out) if out else Path(run_dir) / REPORT_DIR / REPORT_FILE
    write_text(target, render(context(data), TEMPLATE))
    return target
