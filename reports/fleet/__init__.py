"""The fleet in the run report: component health, failures and breakdowns, battery fade."""
