"""Override handling of ``fleetsim``'s command line before Hydra takes over."""

from __future__ import annotations

from configs.load import plain_overrides, sweep_points


def test_only_plain_overrides_are_prevalidated():
    argv = ["-m", "fleet.size=5", "hydra.run.dir=x", "+hydra.job.name=y", "--cfg", "job",
            "seed=3"]
    assert plain_overrides(argv) == ["fleet.size=5", "seed=3"]


def test_sweep_points_try_each_swept_value_once():
    points = sweep_points(["fleet.size=10,20,30", "battery=nmc,lfp", "seed=1"])
    assert points[0] == ["fleet.size=10", "battery=nmc", "seed=1"]
    assert ["fleet.size=30", "battery=nmc", "seed=1"] in points
    assert ["fleet.size=10", "battery=lfp", "seed=1"] in points
    assert len(points) == 1 + 2 + 1
