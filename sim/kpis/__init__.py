"""KPIs of a run: :mod:`~sim.kpis.compute` computes them from the exported tables;
:mod:`~sim.kpis.catalogue` defines each once (label, unit, format, better direction,
meaning; the rows are in :mod:`~sim.kpis.definitions`); ``fleetsim-kpis``
(:mod:`~sim.kpis.cli`) prints the catalogue.

Kept import-free so that reading KPI definitions does not load the simulation.
"""
