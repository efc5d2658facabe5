"""Regional parts stock as simpy Containers, with reorder point and lead time."""

from __future__ import annotations

import math

import simpy


class PartsStore:
    """Stock of each part in each region; a take below zero waits for the delivery.

    Args:
        env: the simpy environment.
        stock: initial units per (region, part).
        reorder_point_frac: reorder when stock falls to this share of its initial level.
        lead_time_days: delivery delay of a reorder, which refills to the initial level.
    """

    def __init__(self, env: simpy.Environment, stock: dict[tuple[int, str], int],
                 reorder_point_frac: float, lead_time_days: float) -> None:
        self.env, self.lead = env, lead_time_days
        self.initial = dict(stock)
        self.bins = {k: simpy.Container(env, init=v) for k, v in stock.items()}
        self.reorder_at = {k: math.floor(v * reorder_point_frac) for k, v in stock.items()}
        self.on_order: set[tuple[int, str]] = set()
        self.stockouts = 0
        self.orders = 0

    def take(self, region: int, part: str) -> tuple[simpy.Event, bool]:
        """Reserve one unit. Returns the get event and whether it had to wait (a stockout)."""
        key = (region, part)
        store = self.bins[key]
        short = store.level < 1
        self.stockouts += short
        event = store.get(1)
        self._maybe_reorder(key, pending=1 if short else 0)
        return event, short

    def _maybe_reorder(self, key: tuple[int, str], pending: int) -> None:
        store = self.bins[key]
        if key in self.on_order or store.level - pending > self.reorder_at[key]:
            return
        self.on_order.add(key)
        self.orders += 1
        self.env.process(self._deliver(key))

    def _deliver(self, key: tuple[int, str]):
        yield self.env.timeout(self.lead)
        store = self.bins[key]
        waiting = sum(g.amount for g in store.get_queue)
        refill = max(self.initial[key] - store.level + waiting, 1)
        yield store.put(refill)
        self.on_order.discard(key)
        self._maybe_reorder(key, pending=0)
