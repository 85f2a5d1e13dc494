"""Demo learning: spread stages across the range of evidence levels."""

from collections.abc import Callable


def create_learning_demo(seed: int, report: Callable[[str], None]) -> None:
    """Not written yet (session 2 in progress)."""
