"""Corrections: records entered by mistake are withdrawn with a reason and restored, never deleted."""
