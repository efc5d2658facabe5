"""Alert levels: each level's channel, service priority and owner response come from its row."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from configs.alerts_schema import CHANNELS, LEVELS, AlertsConfig, LevelConfig
from configs.validate import ConfigError
from sim.alerts import AlertBatch, AlertGate, Owners
from sim.alerts.loop import AlertLoop
from sim.alerts.reminders import Reminders


class Recorder:
    """Stands in for the service network and the event log."""

    region_names = ["r0"]

    def __init__(self) -> None:
        self.jobs: list[tuple[str, bool, list[int]]] = []
        self.rows: list[tuple] = []

    def submit_many(self, t, who, component, cause, severity, red_alert=False):
        self.jobs.append((component, red_alert, who.tolist()))

    def append(self, row: tuple) -> None:
        self.rows.append(row)


def loop_for(cfg: AlertsConfig, n: int = 4) -> tuple[AlertLoop, Recorder]:
    """An AlertLoop with only what ``_raise`` reads (no fleet, no simpy)."""
    rec = Recorder()
    fleet = SimpleNamespace(state=SimpleNamespace(attrs={"region": np.zeros(n, int)}))
    loop = AlertLoop.__new__(AlertLoop)
    loop.cfg, loop.fleet, loop.service, loop.log = cfg, fleet, rec, rec
    loop.owners = Owners(cfg, n, np.random.default_rng(0))
    loop.rng = np.random.default_rng(1)
    loop.horizon = {lv: float(getattr(cfg, f"horizon_days_{lv}")) for lv in LEVELS}
    loop.channel = {lv: c.channel for lv, c in cfg.levels.items()}
    loop.priority = {lv: c.service_priority for lv, c in cfg.levels.items()}
    loop.booked = {"aux12v": np.zeros(n, bool)}
    loop._window_end, loop._closing = {}, []
    loop.gate = AlertGate(cfg, n)
    loop.reminders = Reminders(["aux12v"], n, cfg.escalate_reminders)
    return loop, rec


def raise_all(loop: AlertLoop, day: int, batch: AlertBatch) -> None:
    """What AlertLoop.day does with a batch after the detector: gate, reminders, owners."""
    for admitted in loop.gate.admit(day, [batch]):
        for part, due in loop.reminders.levels(day, admitted, loop.horizon):
            loop._raise(day, part, due)


def test_each_level_reaches_owners_on_its_channel_and_books_at_its_priority():
    cfg = AlertsConfig(levels={"red": LevelConfig("push_and_call", "red_alert", 1.0),
                               "yellow": LevelConfig("app_push", "red_alert", 1.0),
                               "blue": LevelConfig("app_inbox", "booked", 1.0)})
    loop, rec = loop_for(cfg)
    for v, level in enumerate(LEVELS):
        raise_all(loop, 10, AlertBatch("aux12v", "no_start", level, np.array([v]), None, "t"))
    channels = [(r[5], r[9]) for r in rec.rows]   # (level, channel) of each alert record
    assert channels == [("red", "push_and_call"), ("yellow", "app_push"), ("blue", "app_inbox")]
    # yellow was configured red-alert priority here: the row decides, not the level's name.
    assert rec.jobs == [("aux12v", True, [0]), ("aux12v", True, [1]), ("aux12v", False, [2])]
    assert [r[11] for r in rec.rows] == [12.0, 17.0, 40.0]   # due = day + the level's horizon


def test_each_level_has_its_own_response_probability():
    n = 100_000
    cfg = AlertsConfig(levels={"red": LevelConfig("push_and_call", "red_alert", 0.9),
                               "yellow": LevelConfig("app_push", "booked", 0.6),
                               "blue": LevelConfig("app_inbox", "booked", 0.3)})
    owners = Owners(cfg, n, np.random.default_rng(2))
    shares = {lv: owners.respond(np.arange(n), lv).mean() for lv in LEVELS}
    assert shares == pytest.approx({"red": 0.9, "yellow": 0.6, "blue": 0.3}, abs=0.01)


def test_the_default_levels_table_and_its_errors():
    cfg = sim.load_config(["output.progress=false"]).alerts
    assert [cfg.levels[lv].channel for lv in LEVELS] == list(CHANNELS)
    assert [cfg.levels[lv].service_priority for lv in LEVELS] == ["red_alert", "booked", "booked"]
    with pytest.raises(ConfigError, match="alerts.levels.red.channel"):
        sim.load_config(["alerts.levels.red.channel=sms"])


def test_an_ignored_alert_is_repeated_a_level_up_with_the_same_window():
    cfg = AlertsConfig(dedup_days=30, remind_ignored_after_days=7,
                       levels={"red": LevelConfig("push_and_call", "red_alert", 1.0),
                               "yellow": LevelConfig("app_push", "booked", 0.0),
                               "blue": LevelConfig("app_inbox", "booked", 0.0)})
    loop, rec = loop_for(cfg)
    batch = AlertBatch("aux12v", "no_start", "blue", np.array([0]), None, "t")
    for day in range(10, 70):
        raise_all(loop, day, batch)
    # Blue ignored on day 10; reminders on day 17 (yellow, ignored) and, past the cap of 2 in
    # 30 days, on day 40 (red, accepted: a red-alert job), all with the first window (40).
    rows = [(r[0], r[5], r[9], r[10], r[11]) for r in rec.rows]
    assert rows[:2] == [(10.0, "blue", "app_inbox", "ignored", 40.0),
                        (17.0, "yellow", "app_push", "ignored", 40.0)]
    assert rows[2] == (40.0, "red", "push_and_call", "accepted", 40.0)
    assert rec.jobs == [("aux12v", True, [0])] and len(rows) == 3   # booked: no more alerts


def test_without_escalation_a_reminder_keeps_its_level_and_gets_its_own_window():
    cfg = AlertsConfig(remind_ignored_after_days=7, escalate_reminders=False,
                       levels={"red": LevelConfig("push_and_call", "red_alert", 1.0),
                               "yellow": LevelConfig("app_push", "booked", 1.0),
                               "blue": LevelConfig("app_inbox", "booked", 0.0)})
    loop, rec = loop_for(cfg)
    batch = AlertBatch("aux12v", "no_start", "blue", np.array([0]), None, "t")
    for day in range(10, 20):
        raise_all(loop, day, batch)
    assert [(r[0], r[5], r[11]) for r in rec.rows] == [(10.0, "blue", 40.0), (17.0, "blue", 47.0)]
