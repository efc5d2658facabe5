"""The seed 002 targets of predictive alerts."""

from __future__ import annotations

from reports.page.targets import Target

# Seed 002 (XPeng three-level alerts): "better to miss than to false-alarm".
ALERT_PRECISION = Target(0.85, True, "seed 002")
OWNER_RESPONSE = Target(0.60, True, "seed 002")
BREAKDOWNS_AVOIDED = Target(0.80, True, "seed 002")
ALERTS_PER_VEHICLE_MONTH = Target(2.0, False, "seed 002")
