"""Validation checks: each model against its published reference (``fleetsim-validate``).

:mod:`~experiments.validate.battery` (the battery twin against BLAST-Lite and Geotab),
:mod:`~experiments.validate.fleet` and :mod:`~experiments.validate.components` (ADAC
breakdowns, pad and tire life), :mod:`~experiments.validate.queueing`,
:mod:`~experiments.validate.ciw_oracle` and :mod:`~experiments.validate.littles_law`
(queueing), :mod:`~experiments.validate.intervals` (the experiments' statistics),
:mod:`~experiments.validate.alerts_ota` (alert quality, OTA containment),
:mod:`~experiments.validate.record` (what a report needs to be regenerated) and
:mod:`~experiments.validate.runner` (run the checks of a tier, write ``validation.json``).
The HTML dossier and the command line live in :mod:`reports.validate`.
"""
