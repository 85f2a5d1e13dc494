"""Permission rows for the engagement app (see tests/permission_table.py)."""

from tests.permission_table import Action


def demo_ids() -> dict:
    return {}


def rows(ids) -> dict[str, Action]:
    return {}
