"""Owner behaviour: response probability by level, trust learning and alert fatigue."""

from __future__ import annotations

import numpy as np
import pytest

from configs.alerts_schema import AlertsConfig, LevelConfig
from sim.alerts import Owners

N = 200_000
# Fixed test values (not the defaults, which may be retuned): prior 8.5 : 1.5, stop 0.65, full 0.85.
CFG = AlertsConfig(levels={"red": LevelConfig("push_and_call", "red_alert", 0.95),
                           "yellow": LevelConfig("app_push", "booked", 0.75),
                           "blue": LevelConfig("app_inbox", "booked", 0.5)},
                   trust_prior_true=8.5, trust_prior_false=1.5, stop_responding_accuracy=0.65,
                   full_response_accuracy=0.85)


def within_binomial(share: float, p: float, n: int, sigmas: float = 5.0) -> bool:
    return abs(share - p) <= sigmas * np.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("level, p", [("red", 0.95), ("yellow", 0.75), ("blue", 0.5)])
def test_new_owners_respond_at_the_level_probability(level, p):
    owners = Owners(CFG, N, np.random.default_rng(42))
    everyone = np.arange(N)
    assert owners.trust(everyone[:1])[0] == pytest.approx(0.85)
    assert owners.fatigue_factor(everyone[:1])[0] == pytest.approx(1.0)
    share = owners.respond(everyone, level).mean()
    assert within_binomial(share, p, N)


def test_false_alarms_reduce_response_to_zero_at_the_stop_accuracy():
    owners = Owners(CFG, N, np.random.default_rng(7))
    everyone = np.arange(N)
    owners.learn(everyone, np.zeros(N, bool))
    # trust 8.5 / 11 = 0.7727 -> factor (0.7727 - 0.65) / 0.2 = 0.6136
    assert owners.trust(everyone[:1])[0] == pytest.approx(8.5 / 11, rel=1e-6)
    p = 0.95 * (8.5 / 11 - 0.65) / 0.2
    assert within_binomial(owners.respond(everyone, "red").mean(), p, N)
    owners.learn(np.repeat(everyone, 3), np.zeros(3 * N, bool))  # 4 false alarms in all
    assert owners.trust(everyone[:1])[0] == pytest.approx(8.5 / 14, rel=1e-6)   # 0.607 <= 0.65
    assert owners.respond(everyone, "red").sum() == 0


def test_true_alerts_restore_trust_and_learning_is_per_vehicle():
    owners = Owners(CFG, 4, np.random.default_rng(0))
    owners.learn(np.array([0, 0, 0, 0, 1]), np.array([False, False, False, False, True]))
    assert owners.trust(np.array([0, 1, 2])) == pytest.approx([8.5 / 14, 9.5 / 11, 0.85])
    assert owners.fatigue_factor(np.array([0, 1])) == pytest.approx([0.0, 1.0])
    owners.learn(np.array([0] * 6), np.ones(6, bool))
    assert owners.trust(np.array([0]))[0] == pytest.approx(14.5 / 20)   # 0.725
    assert owners.fatigue_factor(np.array([0]))[0] == pytest.approx((0.725 - 0.65) / 0.2)
