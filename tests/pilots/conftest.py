"""A pilots world on top of the `world` fixture: alpha's partner company Lexia Learning, its privacy
agreement in the registry, and its product Reading Coach 4.2."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from improvenet.network.models import Organization
from improvenet.pilots.models import Pilot, Product
from improvenet.pilots.services import import_usage
from tests.partners.conftest import make_agreement

DAY = datetime.timedelta(days=1)


@pytest.fixture
def piloted(world):
    today = timezone.localdate()
    with scopes_disabled():
        company = Organization.objects.create(cluster=world.alpha, name="Lexia Learning", kind="company")
        union = Organization.objects.create(cluster=world.alpha, name="Alpha Teachers Union", kind="union")
    privacy = make_agreement(world.alpha, [world.district, company], title="Lexia data-processing agreement",
                             kind="data_use", signed_on=today - 30 * DAY)
    with scope(cluster=world.alpha):
        product = Product(cluster=world.alpha, company=company, name="Reading Coach", version="4.2",
                          price_per_student=Decimal("30.00"), currency="USD", price_unit="per_year",
                          privacy_agreement=privacy, created_by=world.users.lead)
        product.full_clean()
        product.save()
    return SimpleNamespace(world=world, today=today, company=company, union=union, privacy=privacy, product=product)


def make_pilot(p, stage: str = "need", **fields) -> Pilot:
    """A pilot of the product in both alpha schools, walked to `stage` through its gates."""
    today = p.today
    monday = today - datetime.timedelta(days=today.weekday())
    values = {
        "need": "Grade 3 reading.", "selection_reason": "It fits.", "success_statement": "0.2 SD on the benchmark.",
        "claimed_minutes_per_week": Decimal("60"), "claimed_weeks": 12, "students": 100,
        "starts_on": monday - 4 * 7 * DAY, "ends_on": monday + 8 * 7 * DAY, "training": "Two sessions.",
    } | fields
    lead = p.world.users.lead
    with scope(cluster=p.world.alpha):
        pilot = Pilot(cluster=p.world.alpha, product=p.product, title="Reading Coach pilot", created_by=lead,
                      **values)
        pilot.full_clean()
        pilot.save()
        pilot.schools.set([p.world.high, p.world.middle])
        order = list(Pilot.Stage.values)
        while order.index(pilot.stage) < order.index(stage):
            if pilot.stage == Pilot.Stage.IMPLEMENT:
                upload_usage(pilot, USAGE)
            if pilot.stage == Pilot.Stage.ANALYZE:
                pilot.effect_size, pilot.effect_standard_error = 0.2, 0.08
                pilot.effect_outcome, pilot.effect_source = "Spring benchmark", "District analysis"
                pilot.save()
            pilot.advance(lead)
    return pilot


# Two weeks of usage in both schools: Alpha High large, Alpha Middle small (4 students) in its second week.
USAGE = ("school,week,active_students,minutes\n"
         "Alpha High,{w0},40,2400\nAlpha Middle,{w0},20,1000\n"
         "Alpha High,{w1},38,2200\nAlpha Middle,{w1},4,180\n")


def upload_usage(pilot: Pilot, template: str, name: str = "usage.csv"):
    first, _ = pilot.usage_window()
    text = template.format(w0=first, w1=first + 7 * DAY, w2=first + 14 * DAY)
    return import_usage(pilot, text.encode(), name, None)


@pytest.fixture
def alpha_scope(piloted):
    with scope(cluster=piloted.world.alpha):
        yield piloted
