"""``fleetsim-validate``'s M/M/c check: Erlang C values and a short run inside its interval."""

from __future__ import annotations

import pytest

from experiments.validate import queueing


def test_erlang_c_reproduces_the_calibration_check_values():
    assert queueing.erlang_c(3, 2.0, 1.0)[1] == pytest.approx(0.4444, abs=5e-5)
    prob_wait, wq = queueing.erlang_c(10, 8.0, 1.0)
    assert prob_wait == pytest.approx(0.4092, abs=5e-5)
    assert wq == pytest.approx(0.2046, abs=5e-5)
    with pytest.raises(ValueError, match="unstable"):
        queueing.erlang_c(2, 2.0, 1.0)


def test_the_fast_tier_covers_four_loads_up_to_0_95():
    rhos = sorted(lam * mean_h / c for c, lam, mean_h, _ in queueing.FAST)
    assert len(rhos) >= 4 and rhos[-1] == pytest.approx(0.95)


@pytest.mark.slow  # ~10 s; fleetsim-validate runs the check itself
def test_a_short_m_m_3_run_lies_within_its_interval_of_erlang_c():
    check = queueing.erlang_check(((3, 2.0, 1.0, 250),))
    (row,) = check.detail["settings"]
    assert row["jobs"] > 10_000
    assert row["wq_erlang_h"] == pytest.approx(0.4444, abs=1e-4)
    assert check.passed, row
    assert row["half_width_h"] < 0.5 * row["wq_erlang_h"]
