"""The bays' request queue keeps simpy's SortedQueue order without re-sorting."""

import numpy as np
import simpy

from sim.service.facilities import PriorityResource


def _served_order(resource_cls, priorities, arrivals):
    env = simpy.Environment()
    res = resource_cls(env, capacity=1)
    order = []

    def car(i, prio, at):
        yield env.timeout(at)
        with res.request(priority=prio) as req:
            yield req
            order.append(i)
            yield env.timeout(1.0)

    for i, (p, a) in enumerate(zip(priorities, arrivals, strict=True)):
        env.process(car(i, p, a))
    env.run()
    return order


def test_queue_serves_in_simpy_priority_order_with_ties():
    rng = np.random.default_rng(7)
    prios = rng.integers(0, 3, 200).tolist()           # many equal priorities
    arrivals = np.round(rng.random(200) * 20.0, 0).tolist()   # many equal request times
    ours = _served_order(PriorityResource, prios, arrivals)
    assert ours == _served_order(simpy.PriorityResource, prios, arrivals)
    assert ours != sorted(ours)                         # the queue did reorder the cars


def test_queue_full_raises_like_simpy():
    q = PriorityResource.PutQueue(maxlen=1)
    q.append(type("R", (), {"key": (0, 0.0, False)})())
    try:
        q.append(type("R", (), {"key": (0, 0.0, False)})())
    except RuntimeError as e:
        assert "full" in str(e)
    else:
        raise AssertionError("a full queue accepted a request")
