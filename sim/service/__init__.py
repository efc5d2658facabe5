"""The service network: triage, mobile technicians, centers, body shops, tows, parts.

See :mod:`sim.service.jobs` for a job's life and :mod:`sim.service.dispatch`
for the dispatch policies.
"""

from sim.service.network import ServiceNetwork, scaled_count, service_config_object

__all__ = ["ServiceNetwork", "scaled_count", "service_config_object"]
