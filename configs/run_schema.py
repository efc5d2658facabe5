"""Schema of the ``run`` group: how a run is executed (sharded runs, issue 17)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configs.fields import choice

BACKENDS = ("local", "dask")


@dataclass
class RunConfig:
    """Sharding and backend of one run; results never depend on them (sim/shards)."""

    shards: Any = None                  # null (legacy single simulation) | N >= 1 | auto
    backend: str = choice("local", *BACKENDS)
    scheduler_address: str = ""       # dask: a scheduler's address; '' = a LocalCluster

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        s = cfg.shards
        ok = s is None or s == "auto" or (isinstance(s, int) and not isinstance(s, bool)
                                          and s >= 1)
        if not ok:
            return [f"{path}.shards={s!r} is not allowed; allowed values: null (one simulation "
                    f"of the whole fleet), a whole number >= 1, auto (one per core)"]
        return []
