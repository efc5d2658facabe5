"""The prognostics section of the run report (remaining useful life, issue 15)."""
