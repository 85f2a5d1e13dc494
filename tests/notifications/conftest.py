"""The worlds whose events are notified: cycles (`pdsa`), the panel's votes, published ideas, agreements."""

from tests.cycles.conftest import pdsa  # noqa: F401 (fixtures this folder builds on)
from tests.governance.conftest import panel  # noqa: F401
from tests.partners.conftest import partnered  # noqa: F401
from tests.sharing.conftest import published, shared  # noqa: F401
