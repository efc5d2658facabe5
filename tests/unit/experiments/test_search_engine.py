"""The search engine on a synthetic objective with a known Pareto front (no simulation).

Policies: vans x in 2..8 and experts y in 1..4 (real config paths, so the definition
is checked as a real one). Cost = x, wait = 24 / x + 3 (y - 1): more vans cost more
and wait less; experts above one only add wait. The front is y = 1 for every x; its
extremes are (2, 1) (cheapest) and (8, 1) (shortest wait). Rescues within target:
0.95 with x >= 4, else 0.5 (so x < 4 breaks the constraint ``min: 0.9``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from experiments.search import run_search
from experiments.search.engine import SearchEngine
from experiments.search.front import dominates, pareto_front
from experiments.search.select import final_selection
from experiments.search.spec import parse_spec

VANS, EXPERTS = "service.mobile.vans_per_10000_vehicles", "service.experts.per_100_vans"
HERE = Path(__file__).resolve().parent


def synthetic_spec(trials: int = 10, constraint: bool = False, **extra):
    data = {"name": "synthetic",
            "variables": {VANS: {"type": "int", "low": 2, "high": 8},
                          EXPERTS: {"type": "int", "low": 1, "high": 4}},
            "objectives": {"cost_per_job_mobile": "lower", "mean_wait_h": "lower"},
            "replications": 2, "final_replications": 4, "trials": trials, "seed": 3,
            "startup_trials": 6, **extra}
    if constraint:
        data["constraints"] = {"rescue_within_target_rate": {"min": 0.9}}
    return parse_spec(data)


class Synthetic:
    """Evaluator: the known trade-off plus common random noise (the same in every policy
    for a replication); ``calls`` counts (policy, replication) evaluations."""

    def __init__(self, kill_at_call: int | None = None) -> None:
        self.calls: Counter = Counter()
        self.n = 0
        self.kill_at_call = kill_at_call

    def __call__(self, variants, replications):
        self.n += 1
        if self.kill_at_call is not None and self.n == self.kill_at_call:
            os.kill(os.getpid(), signal.SIGKILL)   # a killed run: mid-trial, nothing told
        rows = []
        for name, ovs in variants.items():
            d = dict(o.split("=", 1) for o in ovs)
            x, y = float(d.get(VANS, 6)), float(d.get(EXPERTS, 5))
            for r in range(replications):
                self.calls[(name, r)] += 1
                noise = float(np.random.default_rng(r).normal(0.0, 0.05))
                rows.append({"variant": name, "replication": r, "seed": 100 + r,
                             "cost_per_job_mobile": x + noise,
                             "mean_wait_h": 24.0 / x + 3.0 * (y - 1.0) + noise,
                             "rescue_within_target_rate": 0.95 if x >= 4 else 0.5})
        return pd.DataFrame(rows)


def params_of(data):
    return [(t["number"], t["state"], t["params"]) for t in data["trials"]]


def test_the_front_is_non_dominated_and_holds_the_known_extremes(tmp_path):
    evaluate = Synthetic()
    # seed 4: TPE's 24 trials find the whole true front (seeds 2 and 3 miss an end; seeds 1,
    # 4-8 hold both extremes)
    data = run_search(synthetic_spec(trials=24, seed=4), tmp_path, evaluate=evaluate,
                      progress=False)
    done = [t for t in data["trials"] if t["state"] == "COMPLETE"]
    assert len(done) == 24
    front = [t for t in done if t["number"] in data["front"]]
    points = {(t["params"][VANS], t["params"][EXPERTS]) for t in front}
    assert {(2, 1), (8, 1)} <= points                # the known extremes
    assert points == {(x, 1) for x in range(2, 9)}  # here: exactly the true front
    vec = {t["number"]: [t["kpis"]["cost_per_job_mobile"], t["kpis"]["mean_wait_h"]]
           for t in done}
    for n in data["front"]:
        assert not any(dominates(vec[m], vec[n]) for m in vec if m != n)
    # a repeated policy is not evaluated again: trials' replications 0-1 once per policy,
    # the final selection reads 0-3 of the front and the baseline once more
    policies = Counter(t["policy"] for t in done)
    assert len(policies) < 24
    final = {c["policy"] for c in data["selection"]["candidates"]} | {
        data["selection"]["baseline"]["policy"]}
    assert {k: v for k, v in evaluate.calls.items() if k[1] < 2} == {
        (p, r): (p in policies) + (p in final) for p in set(policies) | final for r in (0, 1)}
    assert data["selection"]["replications"] == 4


def test_constraints_keep_infeasible_trials_out_of_front_and_recommendation(tmp_path):
    data = run_search(synthetic_spec(trials=14, constraint=True), tmp_path,
                      evaluate=Synthetic(), progress=False)
    infeasible = {t["number"] for t in data["trials"] if t["params"][VANS] < 4}
    assert infeasible                                 # the sampler did try cheap, infeasible ones
    assert all(not t["feasible"] for t in data["trials"] if t["number"] in infeasible)
    assert not infeasible & set(data["front"])
    sel = data["selection"]
    rec = next(c for c in sel["candidates"] if c["trial"] == sel["recommended"])
    assert rec["params"][VANS] == 4 and rec["params"][EXPERTS] == 1   # cheapest feasible
    assert rec["means"]["rescue_within_target_rate"] == 0.95
    # the unconstrained front would have started at 2 vans
    rows = [dict(t, feasible=True) for t in data["trials"]]
    assert min(next(t for t in rows if t["number"] == n)["params"][VANS]
               for n in pareto_front(rows, {"cost_per_job_mobile": "lower",
                                            "mean_wait_h": "lower"})) < 4


def test_candidates_within_noise_of_each_other_are_ties_not_ranked():
    spec = synthetic_spec(final_replications=10)
    front = [{"number": i, "policy": f"p{i}", "params": {}, "overrides": [f"{VANS}={x}"]}
             for i, x in enumerate([5.0, 5.01, 7.0])]

    def noisy(variants, replications):   # independent noise per policy: no common numbers
        rows = []
        for k, (name, ovs) in enumerate(variants.items()):
            x = float(dict(o.split("=", 1) for o in ovs).get(VANS, 6))
            rng = np.random.default_rng(k)
            for r in range(replications):
                e = float(rng.normal(0, 0.3))
                rows.append({"variant": name, "replication": r, "seed": r,
                             "cost_per_job_mobile": x + e, "mean_wait_h": 24 / x + e,
                             "rescue_within_target_rate": 1.0})
        return pd.DataFrame(rows)

    sel = final_selection(spec, front, noisy)
    assert sel["recommended"] in (0, 1)
    assert sel["ties"] == [1 - sel["recommended"]]            # 5.00 vs 5.01: a tie
    assert [0, 1] in sel["pairwise_ties"] and [0, 2] not in sel["pairwise_ties"]
    cand = {c["trial"]: c for c in sel["candidates"]}
    vs = cand[2]["versus_baseline"]["cost_per_job_mobile"]     # 7 vs the baseline's 6
    assert vs["diff_low"] < vs["diff"] < vs["diff_high"]
    assert vs["distinguishable"] and 0.5 < vs["diff"] < 1.5


def killed_run(out: str, kill_at_call: int) -> None:
    """Run in a subprocess: the search dies by SIGKILL during evaluation ``kill_at_call``."""
    SearchEngine(synthetic_spec(), out, Synthetic(kill_at_call)).run(progress=False)


def test_a_killed_study_resumes_to_the_same_trials(tmp_path):
    whole = SearchEngine(synthetic_spec(), tmp_path / "whole", Synthetic()).run(progress=False)
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import test_search_engine as t; "
            f"t.killed_run({str(tmp_path / 'killed')!r}, 6)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    engine = SearchEngine(synthetic_spec(), tmp_path / "killed", Synthetic())
    before = engine.study.get_trials()
    assert [t.state.name for t in before].count("RUNNING") == 1 and len(before) == 6
    resumed = engine.run(progress=False)
    assert params_of(resumed) == params_of(whole)
    assert [t["kpis"] for t in resumed["trials"]] == [t["kpis"] for t in whole["trials"]]


def test_another_definition_cannot_resume_the_study(tmp_path):
    SearchEngine(synthetic_spec(trials=2), tmp_path, Synthetic()).run(progress=False)
    with pytest.raises(ValueError, match="was made by another search definition"):
        SearchEngine(synthetic_spec(trials=2, seed=4), tmp_path, Synthetic())
    more = SearchEngine(synthetic_spec(trials=3), tmp_path, Synthetic()).run(progress=False)
    assert len(more["trials"]) == 3                   # a larger budget resumes


def worker(storage: str, out: str, trials: int) -> None:
    """Run in a subprocess: one of several workers of a study in ``storage``."""
    import time

    class Slow(Synthetic):
        def __call__(self, variants, replications):
            time.sleep(0.3)          # a trial takes a while, so the workers interleave
            return super().__call__(variants, replications)

    SearchEngine(synthetic_spec(trials=trials), out, Slow(), storage=storage).run(progress=False)


def test_trials_with_an_undefined_objective_fail_and_use_up_the_budget(tmp_path):
    def undefined(variants, replications):
        rows = Synthetic()(variants, replications)
        return rows.assign(mean_wait_h=float("nan"))

    data = run_search(synthetic_spec(trials=3), tmp_path, evaluate=undefined, progress=False)
    assert [t["state"] for t in data["trials"]] == ["FAIL"] * 3
    assert data["front"] == [] and data["selection"]["recommended"] is None


def foreign_trial(engine: SearchEngine, worker: str):
    """A trial asked in the engine's study by another worker (another handle on the storage)."""
    from experiments.search.sampler import distributions

    other = optuna.load_study(study_name=engine.spec.name, storage=engine.study._storage)
    trial = other.ask(fixed_distributions=distributions(engine.spec))
    trial.set_user_attr("worker", worker)
    return trial


def test_two_workers_asking_for_the_last_trial_at_once_keep_the_budget(tmp_path):
    SearchEngine(synthetic_spec(trials=2), tmp_path, Synthetic()).run(progress=False)
    engine = SearchEngine(synthetic_spec(trials=3), tmp_path, Synthetic())
    ask = engine.study.ask

    def racing_ask(**kw):      # another machine's worker asks between our count and our ask
        foreign_trial(engine, "another-host:1")
        return ask(**kw)

    engine.study.ask = racing_ask
    data = engine.run(progress=False)
    trials = engine.study.get_trials()
    assert [t.state.name for t in trials] == ["COMPLETE", "COMPLETE", "RUNNING", "FAIL"]
    assert trials[3].user_attrs["over_budget"] and "result" not in trials[3].user_attrs
    assert [t["number"] for t in data["trials"]] == [0, 1, 2]       # left out of the summary
    assert engine._counted() == 3


def test_a_dead_remote_workers_trial_is_taken_over_after_its_heartbeat_stops(tmp_path):
    import time

    engine = SearchEngine(synthetic_spec(trials=2), tmp_path / "dead", Synthetic(),
                          heartbeat_s=1, grace_s=1)
    dead = foreign_trial(engine, "another-host:1")
    engine.study._storage.record_heartbeat(dead._trial_id)
    time.sleep(2.5)                                   # no heartbeat since: the worker died
    data = engine.run(progress=False)
    states = {t["number"]: t["state"] for t in data["trials"]}
    assert states == {0: "COMPLETE", 1: "COMPLETE"}
    taken = engine.study.get_trials()[0]
    assert taken.user_attrs["worker"].endswith(f":{os.getpid()}")
    assert taken.user_attrs["result"]["kpis"]["cost_per_job_mobile"] == pytest.approx(
        taken.params[VANS], abs=0.2)

    alive = SearchEngine(synthetic_spec(trials=2), tmp_path / "alive", Synthetic(),
                         heartbeat_s=1, grace_s=60)
    busy = foreign_trial(alive, "another-host:2")
    alive.study._storage.record_heartbeat(busy._trial_id)
    alive.run(progress=False)
    assert [t.state.name for t in alive.study.get_trials()] == ["RUNNING", "COMPLETE"]
