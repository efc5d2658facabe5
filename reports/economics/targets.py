"""Seed figures the economics section compares a run with, with their sources."""

from __future__ import annotations

from reports.page.targets import Target

# Seed 001: by 2023 a mobile job cost 15 % less than the same job at a service center.
MOBILE_BELOW_CENTER = 0.15
MOBILE_BELOW_CENTER_SOURCE = "seed 001 (2023: a mobile job 15 % below a center job)"
# Seed 003: a van (fit-out and tools) pays for itself within 5 years.
VAN_PAYBACK_MONTHS = Target(60.0, False, "seed 003 (payback within 5 years)")
