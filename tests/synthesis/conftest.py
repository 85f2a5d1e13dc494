"""A ledger world on top of `world`: Alpha's change idea, published and adopted by Beta (another cluster of the
network that does not share its work), with estimates made by hand in tests."""

from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.design.models import ChangeIdea
from improvenet.sharing.services import publish
from improvenet.synthesis.models import ExternalStudy, SchoolEstimate


@pytest.fixture
def ledger_world(world):
    with scope(cluster=world.alpha, network=world.network.pk):
        idea = ChangeIdea.objects.create(cluster=world.alpha, title="Daily advisory check-ins")
        publication = publish(idea, world.users.lead)
    with scope(cluster=world.beta, network=world.network.pk):
        adoption = publication.adopt(world.beta, world.users.outsider)
    return SimpleNamespace(world=world, idea=idea, beta_idea=adoption.change_idea)


def school_estimate(cluster, school, idea, effect, se, **fields) -> SchoolEstimate:
    with scopes_disabled():
        fields = {"inclusion_reason": "Parallel trends held.", **fields}
        estimate = SchoolEstimate(cluster=cluster, school=school, change_idea=idea, outcome="GPA", start_year=2024,
                                  effect=effect, standard_error=se, **fields)
        estimate.full_clean()
        estimate.save()
    return estimate


def external_study(cluster, idea, effect, se, **fields) -> ExternalStudy:
    with scopes_disabled():
        study = ExternalStudy(cluster=cluster, change_idea=idea, citation=fields.pop("citation", "Smith (2020)"),
                              outcome="GPA", effect=effect, standard_error=se, **fields)
        study.full_clean()
        study.save()
    return study
