"""A pilots world on top of the `world` fixture: alpha's partner company Lexia Learning, its privacy
agreement in the registry, and its product Reading Coach 4.2."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from improvenet.network.models import Organization
from improvenet.pilots.models import Product
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


@pytest.fixture
def alpha_scope(piloted):
    with scope(cluster=piloted.world.alpha):
        yield piloted
