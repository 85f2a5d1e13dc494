"""Demo families for Riverside."""

from collections.abc import Callable


def create_families_demo(seed: int, report: Callable[[str], None]) -> None:
    """Filled in by the families work."""
