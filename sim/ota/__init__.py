"""OTA campaigns (issue 6): staged rollouts, install failures, latent defects, campaign decisions.

Daily contract with the engine::

    ota = OtaCampaigns(cfg.ota, n=n, hw_config=..., hw_config_names=[...], cohort=...,
                       cohort_names=["employee", "early_adopter", "regular"], region=...,
                       region_names=[...], rng=streams.get("ota"))
    out = ota.step(day, OtaContext(parked_night, soc_frac, aux12v_health))
    out.counts[release]     # ReleaseCounts: the adoption curve (truth + server view)
    out.events[release]     # ReleaseEvents: int64 vehicle arrays (installed, install_failed
                            # + mode, retry, dealer_flash, rolled_back, bricked, defect_fault,
                            # defect_no_start, cloud_rolled_back)
    out.decisions           # [Decision(day, release, action, wave, cohort, hw_config, reason)]
    ota.on_dealer_flashed(vehicles, release)   # flash job done: now installed
    ota.installed_day(release)                 # read-only, -1 if never installed

The engine applies a release's ``effects`` from each vehicle's ``installed``
event, removes them on ``cloud_rolled_back``, creates a software fault job on
``defect_fault``, a rescue on ``defect_no_start`` and ``bricked``, and a
service-center flash job on ``dealer_flash``.

Rollout presets: the nested config group ``configs/ota/rollout/`` (package
``ota.rollout``), selected in ``configs/ota/default.yaml``'s defaults list::

    fleetsim ota/rollout=hawkbit_default     # or aws_abort, mender_phased, big_bang, staged
    fleetsim ota.rollout.policy=big_bang     # a single key of the chosen preset
    fleetsim +ota/rollout@ota.releases.fix_2026_12.rollout=aws_abort   # one release only

Modules: :mod:`~sim.ota.installs` (vehicles' state machine),
:mod:`~sim.ota.monitor` (reports and the server's view),
:mod:`~sim.ota.controller` (the server's decisions), :mod:`~sim.ota.policies`
(waves and rate), :mod:`~sim.ota.evidence` (statistical gates),
:mod:`~sim.ota.operator` (investigation, hotfix, supersede or cancel),
:mod:`~sim.ota.campaigns` (one campaign per release, and the hotfixes the
operator adds), :mod:`~sim.ota.train` (a release train's releases, ``ota=train``),
:mod:`~sim.ota.loop` (consequences and the event log: seed 000's failure table as
``ota_network_switched``, ``ota_cache_cleared``, ``ota_charge_requested`` ->
``ota_install_retried``, ``ota_dealer_flash``, ``ota_patched`` / ``ota_cloud_rolled_back``),
:mod:`~sim.ota.sandbox` (a synthetic fleet, no engine).
"""

from sim.ota.campaigns import OtaCampaigns
from sim.ota.installs import STATES
from sim.ota.outcome import (
    ACTIONS,
    FAILURE_MODES,
    DayOutcome,
    Decision,
    OtaContext,
    ReleaseCounts,
    ReleaseEvents,
)

__all__ = ["ACTIONS", "FAILURE_MODES", "STATES", "DayOutcome", "Decision", "OtaCampaigns",
           "OtaContext", "ReleaseCounts", "ReleaseEvents"]
