"""sim.service.parts.PartsStore: stock, reorder point, lead time, stockouts."""

from __future__ import annotations

import simpy

from sim.service.parts import PartsStore

KEY = (0, "tire")
LEAD_D = 4.0


class Shop:
    """One part bin and jobs that take from it; the log holds (taken at, got at, waited)."""

    def __init__(self, stock: int, reorder_frac: float = 0.3) -> None:
        self.env = simpy.Environment()
        self.store = PartsStore(self.env, {KEY: stock, (1, "tire"): 50}, reorder_frac, LEAD_D)
        self.log: list[tuple[float, float, bool]] = []

    def take_at(self, t: float) -> None:
        self.env.process(self._take(t))

    def _take(self, t: float):
        yield self.env.timeout(t - self.env.now)
        event, short = self.store.take(*KEY)
        asked = self.env.now
        yield event
        self.log.append((asked, self.env.now, short))

    @property
    def level(self) -> float:
        return self.store.bins[KEY].level


def test_a_take_with_stock_succeeds_at_once():
    shop = Shop(stock=10)
    event, short = shop.store.take(*KEY)
    assert not short and event.triggered and event.ok
    assert shop.level == 9 and shop.store.stockouts == 0 and shop.store.orders == 0
    shop.take_at(1.0)
    shop.env.run(until=2.0)
    assert shop.log == [(1.0, 1.0, False)]
    assert shop.level == 8
    assert shop.store.bins[(1, "tire")].level == 50  # regions and parts have their own bins


def test_falling_to_the_reorder_point_orders_exactly_once():
    shop = Shop(stock=10, reorder_frac=0.3)       # reorder at floor(3.0) = 3 units
    assert shop.store.reorder_at[KEY] == 3
    for i in range(6):                            # 10 -> 4: above the reorder point
        shop.take_at(0.1 * i)
    shop.env.run(until=1.0)
    assert shop.level == 4 and shop.store.orders == 0 and not shop.store.on_order
    for i in range(3):                            # 4 -> 1: one order, at the take to 3
        shop.take_at(1.0 + 0.1 * i)
    shop.env.run(until=2.0)
    assert shop.level == 1 and shop.store.orders == 1 and shop.store.on_order == {KEY}
    # The delivery, a lead time after the order (day 1.0), refills to the initial level.
    shop.env.run(until=1.0 + LEAD_D - 1e-9)
    assert shop.level == 1
    shop.env.run(until=1.0 + LEAD_D + 1e-9)
    assert shop.level == 10 and shop.store.orders == 1 and not shop.store.on_order
    assert shop.store.stockouts == 0
    assert all(not short and got == asked for asked, got, short in shop.log)


def test_a_take_from_empty_stock_waits_for_the_delivery():
    shop = Shop(stock=3, reorder_frac=0.3)        # reorder at 0 units
    for t in (0.0, 0.5, 1.0):                     # the third take empties the bin: order at 1.0
        shop.take_at(t)
    shop.take_at(2.0)                             # nothing left: waits for the delivery at 5.0
    shop.env.run(until=10.0)
    assert shop.log == [(0.0, 0.0, False), (0.5, 0.5, False), (1.0, 1.0, False),
                        (2.0, 1.0 + LEAD_D, True)]
    assert shop.store.stockouts == 1 and shop.store.orders == 1
    # Refilled to the initial level net of the waiting take, and no new order.
    assert shop.level == 3 and not shop.store.on_order


def test_several_waiting_takes_share_one_delivery():
    shop = Shop(stock=2, reorder_frac=0.5)        # reorder at 1 unit
    for t in (0.0, 0.2, 0.4, 0.6, 3.0):
        shop.take_at(t)
    shop.env.run(until=0.5)
    assert shop.store.orders == 1 and shop.store.stockouts == 1  # order at 0.0 (2 -> 1)
    shop.env.run(until=20.0)
    assert shop.log == [(0.0, 0.0, False), (0.2, 0.2, False), (0.4, LEAD_D, True),
                        (0.6, LEAD_D, True), (3.0, LEAD_D, True)]
    assert shop.store.stockouts == 3
    # The delivery covered the three waiting takes and still refilled to 2 units: no reorder.
    assert shop.level == 2 and shop.store.orders == 1 and not shop.store.on_order


def test_the_next_cycle_orders_again():
    shop = Shop(stock=4, reorder_frac=0.5)        # reorder at 2 units
    for t in (0.0, 1.0, 6.0, 7.0, 8.0, 9.0, 10.0):
        shop.take_at(t)
    shop.env.run(until=30.0)
    # 4 -> 3 -> 2 (order, day 1) | delivered day 5 -> 4 -> 3 -> 2 (order, day 7)
    # -> 1 -> 0 -> short at day 10, delivered day 11.
    assert shop.store.orders == 2 and shop.store.stockouts == 1
    assert shop.log[-1] == (10.0, 7.0 + LEAD_D, True)
    assert shop.level == 4 and not shop.store.on_order
