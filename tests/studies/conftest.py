"""A small synthetic district with assessment scores and a planted trial effect, in the `world` cluster's store;
and a draft study of the `world` cluster."""

import datetime
import shutil

import pytest
from django_scopes import scopes_disabled

from improvenet.analytics.bundle import read_bundle
from improvenet.analytics.pseudonym import Pseudonymizer, load_key
from improvenet.analytics.store import Store
from improvenet.analytics.synth_scores import Trial, add_assessment_scores
from improvenet.data.models import DataUseAgreement
from improvenet.design.models import ChangeIdea
from improvenet.studies.models import Study
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


@pytest.fixture
def study(world):
    """A draft randomized study of Alpha's schools, in blocks by feeder pyramid, under an agreement."""
    with scopes_disabled():
        agreement = DataUseAgreement.objects.create(
            cluster=world.alpha, project="Ninth-grade transitions", purpose="Study on-track rates.",
            permitted_fields=["student.*"], starts_on=datetime.date(2026, 1, 1),
            expires_on=datetime.date(2027, 12, 31),
        )
        agreement.researchers.add(world.users.researcher)
        idea = ChangeIdea.objects.create(cluster=world.alpha, title="Ninth-grade success teams")
        return Study.objects.create(
            cluster=world.alpha, title="Success teams trial", change_idea=idea, design="randomized",
            assignment_level="school", primary_outcome="on-track", secondary_outcomes=["chronic-absenteeism"],
            smallest_effect=0.2, starts_on=datetime.date(2026, 8, 15), ends_on=datetime.date(2027, 6, 15),
            agreement=agreement, power_design="cra2r2", power_parameters={"n": 60, "J": 20, "rho2": 0.15},
            created_by=world.users.lead,
        )
