"""Permission rows for the convenings app's pages and API (see tests/permission_table.py)."""


def demo_ids() -> dict:
    return {}


def rows(ids) -> dict:
    return {}
