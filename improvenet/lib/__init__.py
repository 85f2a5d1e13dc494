"""Helpers with no framework import that several apps share (one app's pure engines live in that app)."""
