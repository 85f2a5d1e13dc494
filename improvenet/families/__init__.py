"""Public information pages for families, in their language, and their research opt-out requests."""
