"""Monitoring: aggregates of the prediction log, drift and performance statistics, reports and alerts."""
