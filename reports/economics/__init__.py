"""The economics of the service line in the run report: cost per visit, margin, van payback."""
