"""Open archive: export and import of a cluster."""
