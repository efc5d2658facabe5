"""The same experiment on a Dask distributed cluster gives the serial run's results."""

from __future__ import annotations

import distributed  # the `test` extra installs dask[distributed]
import pandas as pd
import pytest

from experiments import run_experiment
from experiments.stats import kpi_columns

BASE = ["fleet.size=300", "horizon_days=30", "seed=5"]
VARIANTS = {"few": ["service.mobile.vans_per_10000_vehicles=1"],
            "many": ["service.mobile.vans_per_10000_vehicles=300"]}


def _values(kpis: pd.DataFrame) -> pd.DataFrame:
    cols = ["variant", "replication", "seed", "fingerprint", *kpi_columns(kpis)]
    return kpis[cols].sort_values(["variant", "replication"]).reset_index(drop=True)


def _run(out, **kw):
    return run_experiment(BASE, kw.pop("variants", VARIANTS), 2, out, progress=False, **kw)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("dask") / "serial")


def test_dask_cluster_gives_the_serial_results(serial, tmp_path):
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        res = _run(tmp_path / "dask", backend="dask", scheduler_address=cluster.scheduler_address)
        workers = len(cluster.scheduler_info["workers"])
    assert workers == 2
    assert res.meta["backend"] == "dask" and res.meta["tasks"]["run"] == 4
    assert res.kpis["technicians"].nunique() == 2  # the variants differ
    pd.testing.assert_frame_equal(_values(res.kpis), _values(serial.kpis))
    pd.testing.assert_frame_equal(res.summary, serial.summary)


def test_dask_without_an_address_starts_a_local_cluster(serial, tmp_path):
    res = _run(tmp_path / "local", variants={"few": VARIANTS["few"]}, backend="dask", n_jobs=2)
    expected = _values(serial.kpis)
    expected = expected[expected.variant == "few"].reset_index(drop=True)
    pd.testing.assert_frame_equal(_values(res.kpis), expected)
