"""``fleetsim-validate``'s Little's law check on a hand-made event log and on a short run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from experiments.validate import littles_law


def _log(created: np.ndarray, duration: np.ndarray, channel: str, first_job: int = 0):
    jobs = np.arange(first_job, first_job + created.size)
    rows = [pd.DataFrame({"time_d": created, "event": "job_created", "job": jobs,
                          "channel": channel}),
            pd.DataFrame({"time_d": created + duration, "event": "job_finished", "job": jobs,
                          "channel": channel})]
    return pd.concat(rows, ignore_index=True)


def test_a_steady_stream_obeys_l_equals_lambda_w_exactly_enough():
    # 4 jobs a day, 2.5 days each: L = 10 jobs in the system.
    created = np.arange(0.0, 100.0, 0.25)
    ev = pd.concat([_log(created, np.full(created.size, 2.5), "center"),
                    _log(created, np.full(created.size, 0.5), "mobile", 10_000)])
    check = littles_law.littles_law_check(ev, 100)
    by = {r["channel"]: r for r in check.detail["channels"]}
    assert by["center"]["l"] == pytest.approx(10.0, rel=0.01)
    assert by["mobile"]["l"] == pytest.approx(2.0, rel=0.01)
    assert check.passed


def test_jobs_that_never_finish_fail_the_check():
    # Every other job stays open (a growing backlog, or a log that loses finish events):
    # L grows through the window while W counts only the finished jobs.
    created = np.arange(0.0, 100.0, 0.25)
    ev = _log(created, np.full(created.size, 1.0), "center")
    lost = (ev["event"] == "job_finished") & (ev["job"] % 2 == 1)
    check = littles_law.littles_law_check(ev[~lost], 100)
    assert not check.passed
    assert check.figure > 1.0


@pytest.mark.slow  # ~8 s; fleetsim-validate runs the check on the default run
def test_the_default_service_network_obeys_littles_law_per_channel():
    cfg = sim.load_config(["fleet.size=1500", "horizon_days=120", "seed=4",
                           "output.progress=false"])
    check = littles_law.littles_law_check(sim.simulate(cfg).events, 120)
    channels = {r["channel"] for r in check.detail["channels"]}
    assert {"center", "mobile"} <= channels
    assert check.passed, check.detail
