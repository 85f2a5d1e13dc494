"""Demo engagement for Riverside."""

from collections.abc import Callable


def create_engagement_demo(seed: int, report: Callable[[str], None]) -> None:
    """Filled in by the engagement work."""
