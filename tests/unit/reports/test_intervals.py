"""Exact intervals of counts (scipy's Clopper-Pearson and Garwood), with published values."""

from __future__ import annotations

import pytest

from reports.page.intervals import binomial_ci, poisson_ci


def test_binomial_interval_is_clopper_pearson():
    # Clopper & Pearson (1934) exact 95 % bounds of 3 successes in 10 trials
    assert binomial_ci(3, 10) == pytest.approx((0.0667395, 0.6524529), abs=1e-7)
    assert binomial_ci(0, 10) == pytest.approx((0.0, 0.3084971), abs=1e-7)   # 1 - 0.025**(1/10)
    assert binomial_ci(10, 10) == pytest.approx((0.6915029, 1.0), abs=1e-7)
    low, high = binomial_ci(3, 10, confidence=0.5)
    assert 0.0667 < low < 0.3 < high < 0.6525      # narrower at a lower level


def test_poisson_interval_is_garwood():
    assert poisson_ci(0) == pytest.approx((0.0, 3.6888794), abs=1e-6)
    assert poisson_ci(5) == pytest.approx((1.6234863, 11.6683), abs=1e-4)
