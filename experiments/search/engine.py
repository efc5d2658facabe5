"""Run a policy search: an Optuna study, one trial = R replications on common random numbers.

The study lives in an Optuna RDB storage: ``sqlite:///<run>/study.db`` by default,
any SQLAlchemy URL (PostgreSQL for several workers or machines) by option, so
``optuna-dashboard <url>`` opens it. Trials are asked and told here (ask-and-tell),
a batch at a time, and evaluated through the experiment runner
(:mod:`experiments.search.evaluate`).

Resuming: rerunning the same search into the same storage continues the study up to
its trial budget. A trial left RUNNING by a dead process of this host (a killed run)
is evaluated again with its stored parameters and told, under its own number; with
the per-trial seeded sampler (:mod:`experiments.search.sampler`) the resumed study
ends with the same trials as one run without interruption.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import optuna
import sqlalchemy.exc
from optuna.trial import FrozenTrial, TrialState
from tqdm import tqdm

from configs.validate import ConfigError
from experiments.search.evaluate import (
    Evaluator,
    constraint_names,
    constraint_values,
    kpi_means,
    policy_name,
    reported_kpis,
)
from experiments.search.front import summary
from experiments.search.sampler import distributions, search_sampler
from experiments.search.spec import SearchSpec, overrides
from sim.io import write_json

STUDY_DB = "study.db"
SEARCH_JSON = "search.json"
# Trials that use up the budget: a failed one too (an objective undefined in every
# replication), or a search whose trials all fail would never end.
_ACTIVE = (TrialState.COMPLETE, TrialState.RUNNING, TrialState.WAITING, TrialState.PRUNED,
           TrialState.FAIL)


def default_storage(out_dir: str | Path) -> str:
    """``sqlite:///<out_dir>/study.db`` (absolute)."""
    return f"sqlite:///{(Path(out_dir) / STUDY_DB).resolve()}"


def open_study(spec: SearchSpec, storage: str) -> optuna.Study:
    """Create the study ``spec.name`` in ``storage`` or load it; check it is this search's.

    Raises:
        ConfigError: the stored study was made by another definition (other variables,
            objectives, constraints, scenario, replications, seed or sampler).
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directions = ["minimize" if d == "lower" else "maximize" for d in spec.objectives.values()]
    for attempt in range(5):
        try:
            study = optuna.create_study(storage=storage, study_name=spec.name,
                                        directions=directions, sampler=search_sampler(spec),
                                        load_if_exists=True)
            break
        except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError):
            # Workers starting together on a new database race to create Optuna's tables;
            # the loser finds them made by the winner on the next try.
            if attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    stored = study.user_attrs.get("fingerprint")
    if stored is None:
        study.set_user_attr("fingerprint", spec.fingerprint())
        study.set_user_attr("objectives", spec.objectives)
    elif stored != spec.fingerprint():
        raise ConfigError(f"study {spec.name!r} in {safe_url(storage)} was made by another "
                          "search definition or scenario; use another --out or --storage to "
                          "start a new one (only search.trials may change on a resume)")
    return study


def safe_url(url: str) -> str:
    """A storage URL without its password."""
    head, sep, tail = url.partition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, cred = head.partition("://")
    return f"{scheme}://{cred.partition(':')[0]}@{tail}"


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _is_stale(trial: FrozenTrial) -> bool:
    """A RUNNING trial whose worker was a process of this host that no longer runs, or one
    without a worker after a minute (its process died between asking and naming itself)."""
    if "worker" not in trial.user_attrs:
        started = trial.datetime_start
        return started is not None and (_dt.datetime.now() - started).total_seconds() > 60
    host, _, pid = str(trial.user_attrs.get("worker", "")).rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class SearchEngine:
    """Asks, evaluates and tells the trials of one study.

    Args:
        spec: the checked search definition.
        out_dir: the run directory (``search.json``; the default SQLite storage).
        evaluate: runs policies (:func:`experiments.search.evaluate.runner_evaluator`).
        storage: SQLAlchemy URL of the study (default: :func:`default_storage`).
        batch: trials asked and evaluated together (fills the cores when the replications
            alone do not; a resumed study must use the same batch to repeat itself).
    """

    def __init__(self, spec: SearchSpec, out_dir: str | Path, evaluate: Evaluator,
                 storage: str | None = None, batch: int = 1) -> None:
        self.spec, self.out = spec, Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.storage = storage or default_storage(self.out)
        self.evaluate = evaluate
        self.batch = max(1, int(batch))
        self.study = open_study(spec, self.storage)
        self.kpis = reported_kpis(spec)

    def _counted(self) -> int:
        return len(self.study.get_trials(deepcopy=False, states=_ACTIVE))

    def run(self, progress: bool | None = None) -> dict[str, Any]:
        """Finish stale trials, then ask and evaluate until the trial budget is used.

        Args:
            progress: tqdm line over trials on stderr (``None``: only on a terminal).

        Returns:
            The study summary (also written to ``search.json``).
        """
        stale = [t for t in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                 if _is_stale(t)]
        if stale:
            self._evaluate_and_tell([(t.number, t.params) for t in stale])
        disable = True if progress is False else None
        with tqdm(total=self.spec.trials, initial=self._finished(), unit="trial",
                  desc=f"search {self.spec.name}", file=sys.stderr, disable=disable) as bar:
            while (room := self.spec.trials - self._counted()) > 0:
                size = min(self.batch, room)
                dists = distributions(self.spec)
                trials = [self.study.ask(fixed_distributions=dists) for _ in range(size)]
                for t in trials:
                    t.set_user_attr("worker", _worker())
                self._evaluate_and_tell([(t.number, t.params) for t in trials])
                data = self.write_summary()     # a killed run leaves its trials readable
                bar.update(size)
                bar.set_postfix_str(f"feasible {data['feasible']}, front {len(data['front'])}")
        return self.write_summary()

    def _finished(self) -> int:
        return len(self.study.get_trials(deepcopy=False,
                                         states=(TrialState.COMPLETE, TrialState.FAIL)))

    def _evaluate_and_tell(self, trials: Sequence[tuple[int, dict[str, Any]]]) -> None:
        policies = {}
        for number, params in trials:
            ovs = overrides(self.spec, params)
            policies[number] = (policy_name(ovs), ovs)
        known = self._known_policies()
        variants = {name: ovs for name, ovs in policies.values() if name not in known}
        kpis = self.evaluate(variants, self.spec.replications) if variants else None
        for number, (name, ovs) in policies.items():
            means = known[name] if name in known else kpi_means(kpis, name, self.kpis)
            cons = constraint_values(self.spec, means)
            trial = optuna.Trial(self.study, self._trial_id(number))
            # one attribute, one storage commit (each costs ~10 ms on a SQLite file)
            trial.set_user_attr("result", {
                "overrides": ovs, "policy": name, "constraints": cons,
                "kpis": {k: _json_float(v) for k, v in means.items()},
                "feasible": all(c <= 0 for c in cons)})
            for key, value in zip(constraint_names(self.spec), cons, strict=True):
                trial.set_constraint(key, value)
            values = [means[k] for k in self.spec.objectives]
            if all(math.isfinite(v) for v in values):
                self.study.tell(number, values)
            else:
                self.study.tell(number, state=TrialState.FAIL)

    def _known_policies(self) -> dict[str, dict[str, float]]:
        """Policy -> KPI means of the finished trials: a repeated policy is not evaluated
        again (the runner's store would give the same rows back, at a config's cost)."""
        out = {}
        for t in self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            res = t.user_attrs.get("result")
            if res:
                out[res["policy"]] = {k: math.nan if v is None else float(v)
                                      for k, v in res["kpis"].items()}
        return out

    def _trial_id(self, number: int) -> int:
        return self.study.get_trials(deepcopy=False)[number]._trial_id

    def write_summary(self, selection: dict[str, Any] | None = None) -> dict[str, Any]:
        """Write ``search.json``: the definition, the storage, trials, front (and selection)."""
        data = {"spec": asdict(self.spec), "storage": safe_url(self.storage),
                "study_name": self.spec.name, **summary(self.study, self.spec)}
        if selection is not None:
            data["selection"] = selection
        write_json(self.out / SEARCH_JSON, data)
        return data


def _json_float(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
