"""Demo partnership health for Riverside."""

from collections.abc import Callable


def create_partnership_demo(seed: int, report: Callable[[str], None]) -> None:
    """Filled in by the partnership work."""
