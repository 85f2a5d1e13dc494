"""Pyramid accountability: dashboards of each high school with its feeder schools over time."""
