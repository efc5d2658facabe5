"""Issue 15's bar for alert quality on long runs (slow: 10 runs of 20 000 vehicles x 730 days).

``python -m pytest -m slow tests/validation/test_alert_quality.py`` (about 20 minutes on two
busy cores); the same numbers print with ``python -m experiments.alert_quality``.
"""

from __future__ import annotations

import pytest

from experiments.alert_quality import measure_seeds

SEEDS = [1, 2, 3, 4, 5]
VEHICLES, DAYS = 20_000, 730
HALF_YEARS = 4   # 730 days


@pytest.fixture(scope="module")
def rows() -> list[dict[str, float]]:
    return measure_seeds(SEEDS, VEHICLES, DAYS, n_jobs=2)


@pytest.mark.slow
def test_precision_holds_for_every_seed_and_every_half_year(rows):
    for r in rows:
        assert r["precision"] >= 0.85, r
        halves = [r[f"precision_half_{h}"] for h in range(1, HALF_YEARS + 1)]
        assert min(halves) >= 0.85, (r["seed"], halves)
        assert r["precision_worst_half_year"] == pytest.approx(min(halves))
        assert 0 < r["censored"] < 0.05 * r["alerts"]   # only the last month's windows


@pytest.mark.slow
def test_alerted_breakdowns_are_avoided(rows):
    # Seed 002: > 80 % of alerted breakdowns avoided (failure_prevented / failures an alert
    # warned of), and issue 15's reading against the same seed without alerts: >= 80 % of the
    # roadside breakdowns of the causes a detector predicts (12 V wear-out no-starts; a sudden
    # 12 V failure is a cause of its own) do not happen.
    for r in rows:
        assert r["breakdowns_avoided_share"] >= 0.80, r
        assert r["predictable_breakdowns_none"] >= 40, r   # a share of a few is noise
        assert r["predictable_breakdowns_avoided"] >= 0.80, r
        # ... which needs them alerted: recall over the same breakdowns (fleetsim-validate --full)
        assert r["breakdown_recall"] >= 0.80, r
