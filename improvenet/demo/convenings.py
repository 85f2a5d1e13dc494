"""Demo convenings: two past convenings with their packets."""

from collections.abc import Callable


def create_convenings_demo(seed: int, report: Callable[[str], None]) -> None:
    """Not written yet (session 2 in progress)."""
