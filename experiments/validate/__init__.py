"""Validation checks: each model against its published reference (``fleetsim-validate``).

:mod:`~experiments.validate.battery` (the battery twin against BLAST-Lite and Geotab),
:mod:`~experiments.validate.record` (what a report needs to be regenerated) and
:mod:`~experiments.validate.runner` (run the checks of a tier, write ``validation.json``).
The HTML dossier and the command line live in :mod:`reports.validate`.
"""
