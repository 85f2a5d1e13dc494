"""Convenings: convening packets."""
