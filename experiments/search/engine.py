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
ends with the same trials as one run without interruption. A worker keeps a heartbeat
in the storage for the trials it evaluates (Optuna's ``record_heartbeat``), so a trial
of a worker on another machine that died is taken over, the same way, once its
heartbeat is older than the grace period.

The trial budget holds with several workers: two workers may ask for the last trial
at once; the one whose trial comes later in the study's numbering marks it
``over_budget`` (told FAIL, not evaluated, left out of counts and summaries).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import socket
import sys
import threading
import time
import warnings
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
OVER_BUDGET = "over_budget"
# A worker's heartbeat for the trials it evaluates, and how old a heartbeat may be before
# another worker takes the trial over (a replication of 10 000 x 180 takes ~10 s; a
# worker's heartbeat thread runs beside its evaluation, so only a dead worker misses it).
HEARTBEAT_S = 30
GRACE_S = 180


def default_storage(out_dir: str | Path) -> str:
    """``sqlite:///<out_dir>/study.db`` (absolute)."""
    return f"sqlite:///{(Path(out_dir) / STUDY_DB).resolve()}"


def rdb_storage(url: str, heartbeat_s: int = HEARTBEAT_S,
                grace_s: int = GRACE_S) -> optuna.storages.RDBStorage:
    """The study's RDB storage, with heartbeats (for taking over a dead worker's trials)."""
    with warnings.catch_warnings():     # "heartbeat_interval is an experimental feature"
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.RDBStorage(url, heartbeat_interval=int(heartbeat_s),
                                          grace_period=int(grace_s))


def open_study(spec: SearchSpec, storage: str, heartbeat_s: int = HEARTBEAT_S,
               grace_s: int = GRACE_S) -> optuna.Study:
    """Create the study ``spec.name`` in ``storage`` or load it; check it is this search's.

    Raises:
        ConfigError: the stored study was made by another definition (other variables,
            objectives, constraints, scenario, replications, seed or sampler).
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directions = ["minimize" if d == "lower" else "maximize" for d in spec.objectives.values()]
    for attempt in range(5):
        try:
            study = optuna.create_study(storage=rdb_storage(storage, heartbeat_s, grace_s),
                                        study_name=spec.name,
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


def _is_stale(trial: FrozenTrial, stale_ids: set[int]) -> bool:
    """A RUNNING trial whose worker was a process of this host that no longer runs, one of
    another host whose heartbeat is older than the grace period (``stale_ids``, from the
    storage), or one without a worker after a minute (its process died between asking
    and naming itself)."""
    if "worker" not in trial.user_attrs:
        started = trial.datetime_start
        return started is not None and (_dt.datetime.now() - started).total_seconds() > 60
    host, _, pid = str(trial.user_attrs.get("worker", "")).rpartition(":")
    if host != socket.gethostname():
        return trial._trial_id in stale_ids
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Heartbeat:
    """Records a heartbeat for some trials every ``interval_s`` in a daemon thread."""

    def __init__(self, storage: Any, trial_ids: Sequence[int], interval_s: float) -> None:
        self.storage, self.ids, self.interval = storage, list(trial_ids), float(interval_s)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while True:
            for i in self.ids:
                self.storage.record_heartbeat(i)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


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
                 storage: str | None = None, batch: int = 1, heartbeat_s: int = HEARTBEAT_S,
                 grace_s: int = GRACE_S) -> None:
        self.spec, self.out = spec, Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.storage = storage or default_storage(self.out)
        self.evaluate = evaluate
        self.batch = max(1, int(batch))
        self.heartbeat_s = heartbeat_s
        self.study = open_study(spec, self.storage, heartbeat_s, grace_s)
        self.kpis = reported_kpis(spec)

    def _budgeted(self) -> list[FrozenTrial]:
        """The trials that use up the budget (not those marked over budget)."""
        return [t for t in self.study.get_trials(deepcopy=False, states=_ACTIVE)
                if not t.user_attrs.get(OVER_BUDGET)]

    def _counted(self) -> int:
        return len(self._budgeted())

    def _within_budget(self, asked: Sequence[optuna.Trial]) -> list[optuna.Trial]:
        """The asked trials that fit the budget; the others (another worker asked for the
        last trials at the same time and got the earlier numbers) are told FAIL, marked
        ``over_budget`` and not evaluated."""
        numbers = sorted(t.number for t in self._budgeted())
        keep = []
        for t in asked:
            if numbers.index(t.number) < self.spec.trials:
                keep.append(t)
            else:
                t.set_user_attr(OVER_BUDGET, True)
                self.study.tell(t, state=TrialState.FAIL)
        return keep

    def _stale(self) -> list[FrozenTrial]:
        """RUNNING trials whose worker died (see :func:`_is_stale`)."""
        storage = self.study._storage
        stale_ids = set(storage._get_stale_trial_ids(self.study._study_id))
        return [t for t in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                if _is_stale(t, stale_ids)]

    def run(self, progress: bool | None = None) -> dict[str, Any]:
        """Finish stale trials, then ask and evaluate until the trial budget is used.

        Args:
            progress: tqdm line over trials on stderr (``None``: only on a terminal).

        Returns:
            The study summary (also written to ``search.json``).
        """
        stale = self._stale()
        if stale:
            for t in stale:     # taken over: another worker sees this one's heartbeat now
                self.study._storage.set_trial_user_attr(t._trial_id, "worker", _worker())
            self._evaluate_and_tell([(t.number, t.params) for t in stale])
        disable = True if progress is False else None
        with tqdm(total=self.spec.trials, initial=self._finished(), unit="trial",
                  desc=f"search {self.spec.name}", file=sys.stderr, disable=disable) as bar:
            while (room := self.spec.trials - self._counted()) > 0:
                size = min(self.batch, room)
                dists = distributions(self.spec)
                with warnings.catch_warnings():   # heartbeats without Study.optimize: ours
                    warnings.filterwarnings("ignore", "Heartbeat of storage", UserWarning)
                    trials = [self.study.ask(fixed_distributions=dists) for _ in range(size)]
                for t in trials:
                    t.set_user_attr("worker", _worker())
                trials = self._within_budget(trials)
                if not trials:
                    break
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
        ids = [self._trial_id(number) for number in policies]
        with Heartbeat(self.study._storage, ids, self.heartbeat_s):
            kpis = self.evaluate(variants, self.spec.replications) if variants else None
        for number, (name, ovs) in policies.items():
            if self._state(number) != TrialState.RUNNING:
                continue        # a worker that took it over for dead has told it already
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

    def _state(self, number: int) -> TrialState:
        return self.study.get_trials(deepcopy=False)[number].state

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
