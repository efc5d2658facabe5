"""The service network reduced to M/M/c (``service=mmc``) against Erlang C.

For each setting (servers c, arrival rate, mean service time) one long run; its mean wait
in queue ``W_q`` (job created -> assigned) is compared with Erlang C's, with a
batch-means confidence interval from the run itself. The check's figure is the largest
``|W_q(sim) - W_q(Erlang C)| / half-width`` over the settings: within 1, every Erlang C
value lies inside its run's interval.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

import sim
from experiments.validate.checks import Check

HOURS_PER_DAY = 24.0
CONFIDENCE = 0.99
BATCHES = 20
# (servers c, arrivals per hour, mean service hours, days): offered load rho = lam / (c mu)
# from 0.5 to 0.95; the days give ~40-230 k jobs, more where rho is high and waits correlate.
FAST = ((1, 0.5, 1.0, 1500), (3, 2.0, 1.0, 800), (10, 8.0, 1.0, 250), (5, 4.75, 1.0, 2000))
FULL = FAST + ((2, 1.9, 1.0, 6000), (20, 19.0, 1.0, 600))
SEED = 1
SOURCE = ("Erlang C (CALIBRATION.md 'Queueing theory checks': c=3, lam=2, mu=1 -> W_q = "
          "0.4444 h; c=10, lam=8, mu=1 -> C = 0.4092, W_q = 0.2046 h)")


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """Probability of waiting C(c, a) and mean wait W_q (hours) of an M/M/c queue, a < c."""
    a = lam / mu
    if a >= c:
        raise ValueError(f"unstable queue: offered load {a:g} >= {c} servers")
    tail = a**c / math.factorial(c) * c / (c - a)
    prob_wait = tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)
    return prob_wait, prob_wait / (c * mu - lam)


def batch_means_half_width(x: np.ndarray, batches: int = BATCHES) -> float:
    """Half-width of the ``CONFIDENCE`` interval of the mean of ``x`` by batch means."""
    m = len(x) // batches
    means = x[: m * batches].reshape(batches, m).mean(axis=1)
    t = stats.t.ppf(0.5 + CONFIDENCE / 2, batches - 1)
    return float(t * means.std(ddof=1) / math.sqrt(batches))


def simulated_waits_h(c: int, lam: float, mean_h: float, days: int) -> np.ndarray:
    """Each job's wait in queue (hours), in arrival order, from one ``service=mmc`` run."""
    cfg = sim.load_config(["service=mmc", "fleet.size=1", f"horizon_days={days}", f"seed={SEED}",
                           "output.progress=false", f"service.poisson.servers={c}",
                           f"service.poisson.arrival_rate_per_h={lam}",
                           f"service.poisson.mean_service_h={mean_h}"])
    ev = sim.simulate(cfg).events
    ev = ev[ev["job"] >= 0]
    jobs = ev.pivot_table(index="job", columns="event", values="time_d", aggfunc="min")
    jobs = jobs.sort_index().dropna(subset=["job_assigned"])
    warm = jobs["job_created"] >= 0.05 * days  # drop the empty start
    return ((jobs["job_assigned"] - jobs["job_created"])[warm].to_numpy() * HOURS_PER_DAY)


def erlang_check(settings=FAST, waits_h=simulated_waits_h) -> Check:
    """Mean wait of each M/M/c setting against Erlang C (see the module docstring).

    ``waits_h`` runs a setting (default :func:`simulated_waits_h`; the runner passes a
    cached one that the Ciw check shares).
    """
    rows = []
    for c, lam, mean_h, days in settings:
        _, wq = erlang_c(c, lam, 1.0 / mean_h)
        waits = waits_h(c, lam, mean_h, days)
        half = batch_means_half_width(waits)
        rows.append({"c": c, "rho": round(lam * mean_h / c, 4), "jobs": int(waits.size),
                     "wq_erlang_h": round(wq, 5), "wq_sim_h": round(float(waits.mean()), 5),
                     "half_width_h": round(half, 5),
                     "z": round(abs(float(waits.mean()) - wq) / half, 4)})
    return Check(
        name="queueing_erlang_c",
        title="Service network reduced to M/M/c: mean wait in queue vs Erlang C",
        figure=max(r["z"] for r in rows), unit="|sim - Erlang C| / 99 % CI half-width",
        reference="Erlang C mean wait W_q", band=(0.0, 1.0), source=SOURCE,
        detail={"settings": rows, "confidence": CONFIDENCE, "batches": BATCHES, "seed": SEED},
        plot={"kind": "points", "x": [r["rho"] for r in rows],
              "reference": [r["wq_erlang_h"] for r in rows],
              "model": [r["wq_sim_h"] for r in rows],
              "error": [r["half_width_h"] for r in rows],
              "labels": [f"c={r['c']}" for r in rows],
              "x_label": "offered load per server rho", "y_label": "mean wait in queue W_q (h)"})
