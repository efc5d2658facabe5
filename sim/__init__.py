"""fleetsim's discrete-event layer: config, engine, processes, records, KPIs.

Public API::

    import sim
    cfg = sim.load_config(["fleet.size=2000", "battery=lfp"])
    result = sim.simulate(cfg)
    result.kpis["breakdowns_per_1000_vehicle_years"]
    result.save("outputs/my_run")
"""

import sim.shards  # noqa: F401  (sharded runs: sim.engine.simulate hands run.shards to them)
from configs.load import load_config
from configs.validate import ConfigError
from sim.engine import simulate
from sim.result import RunResult

__all__ = ["load_config", "simulate", "RunResult", "ConfigError"]
