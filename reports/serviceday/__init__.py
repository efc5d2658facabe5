"""The service day in the run report: routed vans, van-day hours, channel flow, seeds, sizing."""
