"""The measures fixture of alpha (tests/measures) and the data fixtures (tests/data), for the pyramid tests."""

import pytest

from tests.data.conftest import data_world, district  # noqa: F401 - fixtures used by the tests here
from tests.data.stores import district_store_fixture, loaded_fixture  # noqa: F401
from tests.measures.conftest import build_measured


@pytest.fixture
def measured(world, tmp_path, monkeypatch):
    """alpha with an outcome measure for both schools of the Alpha High pyramid, and no analytics store."""
    monkeypatch.setenv("IMPROVENET_ANALYTICS_STORE", str(tmp_path / "no-stores"))
    return build_measured(world)
