"""Demo induction for Riverside."""

from collections.abc import Callable


def create_induction_demo(seed: int, report: Callable[[str], None]) -> None:
    """Filled in by the induction work."""
