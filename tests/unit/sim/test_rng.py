"""sim.rng.Streams: named, reproducible, independent random streams."""

from __future__ import annotations

import numpy as np

from sim.rng import Streams


def _draws(seed: int, name: str, n: int = 8) -> np.ndarray:
    return Streams(seed).get(name).random(n)


def test_same_seed_and_name_give_identical_draws():
    np.testing.assert_array_equal(_draws(7, "usage"), _draws(7, "usage"))
    s = Streams(7)
    np.testing.assert_array_equal(s.get("usage").random(8), s.get("usage").random(8))


def test_different_names_give_different_draws():
    names = ["usage", "population", "failures", "twin.battery", "twin.tires", "service"]
    draws = [tuple(_draws(7, n)) for n in names]
    assert len(set(draws)) == len(names)


def test_different_seeds_give_different_draws():
    assert not np.array_equal(_draws(7, "usage"), _draws(8, "usage"))
    assert not np.array_equal(_draws(0, "usage"), _draws(1, "usage"))


def test_a_new_stream_does_not_shift_existing_streams():
    before = Streams(11)
    usage = before.get("usage").random(16)
    failures = before.get("failures").random(16)
    after = Streams(11)
    after.get("ota.new_process").random(1000)  # a process added later draws first
    np.testing.assert_array_equal(after.get("failures").random(16), failures)
    np.testing.assert_array_equal(after.get("usage").random(16), usage)


def test_streams_are_independent_of_request_order():
    a, b = Streams(5), Streams(5)
    x1, y1 = a.get("x").random(4), a.get("y").random(4)
    y2, x2 = b.get("y").random(4), b.get("x").random(4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)


def test_streams_are_uncorrelated():
    s = Streams(3)
    x, y = s.get("a").standard_normal(20_000), s.get("b").standard_normal(20_000)
    assert abs(np.corrcoef(x, y)[0, 1]) < 5 / np.sqrt(20_000)


def test_the_seed_is_the_run_seed():
    assert Streams(42).seed == 42
    assert Streams(42).seed_sequence("usage").entropy == 42
