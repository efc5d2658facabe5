"""``service=mmc`` against queueing theory: Erlang C, Little's law, utilization.

The preset reduces the service network to an M/M/c queue (Poisson arrivals at
rate λ, exponential service at rate μ, c identical servers, FIFO, no travel).
Each case is one long run (~50-80 k jobs); its confidence intervals come from
the run itself by batch means over consecutive jobs.

Check values (CALIBRATION.md, "Queueing theory checks"): c=3, λ=2/h, μ=1/h ->
W_q = 0.4444 h; c=10, λ=8/h, μ=1/h -> C = 0.4092, W_q = 0.2046 h.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim

HOURS = 24.0
BATCHES = 25
CONFIDENCE = 0.99
CASES = {  # name: (servers c, arrival rate λ per hour, mean service hours 1/μ, days)
    "c3_lambda2": (3, 2.0, 1.0, 1100),
    "c10_lambda8": (10, 8.0, 1.0, 400),
}

# ----------------------------------------------------------- Erlang C
def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """Probability of waiting C(c, a) and mean wait W_q of an M/M/c queue, a = λ/μ < c.

    C(c, a) = [a^c / c! · c / (c - a)] / [Σ_{k<c} a^k / k! + a^c / c! · c / (c - a)],
    W_q = C / (c μ - λ).
    """
    a = lam / mu
    assert a < c, "unstable"
    tail = a**c / math.factorial(c) * c / (c - a)
    prob_wait = tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)
    return prob_wait, prob_wait / (c * mu - lam)


def test_erlang_c_reproduces_the_calibration_check_values():
    assert erlang_c(3, 2.0, 1.0)[1] == pytest.approx(0.4444, abs=5e-5)
    prob_wait, wq = erlang_c(10, 8.0, 1.0)
    assert prob_wait == pytest.approx(0.4092, abs=5e-5)
    assert wq == pytest.approx(0.2046, abs=5e-5)
    # M/M/1 special case: W_q = ρ / (μ - λ).
    assert erlang_c(1, 0.5, 1.0) == pytest.approx((0.5, 1.0))


# ----------------------------------------------------------- the runs
@dataclass
class MMC:
    c: int
    lam: float
    mu: float
    days: int
    kpis: dict
    events: pd.DataFrame
    jobs: pd.DataFrame   # one row per job (index: job id = arrival order), times in days


def batch_means_ci(x: np.ndarray, batches: int = BATCHES) -> float:
    """Half-width of the confidence interval of the mean of ``x`` by batch means."""
    m = len(x) // batches
    means = x[: m * batches].reshape(batches, m).mean(axis=1)
    t = stats.t.ppf(0.5 + CONFIDENCE / 2, batches - 1)
    return float(t * means.std(ddof=1) / math.sqrt(batches))


def time_average(up: np.ndarray, down: np.ndarray, t0: float, t1: float) -> float:
    """Time-average over ``[t0, t1]`` of the count of items that went up and not yet down."""
    down = down[~np.isnan(down)]
    t = np.concatenate([up, down])
    step = np.concatenate([np.ones(len(up)), -np.ones(len(down))])
    order = np.argsort(t, kind="stable")
    t, count = t[order], np.cumsum(step[order])
    seg_start = np.clip(t, t0, t1)
    seg_end = np.clip(np.append(t[1:], t1), t0, t1)
    return float(np.sum(count * (seg_end - seg_start)) / (t1 - t0))


@pytest.fixture(scope="module", params=list(CASES))
def mmc(request) -> MMC:
    c, lam, mean_h, days = CASES[request.param]
    cfg = sim.load_config(["service=mmc", "fleet.size=1", f"horizon_days={days}", "seed=1",
                           "output.progress=false", f"service.poisson.servers={c}",
                           f"service.poisson.arrival_rate_per_h={lam}",
                           f"service.poisson.mean_service_h={mean_h}"])
    res = sim.simulate(cfg)
    ev = res.events[res.events["job"] >= 0]
    jobs = ev.pivot_table(index="job", columns="event", values="time_d", aggfunc="min")
    jobs["tech"] = ev[ev["event"] == "job_assigned"].groupby("job")["technician"].first()
    return MMC(c, lam, 1.0 / mean_h, days, res.kpis, res.events, jobs.sort_index())


def test_the_runs_are_long_enough(mmc):
    assert len(mmc.jobs) >= 50_000
    assert mmc.kpis["service_jobs"] == len(mmc.jobs)


def test_the_queue_is_stable(mmc):
    """ρ < 1: the backlog at the horizon is a handful of jobs, not a growing queue."""
    assert mmc.kpis["service_jobs_open_end"] < 5 * mmc.c


def test_arrivals_are_a_poisson_stream(mmc):
    gaps_h = np.diff(mmc.jobs["job_created"].to_numpy()) * HOURS
    assert (gaps_h >= 0).all()  # job ids are in arrival order
    assert gaps_h.mean() == pytest.approx(1.0 / mmc.lam, rel=0.02)
    assert stats.kstest(gaps_h, "expon", args=(0, 1.0 / mmc.lam)).pvalue > 1e-3


def test_service_times_are_exponential(mmc):
    done = mmc.jobs.dropna(subset=["job_finished"])
    service_h = (done["job_finished"] - done["job_started"]).to_numpy() * HOURS
    assert service_h.mean() == pytest.approx(1.0 / mmc.mu, rel=0.02)
    assert service_h.std() / service_h.mean() == pytest.approx(1.0, abs=0.03)
    assert stats.kstest(service_h, "expon", args=(0, 1.0 / mmc.mu)).pvalue > 1e-3


def test_the_network_is_reduced_to_one_queue(mmc):
    ev = mmc.events
    assert not (ev["event"] == "failure").any()  # the twins' failures are off
    assert set(ev["event"]) <= {"job_created", "job_triaged", "job_assigned", "job_arrived",
                                "job_started", "job_finished"}
    assert set(ev["region"]) == {"queue"} and (ev["vehicle"] == -1).all()
    assert mmc.kpis["technicians"] == mmc.c
    assert set(mmc.jobs["tech"].dropna().astype(int)) == set(range(mmc.c))
    fin = ev[ev["event"] == "job_finished"]
    assert set(fin["outcome"]) == {"fixed"} and fin["job"].is_unique  # one visit, always fixed
    served = mmc.jobs.dropna(subset=["job_started"])
    assert (served["job_arrived"] == served["job_assigned"]).all()  # no travel
    assert (served["job_started"] == served["job_assigned"]).all()


def test_the_queue_is_fifo_and_work_conserving(mmc):
    """A job waits exactly when all c servers are busy at its arrival; FIFO order."""
    j = mmc.jobs.dropna(subset=["job_assigned"])
    assigned = j["job_assigned"].to_numpy()
    assert (np.diff(assigned) >= 0).all(), "served out of arrival order"
    created = j["job_created"].to_numpy()
    finished = j["job_finished"].fillna(np.inf).to_numpy()
    # Jobs in service at each arrival: assigned before it and not finished before it.
    starts, ends = np.sort(assigned), np.sort(finished)
    busy = (np.searchsorted(starts, created, side="left")
            - np.searchsorted(ends, created, side="right"))
    waited = assigned > created
    assert (busy[waited] == mmc.c).all()
    assert (busy[~waited] < mmc.c).all()
    assert waited.any() and (~waited).any()


def test_mean_wait_matches_erlang_c(mmc):
    _, wq_theory = erlang_c(mmc.c, mmc.lam, mmc.mu)
    j = mmc.jobs.dropna(subset=["job_assigned"])
    wait_h = (j["job_assigned"] - j["job_created"]).to_numpy() * HOURS
    assert mmc.kpis["mean_wait_h"] == pytest.approx(wait_h.mean(), rel=1e-9)
    half = batch_means_ci(wait_h)
    assert half < 0.3 * wq_theory, "the interval is too wide to test anything"
    assert abs(mmc.kpis["mean_wait_h"] - wq_theory) <= half, (
        f"W_q = {mmc.kpis['mean_wait_h']:.4f} h, Erlang C {wq_theory:.4f} ± {half:.4f} h")


def test_probability_of_waiting_matches_erlang_c(mmc):
    prob_theory, _ = erlang_c(mmc.c, mmc.lam, mmc.mu)
    j = mmc.jobs.dropna(subset=["job_assigned"])
    waited = (j["job_assigned"] > j["job_created"]).to_numpy().astype(float)
    half = batch_means_ci(waited)
    assert half < 0.1
    assert abs(waited.mean() - prob_theory) <= half


def test_littles_law_holds_on_the_same_run(mmc):
    """L_q = λ W_q and L = λ W, time averages from the events after a warm-up."""
    j = mmc.jobs
    t0, t1 = 0.1 * mmc.days, 0.9 * mmc.days  # skip the empty start and the open tail
    window = j[(j["job_created"] >= t0) & (j["job_created"] < t1)]
    lam_hat = len(window) / ((t1 - t0) * HOURS)
    assert lam_hat == pytest.approx(mmc.lam, rel=0.02)
    created = j["job_created"].to_numpy()
    lq = time_average(created, j["job_assigned"].to_numpy(), t0, t1)
    l_sys = time_average(created, j["job_finished"].to_numpy(), t0, t1)
    wq_h = float((window["job_assigned"] - window["job_created"]).mean() * HOURS)
    w_h = float((window["job_finished"] - window["job_created"]).mean() * HOURS)
    assert lq == pytest.approx(mmc.lam * wq_h, rel=0.03)
    assert l_sys == pytest.approx(mmc.lam * w_h, rel=0.03)
    # ... and both agree with the M/M/c values: L = L_q + λ/μ.
    prob, wq_theory = erlang_c(mmc.c, mmc.lam, mmc.mu)
    assert lq == pytest.approx(mmc.lam * wq_theory, rel=0.25)
    assert l_sys == pytest.approx(mmc.lam * wq_theory + mmc.lam / mmc.mu, rel=0.05)


def test_utilization_is_the_offered_load_per_server(mmc):
    rho = mmc.lam / (mmc.c * mmc.mu)
    assert mmc.kpis["technician_utilization"] == pytest.approx(rho, abs=0.02)
    # jobs per server-day: λ·24 / c
    assert mmc.kpis["jobs_per_technician_day"] == pytest.approx(mmc.lam * HOURS / mmc.c,
                                                                rel=0.03)
