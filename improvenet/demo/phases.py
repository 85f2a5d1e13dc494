"""Demo phases of Riverside: its timeline from research to scaling out."""

from collections.abc import Callable


def create_phases_demo(seed: int, report: Callable[[str], None]) -> None:
    """Filled in by the phases work."""
