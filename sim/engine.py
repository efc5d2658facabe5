"""The simulation: a simpy environment with one fleet clock process.

Each day the clock draws the fleet's usage, steps every twin vectorized over
the fleet, turns new fault masks into failure events and hands them to the
service network. Everything per vehicle per day is numpy; simpy and Python
work happen per event only.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from configs.validate import validate
from configs.vanday_schema import ROUTED
from sim.alerts.loop import AlertLoop
from sim.collector import DailyCollector
from sim.dataset import (
    SourceWriter,
    read_events,
    source,
    start,
    temporary,
    write_daily,
    write_manifest,
)
from sim.failures import FailureBatch, detect
from sim.fleet import Fleet, build_fleet, state_frame
from sim.gcpause import relaxed_gc
from sim.kpis.compute import KPI_EVENTS_FILTER, compute_kpis
from sim.kpis.regions import region_kpis
from sim.ota.loop import OtaLoop
from sim.ota.train import with_train
from sim.prognostics import PrognosticsLoop, prognostics_results
from sim.records import EventLog, with_categories
from sim.repairs import RepairQueue
from sim.result import RunResult, run_metadata
from sim.rng import Streams
from sim.service import ServiceNetwork, service_config_object
from sim.service.demand import ServiceDemand
from sim.service.kpis import ServiceCapacity
from sim.service.recall import Recall
from sim.sizing import auto_size
from sim.telemetry import Telemetry
from twins.battery import soh as battery_soh


@dataclass
class Simulation:
    """The live objects of one run (kept together so tests can inspect them)."""

    cfg: DictConfig
    env: simpy.Environment
    fleet: Fleet
    log: EventLog
    service: ServiceNetwork
    collector: DailyCollector
    repairs: RepairQueue
    failure_rng: np.random.Generator
    twin_rngs: dict[str, np.random.Generator]
    telemetry: Telemetry | None = None
    alerts: AlertLoop | None = None
    ota: OtaLoop | None = None
    demand: ServiceDemand | None = None
    prognostics: PrognosticsLoop | None = None
    lockstep: Any = None   # a region of a sharded run: waits for each day's go (sim.shards)
    sink: SourceWriter | None = None   # streams the log's settled records to Parquet parts

    @property
    def sensed_signals(self) -> set[str] | None:
        """Telemetry keys read each day: all with telemetry on, else what the detectors need."""
        if self.cfg.telemetry.enabled or self.alerts is None:
            return None
        return self.alerts.signals

    @property
    def service_fed_by_failures(self) -> bool:
        """False when the service runs on synthetic demand (``service.demand=poisson``)."""
        return self.cfg.service.demand == "failures"


def build(cfg: DictConfig, sizing: dict | None = None, streams: Streams | None = None,
          ota_loop: Callable[..., Any] | None = None) -> Simulation:
    """Build the fleet, the service network and the collector for ``cfg``.

    ``sizing`` (from :func:`sim.sizing.auto_size`) sets the vans and bays per region.
    ``streams`` (default ``Streams(cfg.seed)``) and ``ota_loop`` (default :class:`OtaLoop`,
    same arguments) let a region of a sharded run (:mod:`sim.shards`) bring its own.
    """
    streams = Streams(cfg.seed) if streams is None else streams
    fleet = build_fleet(cfg, streams)
    env = simpy.Environment()
    log = EventLog()
    repairs = RepairQueue(fleet, streams.get("repair"))

    regions = list(cfg.fleet.regions.values())
    tiers = [int(r.city_tier) for r in regions]
    demand = None
    if cfg.service.demand == "failures" and cfg.demand.enabled:
        demand = ServiceDemand(OmegaConf.to_object(cfg.demand), fleet.state.attrs["region"],
                               tiers, fleet.state.attrs["age_days"], streams.get("demand"))
        if cfg.demand.recall.enabled:
            demand.recall = Recall(demand.cfg.recall, fleet.state.attrs["age_days"],
                                   fleet.state.attrs["hw_config"], fleet.hw_config_names,
                                   streams.get("recall"))
    weather = streams.get("weather")
    days = int(cfg.horizon_days) + 1
    rain = weather.random((len(regions), days)) < float(cfg.service.city.rain_day_prob)
    sigma = float(np.sqrt(np.log1p(float(cfg.service.city.day_traffic_cv) ** 2)))
    traffic = np.exp(weather.normal(-0.5 * sigma**2, sigma, (len(regions), days)))
    service = ServiceNetwork(env, service_config_object(cfg.service), fleet.region_names,
                             tiers, np.array([r.service_radius_km for r in regions]),
                             fleet.state.attrs["region"], log, streams.get("service"), repairs,
                             job_types=demand.job_types() if demand else None,
                             rain=rain, traffic=traffic,
                             vans_by_region=list(sizing["vans"].values()) if sizing else None,
                             bays_by_region=list(sizing["bays"].values()) if sizing else None,
                             expert_rng=streams.get("experts"),
                             workforce_rng=streams.get("workforce"),
                             quality_rng=streams.get("quality"))
    if demand is not None and demand.recall is not None:
        service.fixed_hooks.append(demand.recall.fixed)
    ota = None
    ota_cfg = with_train(OmegaConf.to_object(cfg.ota), int(cfg.horizon_days))
    if ota_cfg.enabled and ota_cfg.releases and cfg.service.demand == "failures":
        ota = (ota_loop or OtaLoop)(ota_cfg, fleet, service, log, streams)
        repairs.after_repair.append(ota.after_repair)
    alerts = None
    if cfg.alerts.enabled and cfg.service.demand == "failures":
        alerts = AlertLoop(OmegaConf.to_object(cfg.alerts), fleet, service, log, streams,
                           int(cfg.horizon_days))
        repairs.before_repair.append(alerts.before_repair)
        repairs.after_repair.append(alerts.after_repair)
    telemetry = None
    if cfg.telemetry.enabled or alerts is not None:  # detectors read the daily telemetry
        telemetry = Telemetry(fleet.twins, fleet.params, OmegaConf.to_object(cfg.telemetry),
                              fleet.state.n, streams.get("telemetry"))
    prognostics = None
    if cfg.prognostics.enabled and cfg.service.demand == "failures":
        prognostics = PrognosticsLoop(OmegaConf.to_object(cfg.prognostics),
                                      OmegaConf.to_object(cfg.telemetry), fleet, service, demand,
                                      log, streams, int(cfg.horizon_days))
    collector = DailyCollector(fleet, service, int(cfg.output.daily_sample_vehicles))
    return Simulation(cfg, env, fleet, log, service, collector, repairs,
                      streams.get("failures"),
                      {name: streams.get(f"twin.{name}") for name in fleet.twins}, telemetry,
                      alerts, ota, demand, prognostics)


def dispatch(sim: Simulation, day: int, failures: list[FailureBatch]) -> list[np.ndarray]:
    """Mark new failures and start one job each, at a random time within ``day``.

    Returns each batch's failure times.
    """
    state = sim.fleet.state
    out = []
    for b in failures:
        state.open_job[b.component][b.vehicles] = True
        if b.severity == "roadside":
            state.down[b.vehicles] = True
            state.strand_count[b.vehicles] += 1
        times = day + sim.failure_rng.random(b.vehicles.size)
        sim.service.submit_many(times, b.vehicles, b.component, b.cause, b.severity)
        out.append(times)
    return out


def contact(sim: Simulation, day: int, km: np.ndarray) -> None:
    """Start today's non-fault contacts (maintenance, condition triggers, owner issues)."""
    soh = battery_soh(sim.fleet.state.twins["battery"], sim.fleet.params["battery"])
    for b in sim.demand.day(day, km, soh):
        times = day + sim.demand.rng.random(b.vehicles.size)
        sim.service.submit_many(times, b.vehicles, b.component, b.cause, b.severity,
                                extra_h=b.extra_h)


NOON = 0.5  # the daily sample of busy technicians is taken mid-shift


def fleet_clock(sim: Simulation, progress: bool):
    """The daily clock process: usage -> twins -> telemetry -> faults -> events -> collector."""
    fleet, env = sim.fleet, sim.env
    horizon = int(sim.cfg.horizon_days)
    bar = tqdm(total=horizon, unit="day", disable=None if progress else True, leave=False)
    for day in range(horizon):
        if sim.lockstep is not None:
            yield sim.lockstep.gate     # a sharded run's region: the coordinator's go for today
        usage = fleet.usage.day(day, fleet.state.down)
        for name, twin in fleet.twins.items():
            twin.step(fleet.state.twins[name], usage, 1.0, fleet.params[name],
                      sim.twin_rngs[name])
        if sim.ota is not None:
            sim.ota.step(day, usage.soc_mean)
        sensed = (sim.telemetry.read(fleet.state.twins, sim.sensed_signals)
                  if sim.telemetry else None)
        failures = detect(fleet) if sim.service_fed_by_failures else []
        times = dispatch(sim, day, failures)
        if sim.demand is not None:
            contact(sim, day, usage.km)
        if sim.alerts is not None:
            sim.alerts.on_failures(failures, times)
            sim.alerts.day(day, sensed[1], usage, sensed[0])
        if sim.prognostics is not None:
            sim.prognostics.day(day)
        yield env.timeout(NOON)
        busy_at_noon = sim.service.busy()
        yield env.timeout(1 - NOON)
        sim.repairs.apply()
        extra = dict(sim.ota.today) if sim.ota is not None else {}
        if sim.demand is not None and sim.demand.recall is not None:
            extra |= sim.demand.recall.row()
        sim.collector.record(day, usage, failures, sensed, busy_at_noon, extra or None)
        if sim.sink is not None:
            sim.sink.day_end(sim.log, env.now)
        if sim.lockstep is not None:
            sim.lockstep.day_over()
        bar.update(1)
    bar.close()


def run_clock(sim: Simulation, progress: bool = False) -> None:
    """Run ``sim`` until the clock has recorded its last day (t = horizon).

    Job events scheduled after the horizon stay unprocessed; those jobs count as open.
    """
    sim.env.run(until=sim.env.process(fleet_clock(sim, progress)))


def collect(sim: Simulation, wall_s: float, root: Path | None = None) -> RunResult:
    """Export the event log and daily table of a finished run and compute its KPIs.

    With a dataset ``root`` (the run streamed its events there, ``sim.sink``), the KPIs
    are computed from the dataset's events, the daily table is written to it and the
    dataset is marked complete; the result reads its events from there when asked.
    """
    cfg = sim.cfg
    sim.repairs.apply()  # nothing is normally left: the clock applied them before its last record
    horizon = int(cfg.horizon_days)
    if sim.sink is None or root is None:
        events = sim.log.to_frame(until=horizon)
    else:
        sources = [source(sim.sink.name, sim.sink.finish(sim.log, horizon))]
        events = read_events(root, filters=KPI_EVENTS_FILTER, sources=sources)
    daily = sim.collector.to_frame(events)   # with the day's waits (mean_wait_h's)
    svc = sim.service
    desk = svc.experts
    capacity = ServiceCapacity(vans=svc.technicians, shift_h_per_day=svc.shift.hours_per_day,
                               working_days=svc.shift.working_days(horizon),
                               horizon_days=horizon, costs=svc.cfg.costs,
                               expert_desk_min_per_day=desk.minutes_per_day if desk else 0.0,
                               expert_answer_min=float(desk.cfg.answer_min) if desk else 0.0,
                               bays=sum(f.size for f in svc.facilities["center"]),
                               economics=None if svc.poisson else svc.cfg.economics,
                               staffed_van_days=(float(svc.workforce.staffed_van_days)
                                                 if svc.workforce is not None else None),
                               trainee_cost=float(svc.cfg.workforce.academy.cost_per_trainee))
    kpi_events = with_categories(events)   # the same KPIs, cheaper row selections
    kpis = compute_kpis(kpi_events, daily, sim.fleet, capacity, horizon, cfg.alerts,
                        sim.ota.cfg if sim.ota is not None else cfg.ota)   # with a train's releases
    prog_kpis, prog_table = prognostics_results(sim.prognostics)
    kpis |= prog_kpis
    by_region = ({} if svc.poisson else region_kpis(
        kpi_events, sim.fleet.state.attrs["region"], sim.fleet.region_names, svc.region_tier,
        capacity, [len(d.techs) for d in svc.dispatchers],
        [f.size for f in svc.facilities["center"]], horizon))
    meta = run_metadata(cfg, wall_s, kpis["vehicle_days"])
    if prog_table:
        meta["prognostics"] = prog_table
    if root is not None and sim.sink is not None:
        write_manifest(root, sources, write_daily(root, daily), int(cfg.seed), sim.fleet.state.n,
                       horizon)
        events = None   # read back from the dataset when asked
    return RunResult(kpis=kpis, daily=daily, config=cfg, kpis_by_region=by_region, meta=meta,
                     fleet_state=state_frame(sim.fleet, int(cfg.horizon_days)),
                     _events=events, dataset=root)


#: The sharded run (``run.shards`` not null): :func:`sim.shards.run_sharded`, put here by
#: :mod:`sim.shards` (a layer above this module) when the package loads.
SHARDED: list[Callable[..., RunResult]] = []


@relaxed_gc()
def simulate(cfg: DictConfig, progress: bool | None = None,
             results_dir: str | Path | None = None) -> RunResult:
    """Run one scenario.

    Args:
        cfg: a composed config (see :func:`sim.load_config`); validated again here.
        progress: show a progress bar (default: ``cfg.output.progress``; hidden when
            stderr is not a terminal).
        results_dir: where the run streams its results dataset (:mod:`sim.dataset`; an
            earlier run's dataset there is cleared first). Default: a temporary directory
            the result owns (removed with it, unless :meth:`RunResult.save` moves it).

    Returns:
        The run's KPIs, event log, daily table, config and metadata.
    """
    validate(cfg)
    t0 = time.perf_counter()
    sizing = (auto_size(cfg, run_sized) if cfg.service.mobile.sizing == "auto"
              and cfg.service.dispatch in ROUTED else None)
    owned = results_dir is None
    root = temporary() if owned else start(Path(results_dir))
    try:
        result = _simulate(cfg, sizing, root, t0, progress)
    except BaseException:
        if owned:
            shutil.rmtree(root, ignore_errors=True)
        raise
    if owned:
        result.own(root)
    if sizing is not None:
        result.meta["sizing"] = sizing
    return result


def _simulate(cfg: DictConfig, sizing: dict | None, root: Path, t0: float,
              progress: bool | None) -> RunResult:
    show = bool(cfg.output.progress) if progress is None else progress
    if "run" in cfg and cfg.run.shards is not None and SHARDED:
        return SHARDED[0](cfg, sizing, show, root)
    sim = build(cfg, sizing)
    sim.sink = SourceWriter(root, "fleet")
    mark_sample_day(sim)
    run_clock(sim, show)
    result = collect(sim, time.perf_counter() - t0, root)
    sample = van_day_sample(sim)
    if sample:
        result.meta["van_day_sample"] = sample
    routed = [sim.service.routed(r) for r in range(len(sim.service.dispatchers))]
    result.meta["routing_wall_s"] = round(sum(v.plan_s for v in routed if v is not None), 6)
    return result


@relaxed_gc()
def run_sized(cfg: DictConfig, sizing: dict | None = None) -> RunResult:
    """A quiet run with ``sizing``'s vans and bays per region (the sizing pilots)."""
    sim = build(cfg, sizing)
    t0 = time.perf_counter()
    run_clock(sim, False)
    return collect(sim, time.perf_counter() - t0)


def mark_sample_day(sim: Simulation) -> None:
    """Keep the legs of the first region with vans on the working day nearest mid-run."""
    horizon = int(sim.cfg.horizon_days)
    day = horizon // 2
    while day < horizon and not sim.service.shift.works_on(day):
        day += 1
    for r in range(len(sim.service.dispatchers)):
        vans = sim.service.routed(r)
        if vans is not None and vans.techs:
            vans.sample_day = day
            return


def van_day_sample(sim: Simulation) -> dict:
    """The legs of every van of the sample region-day (the report's route map), if any."""
    for r in range(len(sim.service.dispatchers)):
        vans = sim.service.routed(r)
        if vans is not None and vans.sample:
            return {"region": sim.service.region_names[r], "day": vans.sample_day,
                    "radius_km": vans.city.radius_km, "depot_km": list(vans.city.depot),
                    "shift_h": [vans.shift.start_h, vans.shift.end_h],
                    "vans": {str(k): v for k, v in vans.sample.items()}}
    return {}
