"""The service network in the run report: load, quality and cost, waiting time."""
