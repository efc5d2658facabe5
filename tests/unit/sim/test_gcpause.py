"""The run's relaxed collector thresholds are set during the run and restored after it."""

import gc

import sim
from sim.gcpause import RUN_THRESHOLDS, relaxed_gc


def test_thresholds_raised_inside_and_restored_after():
    before = gc.get_threshold()
    with relaxed_gc():
        inside = gc.get_threshold()
        with relaxed_gc():
            assert gc.get_threshold() == inside
        assert gc.get_threshold() == inside
    assert inside == tuple(max(a, b) for a, b in zip(RUN_THRESHOLDS, before, strict=True))
    assert inside[0] > before[0]
    assert gc.get_threshold() == before


def test_restored_after_an_error():
    before = gc.get_threshold()
    try:
        with relaxed_gc():
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.get_threshold() == before


def test_simulate_runs_with_relaxed_thresholds_and_restores(monkeypatch):
    seen = []
    real = sim.engine.run_clock

    def spy(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.engine, "run_clock", spy)
    before = gc.get_threshold()
    sim.simulate(sim.load_config(["fleet.size=50", "horizon_days=5",
                                  "output.progress=false"]), progress=False)
    assert seen and seen[0][0] == max(RUN_THRESHOLDS[0], before[0])
    assert gc.get_threshold() == before
