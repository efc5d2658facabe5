"""twins._random: exact sampling of rare per-vehicle events."""

from __future__ import annotations

import numpy as np
import pytest

from twins._random import hazard_prob, rare_events, scaled_hazard_events, standard_normal32

N = 200_000


def _tolerance(n: int, p: float, z: float = 5.0) -> float:
    return z * np.sqrt(n * p * (1 - p)) + 1


def _check_indices(idx: np.ndarray, n: int) -> None:
    assert idx.dtype == np.int64
    assert (np.diff(idx) > 0).all(), "indices are not sorted and unique"
    if idx.size:
        assert idx[0] >= 0 and idx[-1] < n


def test_scalar_p_hits_at_rate_p():
    rng = np.random.default_rng(0)
    p = 0.01
    counts = []
    for _ in range(5):
        idx = rare_events(rng, p, N)
        _check_indices(idx, N)
        counts.append(idx.size)
        assert abs(idx.size - N * p) <= _tolerance(N, p)
    assert len(set(counts)) > 1, "the count does not vary between draws"


def test_array_p_hits_each_vehicle_at_its_own_rate():
    rng = np.random.default_rng(1)
    p = np.where(np.arange(N) % 2 == 0, 0.01, 0.002)
    hits_even = hits_odd = 0
    for _ in range(5):
        idx = rare_events(rng, p, N)
        _check_indices(idx, N)
        hits_even += int((idx % 2 == 0).sum())
        hits_odd += int((idx % 2 == 1).sum())
    draws = 5 * N // 2
    assert abs(hits_even - draws * 0.01) <= _tolerance(draws, 0.01)
    assert abs(hits_odd - draws * 0.002) <= _tolerance(draws, 0.002)


def test_positions_are_uniform_over_the_fleet():
    idx = np.concatenate([rare_events(np.random.default_rng(s), 0.01, N) for s in range(5)])
    quarters = np.bincount(idx * 4 // N, minlength=4)
    expected = idx.size / 4
    assert (np.abs(quarters - expected) <= 5 * np.sqrt(expected)).all()


def test_edge_probabilities():
    rng = np.random.default_rng(2)
    assert rare_events(rng, 0.0, 1000).size == 0
    assert rare_events(rng, np.zeros(1000), 1000).size == 0
    assert rare_events(rng, 0.5, 0).size == 0
    np.testing.assert_array_equal(rare_events(rng, 1.0, 1000), np.arange(1000))
    p = np.zeros(1000)
    p[[3, 500, 999]] = 1.0
    np.testing.assert_array_equal(rare_events(rng, p, 1000), [3, 500, 999])


def test_same_seed_same_hits():
    p = np.linspace(0, 0.02, 10_000)
    a = rare_events(np.random.default_rng(3), p, 10_000)
    b = rare_events(np.random.default_rng(3), p, 10_000)
    np.testing.assert_array_equal(a, b)


def test_scalar_and_constant_array_p_consume_the_stream_alike():
    a, b = np.random.default_rng(4), np.random.default_rng(4)
    hits_a = rare_events(a, 0.01, 10_000)
    hits_b = rare_events(b, np.full(10_000, 0.01), 10_000)
    np.testing.assert_array_equal(hits_a, hits_b)
    assert a.random() == b.random()


def test_hazard_prob():
    assert hazard_prob(0.0, 5.0) == 0.0
    assert hazard_prob(1.0, 1.0) == pytest.approx(1 - np.exp(-1))
    np.testing.assert_allclose(hazard_prob(1e-6, np.array([1.0, 2.0])), [1e-6, 2e-6], rtol=1e-5)


def test_scaled_hazard_with_unit_scale_is_exactly_the_scalar_hazard():
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    rate = 0.004
    for dt in (1.0, np.full(10_000, 1.0, np.float32)):
        hits_a = rare_events(a, hazard_prob(rate, 1.0), 10_000)
        hits_b = scaled_hazard_events(b, rate, np.ones(10_000, np.float32), dt, 10_000)
        _check_indices(hits_b, 10_000)
        np.testing.assert_array_equal(hits_a, hits_b)
        assert a.random() == b.random()


def test_scaled_hazard_hits_each_vehicle_at_its_own_rate():
    rng = np.random.default_rng(6)
    rate = 0.004
    group = np.arange(N) % 4
    scale = np.array([0.0, 0.5, 1.0, 2.5], np.float32)[group]
    dt = np.where(group == 3, 2.0, 1.0).astype(np.float32)  # and a per-vehicle dt
    hits = np.zeros(4, int)
    for _ in range(5):
        idx = scaled_hazard_events(rng, rate, scale, dt, N)
        _check_indices(idx, N)
        hits += np.bincount(group[idx], minlength=4)
    draws = 5 * N // 4
    assert hits[0] == 0
    for g, mult in ((1, 0.5), (2, 1.0), (3, 5.0)):
        p = float(hazard_prob(rate * mult, 1.0))
        assert abs(hits[g] - draws * p) <= _tolerance(draws, p), (g, hits[g], draws * p)


def test_scaled_hazard_edge_cases():
    rng = np.random.default_rng(7)
    state = rng.bit_generator.state
    assert scaled_hazard_events(rng, 0.01, np.zeros(1000, np.float32), 1.0, 1000).size == 0
    assert scaled_hazard_events(rng, 0.01, np.ones(1000, np.float32), 0.0, 1000).size == 0
    assert scaled_hazard_events(rng, 0.01, np.ones(0, np.float32), 1.0, 0).size == 0
    assert rng.bit_generator.state == state  # nothing can fire: no draws
    np.testing.assert_array_equal(
        scaled_hazard_events(rng, 1e9, np.ones(100, np.float32), 1.0, 100), np.arange(100))


@pytest.mark.parametrize("n", [1, 7, 200_001])
def test_standard_normal32_shape_and_dtype(n):
    z = standard_normal32(np.random.default_rng(1), n)
    assert z.shape == (n,) and z.dtype == np.float32
    assert np.isfinite(z).all()


def test_standard_normal32_is_standard_normal():
    from scipy import stats

    z = standard_normal32(np.random.default_rng(2), 400_000).astype(np.float64)
    se = 1.0 / np.sqrt(z.size)
    assert abs(z.mean()) < 5 * se
    assert abs(z.std() - 1.0) < 5 * se
    # The whole shape, not only two moments: quantiles and a KS test against N(0, 1).
    for q in (0.01, 0.1, 0.5, 0.9, 0.99):
        assert np.quantile(z, q) == pytest.approx(stats.norm.ppf(q), abs=0.02)
    assert stats.kstest(z, "norm").pvalue > 1e-3
    # The two halves (cos and sin of the same radius) are independent.
    half = z.size // 2
    assert abs(np.corrcoef(z[:half], z[half:2 * half])[0, 1]) < 5 * se * np.sqrt(2)


def test_standard_normal32_is_reproducible_per_stream():
    a = standard_normal32(np.random.default_rng(3), 1000)
    b = standard_normal32(np.random.default_rng(3), 1000)
    c = standard_normal32(np.random.default_rng(4), 1000)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
