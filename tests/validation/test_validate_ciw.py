"""``fleetsim-validate --full``'s second M/M/c oracle: Ciw agrees with fleetsim, and a biased
fleetsim fails."""

from __future__ import annotations

import pytest

from experiments.validate import ciw_oracle

ciw = pytest.importorskip(
    "ciw", reason="Ciw is in the validate extra: pip install -e '.[validate]'")

SETTING = ((3, 2.0, 1.0, 250),)  # c=3, lambda=2/h, 1 h service: Erlang C W_q = 0.4444 h


def test_ciw_reproduces_erlang_c_on_the_calibration_setting():
    waits = ciw_oracle.ciw_waits_h(*SETTING[0])
    assert waits.size > 10_000
    assert waits.mean() == pytest.approx(0.4444, abs=0.1)  # one 250-day run, waits correlate


def test_a_fleetsim_that_waits_half_as_long_again_fails():
    def biased(c, lam, mean_h, days):
        return 1.5 * ciw_oracle.ciw_waits_h(c, lam, mean_h, days, seed=7)

    check = ciw_oracle.ciw_check(SETTING, fleetsim_waits=biased)
    assert check.figure > 1.0 and not check.passed


def test_an_independent_ciw_run_as_the_model_passes():
    def other(c, lam, mean_h, days):
        return ciw_oracle.ciw_waits_h(c, lam, mean_h, days, seed=7)

    check = ciw_oracle.ciw_check(SETTING, fleetsim_waits=other)
    (row,) = check.detail["settings"]
    assert row["wq_erlang_h"] == pytest.approx(0.4444, abs=1e-4)
    assert check.passed, row
