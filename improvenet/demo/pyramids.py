"""Demo pyramids for Riverside."""

from collections.abc import Callable


def create_pyramids_demo(seed: int, report: Callable[[str], None]) -> None:
    """Filled in by the pyramids work."""
