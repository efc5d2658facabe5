"""Run the validation checks of a tier and write ``validation.json``.

Fast tier (CI, <= 3 min): the battery cell model against BLAST-Lite for every parameter set
that declares a reference, the default fleet's battery fade against Geotab (one default
run, on which Little's law is checked per service channel too, and the caller's
``run_extra`` checks: the seeds' service scoreboard from :mod:`reports.validate`), the
default service on seed 001's busy tier-1 city (the caller's ``busy_city_extra``: the seeds'
productive hours), brake pad
and tire life of the twins standalone, OTA adoption of a clean release per rollout policy
against its wave schedule (sandbox), the breakdown rate of a run without alerts against
ADAC, the M/M/c reduction against Erlang C at four loads up to rho = 0.95, and the
experiments' statistics (coverage of the 95 % intervals, paired intervals under common
random numbers). ``full`` adds two M/M/c settings, Ciw as a second M/M/c oracle, ADAC's
cause shares on a 40 000-vehicle year, the OTA containment curve per rollout policy and
alert precision and recall on 20 000 x 730 for seeds 1-5.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sim
from configs import parameter_sets
from experiments.validate import (
    alerts_ota,
    battery,
    ciw_oracle,
    components,
    intervals,
    littles_law,
    ota_adoption,
    queueing,
)
from experiments.validate import fleet as fleet_checks
from experiments.validate.checks import Check
from experiments.validate.record import reproducibility
from sim.fleet import twin_params

TIERS = ("fast", "full")
# Seed 001's busy tier-1 city: the fleet and horizon of this experiment (20 000 cars in one
# tier-1 city, 90 days), on which the caller's ``busy_city_extra`` checks run the default
# scenario's service (reports.validate.seeds: the seeds' productive hours).
BUSY_CITY_EXPERIMENT = "dispatch_generations"
# The seeds of the checks that do not run the default scenario (reproducibility record).
CHECK_SEEDS = {
    "adac_cause_shares": fleet_checks.SHARES_OVERRIDES[-1],
    "mmc_fleetsim": queueing.SEED, "mmc_ciw": ciw_oracle.SEED,
    "interval_coverage": intervals.COVERAGE_SEED, "crn_experiment": intervals.CRN_SEED,
    "alert_quality": list(alerts_ota.ALERT_SEEDS),
    "ota_sandbox": "SyntheticFleet(seed=1), run(seed=2026) (sim.ota.sandbox defaults)",
    "busy_city": f"the default seed, experiment={BUSY_CITY_EXPERIMENT}'s fleet and horizon",
}
RESULT_FILE = "validation.json"


def run_checks(tier: str = "fast", battery_params: Mapping[str, Any] | None = None,
               overrides: Sequence[str] = (), fleet: bool = True,
               run_extra: Sequence[Callable[[Mapping[str, Any], Any], list[Check]]] = (),
               busy_city_extra: Sequence[Callable[[Mapping[str, Any], Any], list[Check]]] = ()
               ) -> dict[str, Any]:
    """Run the checks of ``tier``; returns the ``validation.json`` document.

    Args:
        tier: ``"fast"`` or ``"full"``.
        battery_params: chemistry -> a battery parameter set to check instead of the
            shipped one (a deliberately perturbed set, for instance).
        overrides: Hydra overrides of the scenario the fleet checks run.
        fleet: run the simulation checks (the default fleet, the M/M/c queues); off for the
            battery cell checks alone.
        run_extra: more checks of the default run, each called with its KPIs and config
            (the report layer's: the seeds' service scoreboard).
        busy_city_extra: checks of a run of :func:`busy_city_config`, called like
            ``run_extra``; no such run without one.
    """
    if tier not in TIERS:
        raise ValueError(f"tier={tier!r}: one of {', '.join(TIERS)}")
    reference = battery.load_reference()
    params = {c: parameter_sets.load("battery", c)
              for c in battery.chemistries_with_reference(reference)}
    params |= dict(battery_params or {})
    checks: list[Check] = [battery.blast_check(c, p, reference) for c, p in params.items()]
    cfg = sim.load_config(["output.progress=false", *overrides])
    if fleet:
        run = sim.simulate(cfg)
        checks.append(battery.geotab_check(run.kpis))
        checks.append(littles_law.littles_law_check(run.events, int(cfg.horizon_days)))
        for extra in run_extra:
            checks.extend(extra(run.kpis, cfg))
        if busy_city_extra:
            city = busy_city_config(cfg)
            city_kpis = sim.simulate(city).kpis
            for extra in busy_city_extra:
                checks.extend(extra(city_kpis, city))
        checks.extend(components.component_checks(cfg))
        checks.append(ota_adoption.adoption_check(ota_adoption.adoption_curves()))
        plain = sim.load_config(["output.progress=false", *overrides,
                                 *fleet_checks.ADAC_OVERRIDES])
        checks.append(fleet_checks.adac_rate_check(sim.simulate(plain).kpis))
        if tier == "full":
            big = sim.load_config(["output.progress=false", *overrides,
                                   *fleet_checks.SHARES_OVERRIDES])
            checks.append(fleet_checks.adac_shares_check(sim.simulate(big).kpis))
            checks.append(alerts_ota.containment_check(alerts_ota.containment_curves()))
        settings = queueing.FULL if tier == "full" else queueing.FAST
        waits_h = functools.cache(queueing.simulated_waits_h)  # shared with the Ciw check
        checks.append(queueing.erlang_check(settings, waits_h))
        if tier == "full":
            checks.append(ciw_oracle.ciw_check(settings, waits_h))
        checks.append(intervals.coverage_check(twin_params(cfg)["body"]))
        checks.append(intervals.crn_check(intervals.crn_table()))
        if tier == "full":  # last: 10 runs of 20 000 x 730 (most of the full tier's time)
            checks.extend(alerts_ota.alert_checks(alerts_ota.alert_rows()))
    failed = [c.name for c in checks if not c.passed]
    return {"passed": not failed, "failed": failed,
            "checks": [c.to_dict() for c in checks],
            "reproducibility": reproducibility(cfg, tier, params, reference)
            | {"check_seeds": CHECK_SEEDS}}


def busy_city_config(cfg: Any) -> Any:
    """``cfg`` (its service, dispatch, seed) on seed 001's busy tier-1 city: the fleet and the
    horizon of ``experiment=``:data:`BUSY_CITY_EXPERIMENT`, nothing else of it (not its
    busier vans nor its owners who wait for a van whatever the backlog)."""
    busy = sim.load_config([f"experiment={BUSY_CITY_EXPERIMENT}"])
    city = copy.deepcopy(cfg)
    city.fleet = busy.fleet
    city.horizon_days = busy.horizon_days
    return city


def write(doc: Mapping[str, Any], run_dir: str | Path) -> Path:
    """Write ``validation.json`` into ``run_dir`` (created if needed); returns its path."""
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / RESULT_FILE
    path.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")
    return path
