"""Per-school difference-in-differences estimates computed from a real store of the synthetic district (DuckDB),
offered to the ledger, read under the data rules and audited, and included with a reason."""

import math

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from improvenet.analytics.did import baseline_rate, difference_in_differences
from improvenet.data import services as data
from improvenet.data.models import AuditEvent
from improvenet.design.models import ChangeIdea
from improvenet.network.access import cluster_for_user
from improvenet.network.models import Membership, Person
from improvenet.synthesis import store
from improvenet.synthesis.models import SchoolEstimate
from improvenet.synthesis.services import school_estimates
from tests.data.conftest import START_YEAR, data_world, district  # noqa: F401  (fixtures)
from tests.data.stores import district_store_fixture, loaded_fixture  # noqa: F401  (fixtures)

METRIC = "chronic-absenteeism"


def compute(user, world, **options):
    access = cluster_for_user(user, world.alpha.slug)
    with scope(cluster=world.alpha):
        return store.per_school_estimates(user, access, METRIC, START_YEAR, channel="web", **options)


def audit_actions() -> list[str]:
    with scopes_disabled():
        return sorted(AuditEvent.objects.values_list("action", flat=True))


def test_each_innovation_school_alone_against_the_comparison_schools_standardized_at_baseline(loaded):
    world = loaded.world
    found = {estimate.school.name: estimate for estimate in compute(world.users.lead, world)}
    assert sorted(found) == ["Alpha Elementary", "Alpha High", "Alpha Middle"]
    # The same fit by hand for Alpha High: its rows and the comparison schools without a suppressed year.
    with scope(cluster=world.alpha):
        read = data.read_metric(world.users.lead, cluster_for_user(world.users.lead, "alpha"), METRIC, {},
                                channel="cli")
    rates = data.school_rates(read)
    suppressed = set(rates.loc[rates["suppressed"], "school_id"])
    assert suppressed == {"CM"}, "the district's store hides one small Cedar Middle year"
    frame = rates[rates["school_id"].isin({"AH", "CH", "CE"})]
    by_hand = difference_in_differences(frame, {"AH"}, START_YEAR, weight="weight").effect
    p = baseline_rate(frame, START_YEAR, weight="weight")
    high = found["Alpha High"]
    assert high.points == pytest.approx(by_hand.coefficient * 100)
    # Fewer chronically absent students is better: the sign turns, so the improving school's effect is positive.
    assert high.effect == pytest.approx(-by_hand.coefficient / math.sqrt(p * (1 - p)))
    assert high.standard_error == pytest.approx(by_hand.std_error / math.sqrt(p * (1 - p)))
    assert high.effect > 0
    assert "2 comparison schools (Cedar Middle left out" in high.comparison
    assert audit_actions() == ["analysis did per school chronic-absenteeism", f"metric {METRIC}", f"metric {METRIC}"]


def test_a_school_below_the_minimum_cell_size_gets_no_estimate_and_the_reason(loaded):
    world = loaded.world
    found = {estimate.school.name: estimate for estimate in compute(world.users.lead, world, min_n=250)}
    middle = found["Alpha Middle"]  # 229 to 240 students a year
    assert middle.effect is None and middle.standard_error is None
    assert "Fewer than 250 students" in middle.reason
    # Cedar High and Cedar Middle are hidden too at 250: with Cedar Elementary alone the others cannot be fitted,
    # and the page says so instead of failing.
    assert found["Alpha High"].effect is None and "cannot support" in found["Alpha High"].reason


def test_only_the_lead_and_the_data_team_compute_them(loaded):
    world = loaded.world
    for user in (world.users.member, world.users.researcher, world.users.viewer):
        with pytest.raises(PermissionDenied):
            compute(user, world)
    assert audit_actions() == []
    with scopes_disabled():
        person = Person.objects.create(cluster=world.alpha, given_name="Dee", family_name="Ta",
                                       user=world.users.member)
        Membership.objects.create(team=loaded.data_team, person=person, role="Analyst", started_on="2024-01-01")
    assert len(compute(world.users.member, world)) == 3


def test_the_page_offers_the_estimates_and_includes_the_chosen_ones_with_their_reason(loaded, client):
    world = loaded.world
    with scopes_disabled():
        idea = ChangeIdea.objects.create(cluster=world.alpha, title="Attendance check-ins")
    url = f"/clusters/alpha/ledger/ideas/{idea.pk}/schools/from-store/"
    client.force_login(world.users.lead)
    shown = client.get(url, {"metric": METRIC, "start_year": START_YEAR})
    assert shown.status_code == 200
    assert "Include Alpha High" in shown.content.decode()
    high = world.high
    unexplained = client.post(url, {"metric": METRIC, "start_year": START_YEAR, f"include_{high.pk}": "on"})
    assert unexplained.status_code == 422
    assert "Say why Alpha High" in unexplained.content.decode()
    with scopes_disabled():
        assert not SchoolEstimate.objects.exists()
    included = client.post(url, {"metric": METRIC, "start_year": START_YEAR, f"include_{high.pk}": "on",
                                 f"reason_{high.pk}": "The years before the start moved in parallel."})
    assert included.status_code == 302
    offered = {e.school.pk: e for e in compute(world.users.lead, world)}[high.pk]
    with scopes_disabled():
        (record,) = SchoolEstimate.objects.all()
        assert (record.school, record.effect, record.standard_error, record.scale) == (
            high, pytest.approx(offered.effect), pytest.approx(offered.standard_error), "smd")
        assert record.inclusion_reason == "The years before the start moved in parallel."
        assert record.computed_from.startswith("Computed from the analytics store")
    assert [e.yi for e in school_estimates("change_idea", idea.pk, frozenset({world.alpha.pk}))] == [
        pytest.approx(offered.effect)]
    again = client.get(url, {"metric": METRIC, "start_year": START_YEAR}).content.decode()
    assert "Already in the ledger" in again and "Include Alpha High" not in again
    edited = client.post(f"/clusters/alpha/ledger/schools/{record.pk}/edit/", {
        "school": high.pk, "outcome": record.outcome, "start_year": START_YEAR, "effect": 0.5,
        "standard_error": record.standard_error, "scale": "smd", "included": "on",
        "inclusion_reason": record.inclusion_reason})
    assert edited.status_code == 302
    with scopes_disabled():
        record.refresh_from_db()
    assert (record.effect, record.computed_from) == (0.5, ""), "edited by hand, it is no longer the computed one"
    client.force_login(world.users.member)
    assert client.get(url, {"metric": METRIC, "start_year": START_YEAR}).status_code == 403
