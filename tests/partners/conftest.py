"""A partners world on top of the `world` fixture: alpha's board and union, two agreements (one
expiring in 30 days), a data use agreement expiring in 10 days, and `member` on alpha's data team."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from improvenet.data.models import DataUseAgreement
from improvenet.network.models import Membership, Organization, Person, Team
from improvenet.partners.models import Agreement

DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def make_agreement(cluster, parties, **fields) -> Agreement:
    today = timezone.localdate()
    values = {"title": "Board memorandum", "kind": "school_board", "starts_on": today - 300 * DAY,
              "expires_on": today + 400 * DAY} | fields
    with scope(cluster=cluster):
        agreement = Agreement(cluster=cluster, **values)
        agreement.full_clean(exclude=["parties"])
        agreement.save()
        agreement.parties.set(parties)
    return agreement


@pytest.fixture
def partnered(world):
    today = timezone.localdate()
    with scopes_disabled():
        alpha = world.alpha
        board = Organization.objects.create(cluster=alpha, name="Alpha Board of Education", kind="school_board")
        union = Organization.objects.create(cluster=alpha, name="Alpha Teachers Union", kind="union")
        data_team = Team.objects.create(cluster=alpha, name="Alpha data team", kind="data")
        analyst = Person.objects.create(cluster=alpha, given_name="Mia", family_name="Chen", user=world.users.member)
        Membership.objects.create(team=data_team, person=analyst, role="Analyst", started_on=today - 100 * DAY)
        world.users.lead.email = "lead@alpha.example.org"
        world.users.lead.save()
        world.users.researcher.email = "researcher@alpha.example.org"
        world.users.researcher.save()
        dua = DataUseAgreement.objects.create(
            cluster=alpha, project="Attendance study", purpose="Study attendance.", permitted_fields=["student.*"],
            starts_on=today - 200 * DAY, expires_on=today + 10 * DAY, created_by=world.users.lead,
        )
        dua.researchers.add(world.users.researcher)
    memorandum = make_agreement(alpha, [world.district, board], renews_on=today + 200 * DAY,
                                signed_on=today - 310 * DAY, created_by=world.users.lead)
    union_agreement = make_agreement(alpha, [world.district, union], title="Union agreement", kind="union",
                                     renews_on=today + 5 * DAY, expires_on=today + 30 * DAY)
    with scopes_disabled():
        beta_union = Organization.objects.create(cluster=world.beta, name="Beta union", kind="union")
    beta_agreement = make_agreement(world.beta, [beta_union], title="Beta union agreement", kind="union",
                                    expires_on=today + 20 * DAY)
    return SimpleNamespace(world=world, today=today, board=board, union=union, dua=dua, memorandum=memorandum,
                           union_agreement=union_agreement, beta_union=beta_union, beta_agreement=beta_agreement)


@pytest.fixture
def alpha_scope(partnered):
    with scope(cluster=partnered.world.alpha):
        yield partnered
