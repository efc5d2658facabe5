"""The run report's view by region and city tier."""
