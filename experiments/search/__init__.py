"""Policy search: Pareto fronts over KPIs with Optuna, on common random numbers.

``configs/search/<name>.yaml`` defines the decision variables, objectives and
constraints (:mod:`.spec`); :class:`.engine.SearchEngine` runs the Optuna study,
each trial evaluated through the experiment runner (:mod:`.evaluate`); the front
is re-evaluated with more replications and compared with the baseline by paired
differences (:mod:`.select`). ``fleetsim-search`` is the command (:mod:`reports.search.cli`).

Files of a search run directory::

    study.db       the Optuna study (default storage; any SQLAlchemy URL by option)
    runs/          the experiment store of every evaluated policy (kpis/variant=p<hash>/...)
    search.json    definition, trials, front, final selection (rewritten as it goes)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import optuna

from experiments.search.engine import SEARCH_JSON, STUDY_DB, SearchEngine
from experiments.search.evaluate import Evaluator, runner_evaluator
from experiments.search.front import summary
from experiments.search.select import final_selection
from experiments.search.spec import SearchSpec, load_spec, spec_from_json

__all__ = ["SEARCH_JSON", "STUDY_DB", "SearchEngine", "SearchSpec", "load_spec",
           "refresh_summary", "run_search"]


def run_search(spec: SearchSpec, out_dir: str | Path, *, storage: str | None = None,
               evaluate: Evaluator | None = None, n_jobs: int = 1, backend: str = "loky",
               scheduler_address: str | None = None, batch: int | None = None,
               select: bool = True, progress: bool | None = None) -> dict[str, Any]:
    """Run (or resume) a search, then the final selection once every trial is finished.

    Args:
        spec: the checked definition (:func:`load_spec`).
        out_dir: run directory; rerunning into it (or the same ``storage``) resumes.
        storage: SQLAlchemy URL of the study (default: ``sqlite:///<out_dir>/study.db``).
        evaluate: policy evaluator (default: the experiment runner into ``out_dir/runs``).
        n_jobs, backend, scheduler_address: how the runner runs replications.
        batch: trials evaluated together (default: enough for ``n_jobs`` replications).
        select: run the final selection when no trial is left running.
        progress: tqdm line over trials (``None``: only on a terminal).

    Returns:
        The contents of ``search.json``.
    """
    evaluate = evaluate or runner_evaluator(spec, out_dir, n_jobs, backend, scheduler_address)
    if batch is None:
        cores = n_jobs if n_jobs > 0 else max(1, len(os.sched_getaffinity(0)))
        batch = 1 if spec.replications % cores == 0 else cores
    engine = SearchEngine(spec, out_dir, evaluate, storage=storage, batch=batch)
    data = engine.run(progress=progress)
    if not select or data["counts"]["running"] or data["counts"]["waiting"]:
        return data
    rows = {r["number"]: r for r in data["trials"]}
    selection = final_selection(spec, [rows[n] for n in data["front"]], evaluate)
    return engine.write_summary(selection)


def refresh_summary(run_dir: str | Path, data: dict[str, Any]) -> dict[str, Any]:
    """``search.json``'s contents with the trials, front and counts read again from the
    study, when it is the run directory's SQLite file (a study interrupted after its last
    summary); the final selection is kept only if the front is unchanged."""
    db = Path(run_dir) / STUDY_DB
    if not db.is_file() or not str(data.get("storage", "")).startswith("sqlite:///"):
        return data
    try:
        study = optuna.load_study(study_name=data["study_name"],
                                  storage=f"sqlite:///{db.resolve()}")
    except KeyError:
        return data
    fresh = {**data, **summary(study, spec_from_json(data["spec"]))}
    if fresh["front"] != data.get("front"):
        fresh.pop("selection", None)
    return fresh
