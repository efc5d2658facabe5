"""``fleetsim-bench`` (:mod:`~experiments.bench.cli`) and the naive baseline it is measured against.

The naive model (:mod:`~experiments.bench.naive`, with its per-vehicle twins and alert
layer) is the same scenario written the way a SimPy user would: one simpy process
per vehicle, Python scalars, ``random``.
"""
