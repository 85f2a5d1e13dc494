import datetime

import pytest
from django_scopes import scopes_disabled

from improvenet.data.models import DataUseAgreement
from improvenet.design.models import ChangeIdea
from improvenet.studies.models import Study


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
