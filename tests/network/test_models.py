import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import ScopeError, scope, scopes_disabled

from improvenet.network.models import Membership, Organization, Person, School, Team


def test_unscoped_query_of_cluster_data_fails(world):
    for model in (Organization, School, Person, Team, Membership):
        with pytest.raises(ScopeError):
            list(model.objects.all())


def test_scoped_query_sees_only_its_cluster(world):
    with scope(cluster=world.alpha):
        assert set(School.objects.values_list("name", flat=True)) == {"Alpha High", "Alpha Middle"}
    with scope(cluster=world.beta):
        assert list(School.objects.values_list("name", flat=True)) == ["Beta High"]


def school(world, **fields):
    values = dict(cluster=world.alpha, name="New", level="elementary", role="feeder", lowest_grade=0,
                  highest_grade=5, feeds_into=world.high)
    values.update(fields)
    return School(**values)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (dict(lowest_grade=6, highest_grade=5), "highest_grade", "below the lowest"),
        (dict(highest_grade=13), "highest_grade", "run from -1"),
        (dict(feeds_into=None), "feeds_into", "needs the high school"),
        (dict(level="high", role="feeder"), "role", "not a feeder"),
    ],
)
def test_school_rules(world, fields, field, message):
    with scope(cluster=world.alpha), pytest.raises(ValidationError) as error:
        school(world, **fields).full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_feeder_must_feed_a_high_school_of_the_same_cluster(world):
    with scope(cluster=world.alpha):
        with pytest.raises(ValidationError, match="not a high school"):
            school(world, feeds_into=world.middle).full_clean()
    with scopes_disabled(), pytest.raises(ValidationError, match="another cluster"):
        school(world, feeds_into=world.beta_school).full_clean()


def test_a_school_is_always_an_organization_of_kind_school(world):
    with scope(cluster=world.alpha):
        assert Organization.objects.get(pk=world.high.pk).kind == "school"
        with pytest.raises(ValidationError, match="Add schools as schools"):
            Organization(cluster=world.alpha, name="Sneaky", kind="school").full_clean()


def test_pyramids_group_feeders_under_their_high_school_by_role(world):
    with scope(cluster=world.alpha):
        School.objects.create(cluster=world.alpha, name="Zeta High", level="high", role="comparison",
                              lowest_grade=9, highest_grade=12)
        School.objects.create(cluster=world.alpha, name="Aspen Elementary", level="elementary", role="feeder",
                              lowest_grade=0, highest_grade=5, feeds_into=world.high)
        pyramids = world.alpha.pyramids()
    assert [p.head.name for p in pyramids] == ["Alpha High", "Zeta High"]  # innovation before comparison
    assert [s.name for s in pyramids[0].feeders] == ["Alpha Middle", "Aspen Elementary"]  # middle first
    assert pyramids[1].feeders == []


def test_ended_school_leaves_the_pyramids(world):
    with scope(cluster=world.alpha):
        world.middle.end(datetime.date(2025, 6, 30))
        assert world.alpha.pyramids()[0].feeders == []
        assert School.objects.get(pk=world.middle.pk).ended_on == datetime.date(2025, 6, 30)


def test_ending_a_person_ends_their_current_memberships_and_keeps_history(world):
    with scope(cluster=world.alpha):
        old = Membership.objects.create(team=world.team, person=world.person, role="Teacher",
                                        started_on=datetime.date(2023, 8, 1), ended_on=datetime.date(2024, 6, 1))
        current = Membership.objects.create(team=world.team, person=world.person, role="Chair",
                                            started_on=datetime.date(2024, 8, 1))
        world.person.end(datetime.date(2026, 1, 15))
        old.refresh_from_db()
        current.refresh_from_db()
    assert old.ended_on == datetime.date(2024, 6, 1)
    assert current.ended_on == datetime.date(2026, 1, 15)
    assert not current.is_current


def test_membership_cannot_end_before_it_starts_or_cross_clusters(world):
    with scopes_disabled():
        beta_person = Person.objects.create(cluster=world.beta, given_name="Ben", family_name="Beta")
        membership = Membership(team=world.team, person=beta_person, role="x",
                                started_on=datetime.date(2025, 1, 1), ended_on=datetime.date(2024, 1, 1))
        with pytest.raises(ValidationError) as error:
            membership.full_clean()
    assert set(error.value.message_dict) == {"person", "ended_on"}


def test_school_design_team_needs_a_school(world):
    with scope(cluster=world.alpha), pytest.raises(ValidationError, match="needs the school"):
        Team(cluster=world.alpha, name="T", kind="school_design").full_clean()


def test_duplicate_nces_id_in_one_cluster_is_a_conflict_naming_the_existing_school(world):
    from improvenet.lib.errors import Conflict

    with scope(cluster=world.alpha), pytest.raises(Conflict) as conflict:
        school(world, nces_id="170000100001").check_conflicts()
    assert "Alpha High" in conflict.value.message and conflict.value.existing == world.high
    with scope(cluster=world.beta):  # the same id in another cluster is fine
        School(cluster=world.beta, name="B", level="high", role="innovation", lowest_grade=9, highest_grade=12,
               nces_id="170000100001").check_conflicts()
