"""Search: full-text search."""
