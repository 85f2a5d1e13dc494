"""The worlds of the apps whose records are corrected here."""

from tests.cycles.conftest import pdsa  # noqa: F401 (fixtures this folder builds on)
from tests.partnership.conftest import partners  # noqa: F401
