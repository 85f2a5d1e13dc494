"""Longitudinal data: data use agreements, audit log, loads and metrics pages."""
