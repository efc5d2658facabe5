"""Field-service figures the service findings and tiles compare a run with."""

from __future__ import annotations

from reports.page.targets import Benchmark, Reference

# Aberdeen field-service studies: share of jobs fixed at the first visit.
FIRST_TIME_FIX = Benchmark(0.80, 0.88, "Aberdeen field-service studies", laggard=0.63)
# Aberdeen 2012: share of service commitments (response times, appointments) met.
RESPONSE_COMPLIANCE = Benchmark(0.78, 0.92, "Aberdeen 2012, response-time compliance")

# Seed 001 three-level triage: L1 mobile work (tires, 12 V, software, small parts) ~70 % of demand.
MOBILE_SHARE_OF_DEMAND = Reference(0.70, 0.70, "seed 001, L1 mobile triage")
# J.D. Power 2025 China NEV-CSI: NEV owners who used mobile on-site service (owners, not jobs).
MOBILE_SERVICE_OWNERS_CHINA = Reference(0.323, 0.323, "J.D. Power 2025 China NEV-CSI")
# Seed 003: software faults fixed by remote diagnosis / OTA without a visit.
SOFTWARE_REMOTE_FIX = Reference(0.85, 0.85, "seed 003")
# Jobs per mobile technician (van) per working day: seeds 3-5; vendors claim 4-8 (weak).
JOBS_PER_VAN_DAY = Reference(3.0, 5.0, "seeds")
JOBS_PER_VAN_DAY_VENDOR = Reference(4.0, 8.0, "vendor claims")

# Queueing rule of thumb, not a published target: above ~85 % utilization waits
# grow steeply with any extra load (M/M/c behaviour).
UTILIZATION_HIGH = 0.85
UTILIZATION_LOW = 0.40
