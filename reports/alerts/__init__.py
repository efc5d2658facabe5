"""Predictive alerts in the run report: quality against the seeds' targets, lead time, volume."""
