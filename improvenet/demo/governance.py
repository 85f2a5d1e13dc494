"""Demo governance for Riverside."""

from collections.abc import Callable


def create_governance_demo(seed: int, report: Callable[[str], None]) -> None:
    """Filled in by the governance work."""
