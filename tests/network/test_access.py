import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from improvenet.network import access


@pytest.mark.parametrize(
    ("user", "role", "can_change"),
    [("admin", "admin", True), ("lead", "lead", True), ("member", "member", False),
     ("researcher", "researcher", False), ("viewer", "viewer", False)],
)
def test_roles_in_a_cluster(world, user, role, can_change):
    result = access.cluster_for_user(getattr(world.users, user), "alpha")
    assert (result.role, result.can_change) == (role, can_change)


def test_other_cluster_and_anonymous_see_nothing(world):
    with pytest.raises(Http404):
        access.cluster_for_user(world.users.outsider, "alpha")
    with pytest.raises(Http404):
        access.cluster_for_user(AnonymousUser(), "alpha")
    assert list(access.visible_clusters(world.users.outsider)) == [world.beta]


def test_a_cluster_shared_with_the_network_is_readable_not_changeable(world):
    world.alpha.shares_with_network = True
    world.alpha.save()
    result = access.cluster_for_user(world.users.outsider, "alpha")
    assert (result.role, result.can_change) == ("shared", False)
    with pytest.raises(PermissionDenied):
        result.require_change()
    assert set(access.visible_clusters(world.users.outsider)) == {world.alpha, world.beta}


def test_records_of_another_cluster_are_not_found_through_this_cluster(world):
    with access.in_cluster(world.users.lead, "alpha") as alpha:
        assert access.school_for_user(alpha, world.high.pk).obj == world.high
        with pytest.raises(Http404):
            access.school_for_user(alpha, world.beta_school.pk)


def test_network_admin_changes_the_network_members_only_read_it(world):
    assert access.network_for_user(world.users.admin, "north").can_change
    assert not access.network_for_user(world.users.viewer, "north").can_change


def test_roles_have_plain_language_labels(world):
    assert access.cluster_for_user(world.users.admin, "alpha").role_label == "Network admin"
    assert access.cluster_for_user(world.users.member, "alpha").role_label == "Team member"


def test_team_membership_grants_design_and_school_work_rights(world):
    import datetime

    from django_scopes import scope

    from improvenet.network.models import Membership, Person, Team

    member = world.users.member
    with access.in_cluster(member, "alpha") as alpha:
        assert not access.can_change_shared_design(member, alpha)
        assert not access.can_change_school_work(member, alpha, world.high.pk)
        with scope(cluster=world.alpha):
            me = Person.objects.create(cluster=world.alpha, given_name="M", family_name="Ember", user=member)
            design = Team.objects.create(cluster=world.alpha, name="DDT", kind="district_design")
            Membership.objects.create(team=world.team, person=me, role="Teacher", started_on="2024-08-01")
            ended = Membership.objects.create(team=design, person=me, role="Teacher", started_on="2024-08-01",
                                              ended_on=datetime.date(2025, 6, 1))
        assert access.can_change_school_work(member, alpha, world.high.pk)
        assert not access.can_change_school_work(member, alpha, world.middle.pk)
        assert not access.can_change_shared_design(member, alpha)  # that membership ended
        ended.ended_on = None
        ended.save()
        assert access.can_change_shared_design(member, alpha)
    with access.in_cluster(world.users.lead, "alpha") as alpha:
        assert access.can_change_shared_design(world.users.lead, alpha)
        assert access.can_change_school_work(world.users.lead, alpha, None)
