"""Permission rows for each person's home."""

from tests.permission_table import SIGNED_IN, USERS, Action


def demo_ids() -> dict:
    return {}


def rows(ids) -> dict[str, Action]:
    return {
        "my work": Action("GET", "/", SIGNED_IN),
        "favicon": Action("GET", "/favicon.ico", (301,) * len(USERS)),
    }
