"""Optuna samplers for a search, reseeded per trial so that a resumed study repeats itself.

Optuna's samplers keep a random state in memory: a study killed after trial 9 and
resumed would draw trial 10 from the seed's first numbers again. Here trial ``n``
is sampled by a fresh sampler seeded from ``(seed, n)``, which sees the study's
stored trials only; so trial ``n``'s parameters are a function of the seed and the
trials before it, whether the study ran in one go or was resumed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.samplers import BaseSampler
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState

from experiments.search.spec import SearchSpec, Variable


def distribution(var: Variable) -> BaseDistribution:
    """The Optuna distribution of a decision variable."""
    if var.type == "categorical":
        return CategoricalDistribution(list(var.choices))
    if var.type == "int":
        return IntDistribution(int(var.low), int(var.high), log=var.log,
                               step=int(var.step) if var.step else 1)
    return FloatDistribution(var.low, var.high, log=var.log, step=var.step)


def distributions(spec: SearchSpec) -> dict[str, BaseDistribution]:
    """Parameter name (the variable's path) -> distribution, in definition order."""
    return {v.path: distribution(v) for v in spec.variables}


def trial_seed(seed: int, number: int) -> int:
    """The seed of trial ``number``'s sampler: spawned from the search seed."""
    child = np.random.SeedSequence([int(seed), int(number)])
    return int(child.generate_state(1, dtype=np.uint32)[0])


def make_sampler(kind: str, seed: int, startup_trials: int) -> BaseSampler:
    """A plain Optuna sampler: ``tpe`` (multivariate), ``nsga2`` or ``random``.

    Constraints reach them as each trial's ``Trial.set_constraint`` values (Optuna >= 5,
    which replaced the samplers' ``constraints_func``): NSGA-II ranks feasible trials
    first, TPE models the feasible ones.
    """
    if kind == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=max(4, startup_trials), seed=seed)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup_trials,
                                      multivariate=True)


class PerTrialSeededSampler(BaseSampler):
    """Delegates to a new sampler for each trial, seeded from the search seed and the trial's
    number (see the module docstring).

    Args:
        factory: seed -> sampler.
        seed: the search seed.
    """

    def __init__(self, factory: Callable[[int], BaseSampler], seed: int) -> None:
        self._factory = factory
        self._seed = int(seed)
        self._inner = factory(trial_seed(seed, 0))

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._inner = self._factory(trial_seed(self._seed, trial.number))
        self._inner.before_trial(study, trial)

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial
                                    ) -> dict[str, BaseDistribution]:
        return self._inner.infer_relative_search_space(study, trial)

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        return self._inner.sample_relative(study, trial, search_space)

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        return self._inner.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState,
                    values: Sequence[float] | None) -> None:
        self._inner.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self._inner.reseed_rng()


def search_sampler(spec: SearchSpec) -> BaseSampler:
    """The sampler of a search: its kind, seeded per trial."""
    return PerTrialSeededSampler(
        lambda s: make_sampler(spec.sampler, s, spec.startup_trials), spec.seed)
