"""ServiceDemand.offer: a prognostic alert books a condition job ahead of its trigger."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from configs.parameter_sets import load
from sim.records import SCHEDULED
from sim.service.demand import ServiceDemand

N = 4000
REGION = np.arange(N) % 4
AGE = np.full(N, 400.0)


def _demand(**accept) -> ServiceDemand:
    cfg = copy.deepcopy(load("demand", "default"))
    for job, p in accept.items():
        getattr(cfg.condition, job).accept_prob = p
    return ServiceDemand(cfg, REGION, [1, 1, 2, 0], AGE, np.random.default_rng(3))


def test_an_accepted_filter_offer_is_a_new_filter():
    d = _demand(air_filter=0.5)
    d.day(0, np.full(N, 30.0), np.ones(N))
    before = d.filter_loss.copy()
    d._filter.next_offer[:] = 0.0                  # nobody declined an offer within reoffer_days
    offered = np.arange(0, N, 2)
    batch = d.offer(1, "air_filter", offered, np.random.default_rng(5))
    assert (batch.component, batch.cause, batch.severity) == ("condition", "air_filter",
                                                              SCHEDULED)
    assert 0.45 < batch.vehicles.size / offered.size < 0.55      # accept_prob 0.5
    assert np.isin(batch.vehicles, offered).all()
    assert (d.filter_loss[batch.vehicles] == 0.0).all()
    declined = np.setdiff1d(offered, batch.vehicles)
    np.testing.assert_array_equal(d.filter_loss[declined], before[declined])
    # The declined are not asked again at the threshold trigger within reoffer_days (365).
    d._filter.loss[declined] = 0.5
    d._filter.loss[1] = 0.5                         # never offered: the trigger asks it
    asked = d._filter.cfg.accept_prob
    d._filter.cfg.accept_prob = 1.0
    trig = [b for b in d.day(2, np.full(N, 30.0), np.ones(N)) if b.cause == "air_filter"]
    d._filter.cfg.accept_prob = asked
    assert 1 in trig[0].vehicles.tolist()
    assert not np.isin(declined, trig[0].vehicles).any()
    with pytest.raises(ValueError):
        d.filter_loss[0] = 1.0                    # a read-only view


def test_the_battery_check_is_offered_once_per_vehicle():
    d = _demand(battery_check=1.0)
    d.day(0, np.full(N, 30.0), np.ones(N))
    first = d.offer(1, "battery_check", np.arange(10), np.random.default_rng(5))
    assert first.vehicles.tolist() == list(range(10))
    again = d.offer(2, "battery_check", np.arange(20), np.random.default_rng(6))
    assert again.vehicles.tolist() == list(range(10, 20))
    # The SOH trigger does not offer the check again either.
    soh = np.ones(N)
    soh[:30] = 0.8
    trig = [b for b in d.day(3, np.full(N, 30.0), soh) if b.cause == "battery_check"]
    assert trig[0].vehicles.tolist() == list(range(20, 30))


def test_unknown_job_is_an_error():
    d = _demand()
    with pytest.raises(ValueError, match="battery_check, air_filter"):
        d.offer(0, "brake_pads", np.arange(3), np.random.default_rng(1))


def test_an_owner_who_declined_the_trigger_is_not_asked_again_by_an_offer():
    """Either path respects the other's decline: one offer per reoffer_days (issue 14: the
    prognostic offer re-asked every owner the threshold trigger had asked, doubling the offers)."""
    d = _demand(air_filter=0.0)
    d.day(0, np.full(N, 30.0), np.ones(N))
    d._filter.loss[:] = 0.5                        # everybody past the 20 % threshold
    d._filter.next_offer[:] = 0.0
    d.day(1, np.full(N, 30.0), np.ones(N))         # the trigger asks everybody: all decline
    again = 1 + d._filter.cfg.reoffer_days
    declined = np.flatnonzero(d._filter.next_offer == again)   # (a few had a scheduled filter)
    assert declined.size > 0.9 * N
    d._filter.cfg.accept_prob = 1.0
    soon = d.offer(100, "air_filter", declined, np.random.default_rng(5))
    assert soon.vehicles.size == 0                 # declined 99 days ago: not asked
    assert (d._filter.next_offer[declined] == again).all()     # and not pushed back
    later = d.offer(400, "air_filter", declined, np.random.default_rng(5))
    np.testing.assert_array_equal(later.vehicles, declined)    # a year on: asked, all accept
