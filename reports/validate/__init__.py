"""The validation dossier: ``validation/report.html`` from ``validation.json``, and the
``fleetsim-validate`` command (the checks themselves are :mod:`experiments.validate`)."""
