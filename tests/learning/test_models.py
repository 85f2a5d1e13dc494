"""Rules on the learning records: a spread stage's own checks, the thresholds' numbers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from improvenet.learning.evidence import Thresholds
from improvenet.learning.models import EvidenceThresholds, SpreadStage


def test_a_stage_names_each_problem(pdsa):
    world = pdsa.world
    with scope(cluster=world.alpha):
        record = SpreadStage(cluster=world.alpha, change_idea=pdsa.beta_idea, school=world.beta_school,
                             stage="testing", started_on=datetime.date.today() + datetime.timedelta(days=400),
                             reason="")
        with pytest.raises(ValidationError) as refused:
            record.clean()
    assert set(refused.value.message_dict) == {"school", "change_idea", "started_on", "reason"}


def test_the_thresholds_default_until_an_admin_saves_them(world):
    defaults = EvidenceThresholds.for_network(world.network)
    assert defaults.pk is None and defaults.as_rules() == Thresholds()
    with pytest.raises(ValidationError) as refused:
        EvidenceThresholds(network=world.network, supported_min_schools=0).full_clean()
    assert refused.value.message_dict == {"supported_min_schools": ["Use a whole number of at least 1."]}
