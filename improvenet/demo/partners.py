"""Demo partners for Riverside."""

from collections.abc import Callable


def create_partners_demo(seed: int, report: Callable[[str], None]) -> None:
    """Filled in by the partners work."""
