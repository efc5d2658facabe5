"""Merge a Hydra multirun directory (``fleetsim -m ...``) into one comparison.

Each point of a sweep (``<dir>/<n>/``) holds ``kpis.json``, ``run.json`` (written
last: a complete run) and ``.hydra/overrides.yaml``. A point's *variant* is its
overrides without ``seed=...`` and without the overrides every point shares; its
*replication* is the rank of its seed among the swept seeds, so a sweep such as
``fleetsim -m service.mobile.vans_per_10000_vehicles=1,2,4 seed=1,2,3`` is
compared like an experiment: paired by seed (common random numbers). A point that
wrote ``daily.parquet`` also gives its KPIs over time (:func:`sweep_timelines`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from experiments.runner import SUMMARY_CSV, SUMMARY_PARQUET
from experiments.stats import summarize
from sim.dataset import daily_path
from sim.io import read_kpis, write_parquet, write_text
from sim.kpis.timeline import timeline

MERGED_FILE = "multirun_kpis.parquet"


def _point_dirs(root: Path) -> list[Path]:
    dirs = [p.parent.parent for p in root.rglob(".hydra/overrides.yaml")
            if p.parent.parent != root]

    def key(p: Path) -> tuple:
        rel = p.relative_to(root).parts
        return tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in rel)

    return sorted(dirs, key=key)


def _is_seed(override: str) -> bool:
    return override.lstrip("+~").split("=", 1)[0] == "seed"


def merge_multirun(multirun_dir: str | Path) -> pd.DataFrame:
    """One row per complete point of a Hydra multirun: labels and every KPI.

    Args:
        multirun_dir: the sweep directory (``hydra.sweep.dir``).

    Returns:
        Columns ``point`` (folder relative to the sweep dir), ``overrides`` (the point's
        overrides joined by spaces), ``variant``, ``replication``, ``seed``, then the KPIs
        as floats. ``.attrs["incomplete"]`` lists points without ``run.json``.

    Raises:
        FileNotFoundError: no point has a ``.hydra/overrides.yaml``.
        ValueError: two points have the same variant and seed.
    """
    root = Path(multirun_dir)
    dirs = _point_dirs(root)
    if not dirs:
        raise FileNotFoundError(f"{root}: no Hydra multirun points (*/.hydra/overrides.yaml)")
    points, incomplete = [], []
    for d in dirs:
        overrides = [str(o) for o in yaml.safe_load(
            (d / ".hydra" / "overrides.yaml").read_text(encoding="utf-8")) or []]
        if not (d / "run.json").is_file() or not (d / "kpis.json").is_file():
            incomplete.append(str(d.relative_to(root)))
            continue
        run = json.loads((d / "run.json").read_text(encoding="utf-8"))
        seeds = [o.split("=", 1)[1] for o in overrides if _is_seed(o)]
        seed = int(seeds[-1]) if seeds else int(run["seed"])
        points.append((str(d.relative_to(root)), overrides, seed, read_kpis(d / "kpis.json")))
    if not points:
        raise FileNotFoundError(f"{root}: no complete point (run.json) among {len(dirs)}")
    shared = set.intersection(*(set(p[1]) for p in points))
    ranks = {s: i for i, s in enumerate(sorted({p[2] for p in points}))}
    rows = []
    for rel, overrides, seed, kpis in points:
        own = [o for o in overrides if not _is_seed(o) and o not in shared]
        row = {"point": rel, "overrides": " ".join(overrides), "variant": " ".join(own) or "base",
               "replication": ranks[seed], "seed": seed}
        row.update({k: float(v) for k, v in kpis.items()})
        rows.append(row)
    df = pd.DataFrame(rows)
    dup = df[df.duplicated(["variant", "seed"], keep=False)]
    if len(dup):
        raise ValueError(f"{root}: points {dup['point'].tolist()} have the same overrides and "
                         "seed; cannot pair them")
    df.attrs["incomplete"] = incomplete
    return df


@dataclass(frozen=True)
class MultirunSummary:
    """A merged sweep, summarised like an experiment (see :func:`summarize_multirun`).

    Attributes:
        title: the sweep directory's name.
        baseline: the variant the others are compared with.
        summary: per variant x KPI statistics (:func:`experiments.stats.summarize`).
        inputs: what the sweep was: directory, points, incomplete points, seeds, variants.
        timeline: the points' KPIs over time, stacked with ``variant`` and ``replication``
            (:func:`sweep_timelines`; empty when no point wrote ``daily.parquet``).
        start_date: ``output.start_date`` of the first point ('' = run days).
    """

    title: str
    baseline: str
    summary: pd.DataFrame
    inputs: dict[str, Any]
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)
    start_date: str = ""


def sweep_timelines(root: Path, points: pd.DataFrame) -> pd.DataFrame:
    """Each point's KPIs over time (:func:`sim.kpis.timeline.timeline` of its daily table,
    :func:`sim.dataset.daily_path`), stacked with the point's ``variant`` and ``replication``;
    points without one are left out (an incomplete point's dataset is refused)."""
    frames = []
    for row in points.itertuples(index=False):
        daily = daily_path(root / row.point)
        if daily is not None:
            frames.append(timeline(pd.read_parquet(daily)).assign(
                variant=row.variant, replication=row.replication))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _start_date(root: Path, points: pd.DataFrame) -> str:
    run = json.loads((root / points["point"].iloc[0] / "run.json").read_text(encoding="utf-8"))
    return str(((run.get("config") or {}).get("output") or {}).get("start_date") or "")


def summarize_multirun(multirun_dir: str | Path, out_dir: str | Path | None = None,
                       baseline: str | None = None) -> MultirunSummary:
    """Merge a multirun; write ``multirun_kpis.parquet``, ``summary.csv`` and ``summary.parquet``.

    Args:
        multirun_dir: the sweep directory.
        out_dir: where to write (default: the sweep directory).
        baseline: the variant label to compare with (default: the first point's).

    Raises:
        FileNotFoundError: no complete point (see :func:`merge_multirun`).
        ValueError: an unknown ``baseline``, or two points that cannot be paired.
    """
    root = Path(multirun_dir)
    out = Path(out_dir) if out_dir else root
    df = merge_multirun(root)
    variants = list(dict.fromkeys(df["variant"]))
    baseline = baseline or variants[0]
    if baseline not in variants:
        raise ValueError(f"baseline {baseline!r} is not a variant of {root}; "
                         f"variants: {', '.join(variants)}")
    kpi_cols = [c for c in df.columns if c not in ("point", "overrides", "variant",
                                                   "replication", "seed")]
    summary = summarize(df, baseline, variants, kpi_cols)
    write_parquet(out / MERGED_FILE, df)
    write_text(out / SUMMARY_CSV, summary.to_csv(index=False, float_format="%.10g"))
    write_parquet(out / SUMMARY_PARQUET, summary)
    inputs = {"multirun_dir": str(root), "points": len(df),
              "incomplete_points": df.attrs.get("incomplete", []),
              "seeds": sorted(set(df["seed"].tolist())),
              "variants": {v: df.loc[df["variant"] == v, "point"].tolist() for v in variants}}
    return MultirunSummary(root.name, baseline, summary, inputs, sweep_timelines(root, df),
                           _start_date(root, df))
