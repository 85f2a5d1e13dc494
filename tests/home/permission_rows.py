"""Permission rows for each person's home."""

from tests.permission_table import SIGNED_IN, Action


def demo_ids() -> dict:
    return {}


def rows(ids) -> dict[str, Action]:
    return {"my work": Action("GET", "/", SIGNED_IN)}
