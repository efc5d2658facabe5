"""OTA campaigns inside a run: the daily step and its consequences for the fleet.

Each day the campaigns (:class:`sim.ota.OtaCampaigns`) see every vehicle's
context (parked tonight, charge, 12 V health) and report what happened. Here
those outcomes reach the rest of the simulation:

- ``installed``: the release's ``effects`` act from today (the software's
  fault-rate factor, the battery's calendar-fade factor); a cloud rollback
  takes them back.
- ``defect_fault`` / ``defect_no_start`` / ``bricked``: the software twin's
  ``ota_fault`` is set (drivable / roadside), so the fault detector raises the
  failure and the service network gets the job (remote fix, rescue, tow).
- ``dealer_flash``: retries exhausted, a service-center job
  (``software.ota_dealer_flash``); when it (or the rescue of a bricked car) is
  done, the campaign counts the vehicle as installed.

Every per-vehicle outcome and every campaign decision is an event record
(``ota_*``; ``cause`` = release name; a decision's ``outcome`` is the server's
reason with its numbers and ``channel`` the cohort or hw config it concerns),
and the day's counts per release are daily columns (``ota_<release>_<count>``),
the adoption curve.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.fleet import Fleet
from sim.ota.campaigns import OtaCampaigns
from sim.ota.kpis import ON_DEFECT_TOTAL
from sim.ota.outcome import FAILURE_MODES, DayOutcome, OtaContext
from sim.records import EventLog
from sim.rng import Streams
from sim.service import ServiceNetwork

COMPONENT = "software"
DRIVABLE, ROADSIDE = 1, 2
FLASH_CAUSE = "ota_dealer_flash"
NO_START_CAUSE = "ota_no_start"
# Daily adoption-curve columns per release (from ReleaseCounts).
DAILY_COUNTS = ("targeted", "released_to_vehicle", "installed", "failed", "rolled_back",
                "bricked", "reverted", "superseded", "on_defect", "reported_succeeded",
                "reported_failed")
# Per-vehicle outcomes logged as events: ReleaseEvents field -> event name.
LOGGED = {"installed": "ota_installed", "install_failed": "ota_install_failed",
          "rolled_back": "ota_rolled_back", "bricked": "ota_bricked",
          "dealer_flash": "ota_dealer_flash", "defect_fault": "ota_defect_fault",
          "defect_no_start": "ota_defect_no_start", "cloud_rolled_back": "ota_cloud_rolled_back",
          "charge_retried": "ota_install_retried", "patched": "ota_patched"}
# Seed 000's failure table: how a retried failed attempt is handled, by failure mode (the
# retry itself is logged as this event; retries exhausted: ota_dealer_flash).
HANDLED = {"stuck_download": ("ota_network_switched", "download stuck at 0 %: retry on the "
                              "other network (home WiFi <-> LTE)"),
           "insufficient_storage": ("ota_cache_cleared", "failed at 50 %: cache cleared, the "
                                    "download starts again"),
           "low_battery": ("ota_charge_requested", "low charge: the owner is asked to charge; "
                           "the install is retried at install_retry_soc_frac")}
OUTCOMES = {"charge_retried": "charged: install retried", "patched": "hotfix over the air"}


class OtaLoop:
    """The OTA campaigns of one run, wired to the fleet, the service network and the log.

    Args:
        cfg: the ``ota`` config (typed).
        fleet: the fleet (attributes ``hw_config``, ``cohort``, ``region``).
        service: takes the dealer-flash jobs.
        log: the event log.
        streams: the run's random streams (``ota`` is used).
    """

    def __init__(self, cfg: Any, fleet: Fleet, service: ServiceNetwork, log: EventLog,
                 streams: Streams) -> None:
        a = fleet.state.attrs
        self.cfg, self.fleet, self.service, self.log = cfg, fleet, service, log
        self.campaigns = OtaCampaigns(
            cfg, n=fleet.state.n, hw_config=a["hw_config"], hw_config_names=fleet.hw_config_names,
            cohort=a["cohort"], cohort_names=fleet.cohort_names, region=a["region"],
            region_names=fleet.region_names, rng=streams.get("ota"))
        self.rng = streams.get("ota.jobs")
        # Vehicles waiting for a flash (dealer job or the rescue of a brick), per release.
        self._awaiting: dict[int, str] = {}
        self.today: dict[str, float] = {}

    @property
    def release_names(self) -> list[str]:
        """The releases so far (configured ones, then hotfixes as the operator makes them)."""
        return self.campaigns.release_names

    @property
    def releases(self) -> dict[str, Any]:
        """Release name -> its config."""
        return {n: self.campaigns.release_config(n) for n in self.campaigns.release_names}

    def step(self, day: int, soc_frac: np.ndarray) -> DayOutcome:
        """Run the campaigns for ``day`` and apply what happened.

        ``soc_frac``: today's mean state of charge per vehicle (an install
        precondition). A vehicle stranded by a breakdown is not parked at home
        with a connection tonight.
        """
        state = self.fleet.state
        aux = self.fleet.twins["aux12v"].health(state.twins["aux12v"], self.fleet.params["aux12v"])
        ctx = OtaContext(parked_night=~state.down, soc_frac=soc_frac, aux12v_health=aux)
        out = self.campaigns.step(day, ctx)
        self.today = {}
        for name, counts in out.counts.items():
            for key in DAILY_COUNTS:
                self.today[f"ota_{name}_{key}"] = getattr(counts, key)
        self.today[ON_DEFECT_TOTAL] = sum(c.on_defect for c in out.counts.values())
        for name, ev in out.events.items():
            self._apply(day, name, ev)
        for d in out.decisions:
            self.log.append((float(day), f"ota_{d.action}", -1, COMPONENT, d.release, "", -1,
                             "", -1, d.hw_config or d.cohort, d.reason, np.nan, np.nan))
        return out

    def _apply(self, day: int, release: str, ev) -> None:
        sw = self.fleet.state.twins[COMPONENT]
        rel = self.campaigns.release_config(release)
        if ev.installed.size:
            # a vehicle moving on from the release this one supersedes keeps its effects
            fresh = np.setdiff1d(ev.installed, ev.superseded, assume_unique=True)
            self._effects(fresh, rel, +1)
        if ev.cloud_rolled_back.size:
            self._effects(ev.cloud_rolled_back, rel, -1)
        for vehicles, level in ((ev.defect_fault, DRIVABLE), (ev.defect_no_start, ROADSIDE),
                                (ev.bricked, ROADSIDE)):
            if vehicles.size:
                np.maximum.at(sw["ota_fault"], vehicles, level)
        for v in ev.bricked.tolist():
            self._awaiting[v] = release
        if ev.dealer_flash.size:
            times = day + self.rng.random(ev.dealer_flash.size)   # booked during the day
            self.service.submit_many(times, ev.dealer_flash, COMPONENT, FLASH_CAUSE, "drivable")
            for v in ev.dealer_flash.tolist():
                self._awaiting[v] = release
        modes = dict(zip(ev.install_failed.tolist(), ev.install_failed_mode.tolist(),
                         strict=True))
        for field, event in LOGGED.items():
            vehicles = getattr(ev, field)
            for v in vehicles.tolist():
                outcome = (FAILURE_MODES[modes[v]] if field == "install_failed"
                           else OUTCOMES.get(field, ""))
                self._log(day, event, v, release, outcome)
        for v in ev.retry.tolist():
            handled = HANDLED.get(FAILURE_MODES[modes[v]])
            if handled is not None:
                self._log(day, handled[0], v, release, handled[1])

    def _log(self, day: int, event: str, v: int, release: str, outcome: str) -> None:
        self.log.append((day + 0.5, event, v, COMPONENT, release, "", -1,
                         self.fleet.region_name(v), -1, "", outcome, np.nan, np.nan))

    def _effects(self, vehicles: np.ndarray, rel, sign: int) -> None:
        """Apply (sign +1) or take back (-1) a release's effects on ``vehicles``' twins."""
        e = rel.effects
        twins = self.fleet.state.twins
        for arr, factor in ((twins[COMPONENT]["fault_rate_factor"], e.software_fault_rate_factor),
                            (twins["battery"]["calendar_factor"], e.battery_calendar_factor)):
            f = np.float32(factor if sign > 0 else 1.0 / factor)
            arr[vehicles] *= f

    def after_repair(self, component: str, cause: str, severity: str, idx: np.ndarray) -> None:
        """A finished flash (or the rescue of a bricked car) installs the release (repair hook)."""
        if component == COMPONENT and cause in (FLASH_CAUSE, NO_START_CAUSE):
            by_release: dict[str, list[int]] = {}
            for v in idx.tolist():
                release = self._awaiting.pop(v, None)
                if release is not None:
                    by_release.setdefault(release, []).append(v)
            for awaited, vehicles in by_release.items():
                release = self.campaigns.current(awaited)   # a hotfix once it supersedes
                arr = self.campaigns.on_dealer_flashed(np.array(vehicles, dtype=np.int64),
                                                       awaited)
                self._effects(arr, self.campaigns.release_config(release), +1)
                now = float(self.campaigns.day + 1)   # applied at the end of the day
                for v in arr.tolist():
                    self.log.append((now, "ota_installed", v, COMPONENT, release, "", -1,
                                     self.fleet.region_name(v), -1, "", "dealer_flash",
                                     np.nan, np.nan))
