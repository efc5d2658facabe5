"""OTA campaigns in the run report: adoption curves, gate decisions, problems, service load."""
