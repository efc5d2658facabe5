"""KPIs of a run: :mod:`~sim.kpis.compute` computes them from the exported tables.

Kept import-free so that reading KPI definitions does not load the simulation.
"""
