"""A store holding the synthetic district, loaded once per session and copied into each test's store path."""

import shutil

import pytest

from improvenet.analytics.bundle import read_bundle
from improvenet.analytics.pseudonym import Pseudonymizer, load_key
from improvenet.analytics.store import Store
from tests.data.conftest import KEY


@pytest.fixture(scope="session", name="district_store")
def district_store_fixture(district, tmp_path_factory):
    path = tmp_path_factory.mktemp("stores") / "district.duckdb"
    Store(path).load(read_bundle(district), Pseudonymizer(load_key({"IMPROVENET_PSEUDONYM_KEY": KEY})),
                     source=district.name)
    return path


@pytest.fixture(name="loaded")
def loaded_fixture(data_world, district_store):
    """`data_world` whose store already holds the district."""
    data_world.store.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(district_store, data_world.store)
    return data_world
