"""The rules of an agreement's dates and parties, and the registry that lists data use agreements beside them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from improvenet.partners import registry
from improvenet.partners.dates import Status
from improvenet.partners.models import Agreement, party_problem
from tests.partners.conftest import DAY


def test_dates_out_of_order_name_the_field(alpha_scope):
    p = alpha_scope
    agreement = Agreement(cluster=p.world.alpha, title="x", kind="other", starts_on=p.today,
                          expires_on=p.today - DAY, renews_on=p.today - 2 * DAY, signed_on=p.today + DAY)
    with pytest.raises(ValidationError) as raised:
        agreement.full_clean(exclude=["parties"])
    errors = raised.value.message_dict
    assert errors["expires_on"] == ["The expiry date must be on or after the start date."]
    assert "renewal date must be on or after the start" in errors["renews_on"][0]
    assert "cannot be in the future" in errors["signed_on"][0]
    agreement = Agreement(cluster=p.world.alpha, title="x", kind="other", starts_on=p.today,
                          renews_on=p.today + 20 * DAY, expires_on=p.today + 10 * DAY)
    with pytest.raises(ValidationError, match="renewal date must be on or before the expiry"):
        agreement.full_clean(exclude=["parties"])


def test_parties_are_the_clusters_partner_organizations(alpha_scope):
    p = alpha_scope
    assert party_problem([p.board, p.union], p.world.alpha) is None
    assert party_problem([], p.world.alpha) == "Name at least one party."
    assert "not Beta union" in party_problem([p.beta_union], p.world.alpha)
    assert "not Alpha High" in party_problem([p.world.high.organization_ptr], p.world.alpha)


def test_status_follows_the_dates(alpha_scope):
    p = alpha_scope
    assert p.memorandum.status() == Status.ACTIVE
    assert p.union_agreement.status() == Status.EXPIRING
    p.union_agreement.end(p.today)
    assert p.union_agreement.status() == Status.ENDED


def test_the_registry_lists_data_use_agreements_beside_the_others_without_copying_them(alpha_scope):
    p = alpha_scope
    entries = registry.entries(p.world.alpha, p.today)
    assert [(e.source, e.title) for e in entries] == [
        ("data_use", "Attendance study"), ("agreement", "Union agreement"), ("agreement", "Board memorandum")]
    dua = entries[0]
    assert dua.url == reverse("data:agreement", args=["alpha", p.dua.pk]) and dua.status == Status.EXPIRING
    assert Agreement.objects.count() == 2, "the data use agreement is not copied into the registry's table"
    due = [(entry.title, deadline.kind, deadline.on) for entry, deadline in registry.expiring(p.world.alpha, p.today)]
    assert due == [("Union agreement", "renewal", p.today + 5 * DAY),
                   ("Attendance study", "expiry", p.today + 10 * DAY),
                   ("Union agreement", "expiry", p.today + 30 * DAY)]
    assert [e.title for e, _ in registry.expiring(p.world.alpha, p.today, 7)] == ["Union agreement"]
