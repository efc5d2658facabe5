"""Sharded runs (issue 17): a scenario as one sub-simulation per service region, in
lock-step days, on any number of shards with the same result.

:func:`run_sharded` is the entry point (``sim.simulate`` calls it unless ``run.shards`` is
null); :func:`register` adds a transport for ``run.backend`` (``experiments.shards``).
"""

from sim import engine
from sim.shards.coordinator import TRANSPORTS, InProcess, ShardWorker, register, run_sharded

engine.SHARDED[:] = [run_sharded]

__all__ = ["TRANSPORTS", "InProcess", "ShardWorker", "register", "run_sharded"]
