"""The run report's recall section (a hardware field campaign)."""
