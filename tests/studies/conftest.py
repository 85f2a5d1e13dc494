"""A small synthetic district with assessment scores and a planted trial effect, in the `world` cluster's store."""

import shutil

import pytest

from improvenet.analytics.bundle import read_bundle
from improvenet.analytics.pseudonym import Pseudonymizer, load_key
from improvenet.analytics.store import Store
from improvenet.analytics.synth_scores import Trial, add_assessment_scores
from tests.data.conftest import KEY, data_world, district  # noqa: F401 (fixtures)

PYRAMIDS = {"AH": "A", "AM": "A", "AE": "A", "CH": "C", "CM": "C", "CE": "C", "OH": "O"}
TREATED = {"AH": True, "AM": False, "AE": True, "CH": False, "CM": True, "CE": False}
TRIAL_YEAR = 2024
ASSESSMENT, SUBJECT = "Spring benchmark", "reading"


@pytest.fixture(scope="session")
def scored_store(district, tmp_path_factory):  # noqa: F811 (the fixture imported above)
    """The district's store with a spring reading score a year and 0.5 SD planted in the treated schools from 2024."""
    folder = tmp_path_factory.mktemp("scored") / "bundle"
    shutil.copytree(district, folder)
    add_assessment_scores(folder, PYRAMIDS, seed=5, assessment=ASSESSMENT, subject=SUBJECT,
                          trial=Trial(TREATED, TRIAL_YEAR, 0.5))
    path = tmp_path_factory.mktemp("stores") / "scored.duckdb"
    Store(path).load(read_bundle(folder), Pseudonymizer(load_key({"IMPROVENET_PSEUDONYM_KEY": KEY})),
                     source=folder.name)
    return path


@pytest.fixture
def scored(data_world, scored_store):  # noqa: F811 (the fixture imported above)
    """`data_world` whose store holds the scored district."""
    data_world.store.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(scored_store, data_world.store)
    return data_world
