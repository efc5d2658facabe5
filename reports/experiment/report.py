"""The experiment comparison report: one self-contained ``report.html``.

It leads with the answer (the best variant on each headline KPI, by how much it
differs from the baseline, the paired 95 % interval and whether that excludes
zero), then the published figures the experiment declared (``experiment.targets``)
against its variants' means, one chart per headline KPI (means with 95 % error
bars; paired differences with theirs), the paired-difference table, every KPI,
and the inputs. It reads result files only (``summary.parquet``,
``experiment.json``, the ``kpis/`` rows for the targets); a Hydra multirun is
first merged and summarised by :mod:`experiments.multirun`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.containment import containment_rows
from experiments.multirun import summarize_multirun
from experiments.payback import payback_rows
from experiments.runner import DEFAULT_HEADLINE, EXPERIMENT_JSON, SUMMARY_PARQUET
from experiments.stats import Answer, answers
from experiments.store import ResultStore
from experiments.targets import target_rows, within_text
from reports.experiment import readable
from reports.experiment.containment import containment_figure, containment_table
from reports.experiment.operating import operating_figure
from reports.experiment.timeline import start_date as parse_date
from reports.experiment.timeline import timeline_figure
from reports.page.figures import to_base64_png
from reports.page.html import render
from sim.io import write_text
from sim.kpis.catalogue import format_value, lookup

REPORT_FILE = "report.html"
TEMPLATE = "experiment/report.html.j2"
BASE_COLOR, VARIANT_COLOR, BEST_COLOR = "#8C959F", "#0072B2", "#009E73"


def _fmt(x: Any, sign: bool = False) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{x:+.4g}" if sign else f"{x:.4g}"


def _pct(x: float) -> str:
    return f"{x:+.1%}" if math.isfinite(x) else "n/a"


def kpi_title(key: str) -> str:
    """The KPI catalogue's label and unit of ``key``, e.g. ``"Mean wait (h)"``; the key itself
    for a KPI the catalogue does not know."""
    found = lookup(key)
    if found is None:
        return key
    unit = {"count": "", "fraction": "share"}.get(found.unit, found.unit)
    return f"{found.label} ({unit})" if unit else found.label


def _errors(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    # Undefined intervals (one replication) are drawn without a bar.
    err = np.vstack([mean - low, high - mean])
    return np.where(np.isfinite(err), err, 0.0)


def kpi_figure(summary: pd.DataFrame, kpi: str, baseline: str, best: str | None) -> str | None:
    """Means with 95 % intervals per variant, and paired differences to the baseline."""
    rows = summary[summary["kpi"] == kpi]
    if rows.empty or not np.isfinite(rows["mean"].to_numpy(dtype=float)).any():
        return None
    names = rows["variant"].astype(str).tolist()
    y = np.arange(len(names))[::-1]
    fig = Figure(figsize=(9.0, 0.45 * len(names) + 1.4))
    left, right = fig.subplots(1, 2, sharey=True)
    mean = rows["mean"].to_numpy(dtype=float)
    colors = [BASE_COLOR if n == baseline else BEST_COLOR if n == best else VARIANT_COLOR
              for n in names]
    low, high = readable.clip(kpi, rows["ci_low"].to_numpy(dtype=float),
                              rows["ci_high"].to_numpy(dtype=float))
    left.barh(y, np.nan_to_num(mean), color=colors, xerr=_errors(mean, low, high), capsize=3)
    for yi, m in zip(y, mean, strict=True):
        if not np.isfinite(m):
            left.text(0, yi, " never reached", va="center", fontsize=8, color=BASE_COLOR)
    left.set_yticks(y, names, fontsize=8)
    left.set_title(f"{kpi_title(kpi)}: mean, 95 % CI", fontsize=9, loc="left")
    d = rows["diff_mean"].to_numpy(dtype=float)
    right.errorbar(d, y, fmt="o", color=VARIANT_COLOR, capsize=3,
                   xerr=_errors(d, rows["diff_ci_low"].to_numpy(dtype=float),
                                rows["diff_ci_high"].to_numpy(dtype=float)))
    right.axvline(0.0, color="black", lw=0.8)
    right.set_title(f"paired difference to {baseline}, 95 % CI", fontsize=9, loc="left")
    for ax in (left, right):
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return to_base64_png(fig)


def _answer_row(a: Answer) -> dict[str, str]:
    ci = (f"{_fmt(a.diff_ci_low, True)} to {_fmt(a.diff_ci_high, True)}"
          if math.isfinite(a.diff_ci_low) else "n/a")
    if a.best == a.baseline:
        compared = f"next best {a.other}" if a.other != a.baseline else "only variant"
    else:
        compared = a.best
    ci = (f"{readable.diff(a.kpi, a.diff_ci_low)} to {readable.diff(a.kpi, a.diff_ci_high)}"
          if math.isfinite(a.diff_ci_low) else "n/a")
    return {"kpi": a.kpi, "label": kpi_title(a.kpi), "direction": a.direction,
            "best": a.best or "none",
            "best_mean": readable.value(a.kpi, a.best_mean),
            "baseline_mean": readable.value(a.kpi, a.baseline_mean),
            "compared": compared, "diff": readable.diff(a.kpi, a.diff_mean),
            "rel": readable.relative(a.diff_rel, a.baseline_mean),
            "ci": ci, "n": str(a.diff_n),
            "verdict": "yes" if a.distinguishable else "no",
            "is_baseline": a.best == a.baseline, "sentence": a.sentence()}


def _kpi_value(key: str, x: float) -> str:
    """A KPI value in the catalogue's format and unit (plain 4 digits for an unknown key)."""
    return format_value(key, x) if lookup(key) is not None else _fmt(x)


def _target_row(r: Mapping[str, Any]) -> dict[str, Any]:
    key = str(r["kpi"])
    mean = _kpi_value(key, r["mean"])
    if math.isfinite(r["ci_half"]):
        mean = f"{mean} ± {_kpi_value(key, r['ci_half'])}"
    return {"kpi": key, "label": r["label"], "variant": r["variant"], "source": r["source"],
            "target": _kpi_value(key, r["target"]),
            "band": f"{_kpi_value(key, r['band_low'])} to {_kpi_value(key, r['band_high'])}",
            "mean": mean, "n": str(r["n"]), "rel": _pct(r["rel_error"]),
            "within": "yes" if r["within"] else "no", "mark": "✓" if r["within"] else "✗"}


def _diff_rows(summary: pd.DataFrame, kpis: Sequence[str]) -> list[dict[str, str]]:
    out = []
    for kpi in kpis:
        for _, r in summary[(summary["kpi"] == kpi) & ~summary["is_baseline"]].iterrows():
            base = summary[(summary["kpi"] == kpi) & summary["is_baseline"]]["mean"]
            out.append({"kpi": kpi, "label": kpi_title(kpi), "variant": r["variant"],
                        "mean": readable.value(kpi, r["mean"]),
                        "diff": readable.diff(kpi, r["diff_mean"]),
                        "rel": readable.relative(r["diff_rel"],
                                                 float(base.iloc[0]) if len(base) else None),
                        "ci": (f"{readable.diff(kpi, r['diff_ci_low'])} to "
                               f"{readable.diff(kpi, r['diff_ci_high'])}"
                               if math.isfinite(r["diff_ci_low"]) else "n/a"),
                        "p": _fmt(r["diff_p_value"]), "n": str(r["diff_n"]),
                        "distinct": "yes" if r["diff_distinguishable"] else "no"})
    return out


def _all_rows(summary: pd.DataFrame) -> tuple[list[str], list[dict[str, Any]]]:
    variants = list(dict.fromkeys(summary["variant"].astype(str)))
    rows = []
    for kpi, g in summary.groupby("kpi", sort=False):
        key = str(kpi)
        cells = {str(r["variant"]): f"{readable.value(key, r['mean'])} "
                 f"[{readable.interval(key, r['ci_low'], r['ci_high'])}] n={r['n']}"
                 for _, r in g.iterrows()}
        rows.append({"kpi": kpi, "label": kpi_title(str(kpi)),
                     "cells": [cells.get(v, "") for v in variants]})
    return variants, rows


def render_report(summary: pd.DataFrame, out_path: str | Path, *, title: str, baseline: str,
                  headline: Mapping[str, str], inputs: Mapping[str, Any],
                  targets: Sequence[Mapping[str, Any]] = (),
                  timeline: pd.DataFrame | None = None, start_date: str = "") -> Path:
    """Write the comparison report for a summary table.

    Args:
        summary: as returned by :func:`experiments.stats.summarize`.
        out_path: the HTML file to write (atomically).
        title: page title (the experiment's name).
        baseline: the baseline variant.
        headline: KPI -> better direction; the answer and charts cover these.
        inputs: shown in the "Inputs" section (name -> value; lists and dicts as JSON).
        targets: published figures vs the variants (:func:`experiments.targets.target_rows`);
            empty = no "Published figures" section.
        timeline: the tasks' KPIs over time (:meth:`experiments.store.ResultStore.
            load_timelines`); None = no "Over time" section.
        start_date: calendar date of run day 0 for the over-time axes ('' = run days).

    Returns:
        ``out_path``.
    """
    found = answers(summary, headline, baseline)
    kpis = [a.kpi for a in found]
    charts = []
    for a in found:
        image = kpi_figure(summary, a.kpi, baseline, a.best or None)
        charts.append({"kpi": a.kpi, "label": kpi_title(a.kpi), "direction": a.direction,
                       "image": image})
    variants, all_rows = _all_rows(summary)
    n_rep = int(summary.loc[summary["variant"] == baseline, "n"].max()) if len(summary) else 0
    over_time = (None if timeline is None else
                 timeline_figure(timeline, variants, baseline, parse_date(start_date)))
    context = {
        "title": title, "baseline": baseline, "variants": variants, "over_time": over_time,
        "replications": n_rep,
        "answers": [_answer_row(a) for a in found],
        "missing": sorted(set(headline) - set(kpis)),
        "targets": [_target_row(r) for r in targets],
        "targets_summary": within_text(list(targets)) if targets else "",
        "payback": [{"variant": r["variant"],
                     "extra": f"{r['extra_spend_per_month']:,.0f}",
                     "gain": f"{r['gain_per_month']:,.0f}",
                     "spend": f"{r['spend_over_run']:,.0f}",
                     "months": (f"{r['payback_months']:.1f}" if math.isfinite(r["payback_months"])
                                else "never (no gain)")}
                    for r in payback_rows(summary, baseline)],
        "containment": containment_figure(contained := containment_rows(summary)),
        "containment_rows": containment_table(contained),
        "charts": charts, "diff_rows": _diff_rows(summary, kpis),
        "operating": operating_figure(summary),
        "all_variants": variants, "all_rows": all_rows,
        "inputs": readable.inputs_rows(inputs),
        "warning": readable.replication_warning(n_rep),
        "trade_off": readable.trade_off(found, kpi_title),
        "undefined": readable.undefined_notes(summary, kpis, n_rep, kpi_title),
    }
    html = render(context, TEMPLATE)
    return write_text(out_path, html)


def build_report(exp_dir: str | Path, out: str | Path | None = None) -> Path:
    """Rebuild ``report.html`` of an experiment directory from its result files.

    Args:
        exp_dir: holds ``summary.parquet`` and ``experiment.json`` (and, when it declares
            ``targets``, the ``kpis/`` rows of its variants and replications).
        out: the HTML file (default: ``<exp_dir>/report.html``).
    """
    exp_dir = Path(exp_dir)
    summary = pd.read_parquet(exp_dir / SUMMARY_PARQUET)
    meta = json.loads((exp_dir / EXPERIMENT_JSON).read_text(encoding="utf-8"))
    inputs = {k: meta[k] for k in ("base_overrides", "variants", "replications", "seed",
                                   "seeds", "n_jobs", "backend", "started_at", "wall_s",
                                   "tasks", "task_wall_s", "git_commit") if k in meta}
    replications = int(meta.get("replications") or len(meta.get("seeds", [])))
    timeline = ResultStore(exp_dir).load_timelines(list(meta.get("variants") or {}),
                                                   replications)
    return render_report(summary, Path(out) if out else exp_dir / REPORT_FILE,
                         title=str(meta.get("name", exp_dir.name)),
                         baseline=str(meta["baseline"]), headline=meta["headline"],
                         inputs=inputs, targets=_stored_targets(exp_dir, meta),
                         timeline=timeline, start_date=str(meta.get("start_date") or ""))


def _stored_targets(exp_dir: Path, meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The target rows of a finished experiment, from its ``kpis/`` rows."""
    targets = meta.get("targets") or {}
    if not targets:
        return []
    variants = list(meta.get("variants") or targets)
    replications = int(meta.get("replications") or len(meta.get("seeds", [])))
    return target_rows(ResultStore(exp_dir).load_grid(variants, replications), targets)


def multirun_report(multirun_dir: str | Path, out_dir: str | Path | None = None,
                    baseline: str | None = None,
                    headline: Mapping[str, str] | None = None) -> Path:
    """Merge a Hydra multirun (:func:`experiments.multirun.summarize_multirun`: it writes
    ``multirun_kpis.parquet``, ``summary.csv`` and ``summary.parquet``) and write the
    comparison ``report.html`` beside them.

    Args:
        multirun_dir: the sweep directory.
        out_dir: where to write (default: the sweep directory).
        baseline: the variant label to compare with (default: the first point's).
        headline: KPI -> ``lower``/``higher`` (default: the experiment default set).

    Returns:
        The report's path.
    """
    out = Path(out_dir) if out_dir else Path(multirun_dir)
    merged = summarize_multirun(multirun_dir, out, baseline)
    return render_report(merged.summary, out / REPORT_FILE, title=merged.title,
                         baseline=merged.baseline,
                         headline=dict(headline or DEFAULT_HEADLINE), inputs=merged.inputs,
                         timeline=merged.timeline, start_date=merged.start_date)
