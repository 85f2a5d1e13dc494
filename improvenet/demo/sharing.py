"""Demo sharing: a change idea published by Riverside and adopted by Lakeside."""

from collections.abc import Callable


def create_sharing_demo(seed: int, report: Callable[[str], None]) -> None:
    """Not written yet (session 2 in progress)."""
