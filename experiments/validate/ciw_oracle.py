"""The M/M/c reduction against a second oracle: Ciw's M/M/c simulation (deliverable 4).

Ciw (Palmer et al. 2019, github.com/CiwPython/Ciw) simulates each setting of
:mod:`~experiments.validate.queueing` (servers c, arrival rate, mean service time, the same
simulated time) independently of fleetsim. Both mean waits in queue ``W_q`` come with a
batch-means 99 % interval; the figure is the largest ``|W_q(fleetsim) - W_q(Ciw)|`` over
the combined half-width ``sqrt(h_fleetsim^2 + h_ciw^2)``: within 1, the two simulations
agree at 99 % in every setting. Ciw is a test-time dependency (the ``test`` extra); without
it the check fails saying so.
"""

from __future__ import annotations

import math

import numpy as np

from experiments.validate import queueing
from experiments.validate.checks import Check

SEED = 1
SOURCE = ("Ciw 3.2 (Palmer, Knight, Harper, Tuson 2019, J. Simulation 13:4): M/M/c simulated "
          "independently of fleetsim on the same settings")


def ciw_waits_h(c: int, lam: float, mean_h: float, days: int, seed: int = SEED) -> np.ndarray:
    """Each customer's wait in queue (hours), in arrival order, from one Ciw run."""
    import ciw  # test-time dependency: only fleetsim-validate --full needs it

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / mean_h)],
        number_of_servers=[c])
    ciw.seed(seed)
    run = ciw.Simulation(network)
    hours = days * queueing.HOURS_PER_DAY
    run.simulate_until_max_time(hours)
    records = run.get_all_records()
    arrival = np.array([r.arrival_date for r in records])
    wait = np.array([r.waiting_time for r in records])
    keep = arrival >= 0.05 * hours  # drop the empty start, as the fleetsim side does
    return wait[keep][np.argsort(arrival[keep], kind="stable")]


def ciw_check(settings=queueing.FAST, fleetsim_waits=queueing.simulated_waits_h) -> Check:
    """fleetsim's M/M/c mean wait against Ciw's in each setting (module docstring)."""
    try:
        import ciw  # noqa: F401
    except ImportError as exc:
        return Check(name="queueing_ciw", title="M/M/c mean wait vs Ciw",
                     figure=math.nan, unit="|fleetsim - Ciw| / combined 99 % half-width",
                     reference="Ciw M/M/c", band=(0.0, 1.0), source=SOURCE,
                     detail={"error": f"Ciw is not installed ({exc}); pip install ciw"})
    rows = []
    for c, lam, mean_h, days in settings:
        ours = fleetsim_waits(c, lam, mean_h, days)
        theirs = ciw_waits_h(c, lam, mean_h, days)
        h_ours = queueing.batch_means_half_width(ours)
        h_theirs = queueing.batch_means_half_width(theirs)
        combined = math.hypot(h_ours, h_theirs)
        _, wq = queueing.erlang_c(c, lam, 1.0 / mean_h)
        rows.append({"c": c, "rho": round(lam * mean_h / c, 4), "jobs_fleetsim": int(ours.size),
                     "jobs_ciw": int(theirs.size), "wq_fleetsim_h": round(float(ours.mean()), 5),
                     "wq_ciw_h": round(float(theirs.mean()), 5),
                     "half_width_fleetsim_h": round(h_ours, 5),
                     "half_width_ciw_h": round(h_theirs, 5), "wq_erlang_h": round(wq, 5),
                     "z": round(abs(float(ours.mean() - theirs.mean())) / combined, 4)})
    return Check(
        name="queueing_ciw",
        title="Service network reduced to M/M/c: mean wait in queue vs Ciw's M/M/c",
        figure=max(r["z"] for r in rows), unit="|fleetsim - Ciw| / combined 99 % half-width",
        reference="Ciw M/M/c mean wait W_q", band=(0.0, 1.0), source=SOURCE,
        detail={"settings": rows, "confidence": queueing.CONFIDENCE,
                "batches": queueing.BATCHES, "seed": SEED},
        plot={"kind": "points", "x": [r["rho"] for r in rows],
              "reference": [r["wq_ciw_h"] for r in rows],
              "model": [r["wq_fleetsim_h"] for r in rows],
              "error": [r["half_width_fleetsim_h"] for r in rows],
              "labels": [f"c={r['c']}" for r in rows],
              "x_label": "offered load per server rho", "y_label": "mean wait in queue W_q (h)"})
