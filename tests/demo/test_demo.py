from collections import Counter
from datetime import date

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import transaction

from improvenet.demo import DEMO_NETWORK_SLUG, DEMO_PASSWORD, DemoAlreadyLoaded, load_demo
from improvenet.demo.network import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHAIR,
    DAN,
    DISTRICT_COORDINATOR,
    FACILITATOR,
    LAKESIDE,
    RESEARCHER,
    RIVERSIDE,
    STANDING_PANEL_CONSTITUENCIES,
    VERA,
    plan_network,
)
from improvenet.demo.pilots import COMPANY_USER
from improvenet.network.access import NETWORK_ADMIN, role_in_cluster
from improvenet.network.models import (
    Cluster,
    ClusterRole,
    Membership,
    Network,
    Organization,
    Person,
    School,
    Team,
    current_on,
)

pytestmark = pytest.mark.django_db

Kind = Organization.Kind


def current_members(team: Team):
    return team.memberships.filter(current_on()).select_related("person", "home_organization")


def high_schools(cluster: Cluster, role: str | None = None):
    schools = School.objects.filter(cluster=cluster, level=School.Level.HIGH)
    return schools.filter(role=role) if role else schools


def team(cluster: Cluster, kind: str, **lookups) -> Team:
    return Team.objects.get(cluster=cluster, kind=kind, **lookups)


def test_riverside_is_twelve_pyramids_of_about_sixty_schools(riverside):
    schools = School.objects.filter(cluster=riverside)
    assert 55 <= schools.count() <= 70
    assert high_schools(riverside).count() == 12
    assert Counter(high_schools(riverside).values_list("role", flat=True)) == {
        "innovation": 3, "at_large": 4, "comparison": 5,
    }
    for high in high_schools(riverside):
        feeders = Counter(high.feeders.values_list("level", flat=True))
        assert feeders["middle"] == 1 and 3 <= feeders["elementary"] <= 4, high.name
    for feeder in schools.exclude(level=School.Level.HIGH):
        assert feeder.role == School.Role.FEEDER
        assert feeder.feeds_into.level == School.Level.HIGH
        assert feeder.feeds_into.cluster_id == riverside.pk
    grades = {(s.level, s.lowest_grade, s.highest_grade) for s in schools}
    assert grades == {("elementary", 0, 5), ("middle", 6, 8), ("high", 9, 12)}


def test_schools_have_distinct_names_and_well_formed_ids_and_addresses(riverside, lakeside):
    for cluster in (riverside, lakeside):
        schools = list(School.objects.filter(cluster=cluster))
        assert len({s.name for s in schools}) == len(schools)
        assert len({s.nces_id for s in schools}) == len(schools)
        assert len({s.state_id for s in schools}) == len(schools)
        for school in schools:
            assert len(school.nces_id) == 12 and school.nces_id.isdigit()
            assert school.street and school.city and len(school.state) == 2
            assert len(school.postal_code) == 5


def test_riverside_is_launched_and_led_by_its_district_with_partners(riverside):
    assert riverside.status == Cluster.Phase.LAUNCHED
    assert riverside.lead_organization.name == "Riverside Unified School District"
    assert riverside.lead_organization.kind == Kind.DISTRICT
    partner_kinds = Counter(
        Organization.objects.filter(cluster=riverside).exclude(kind=Kind.SCHOOL)
        .values_list("kind", flat=True)
    )
    assert partner_kinds == {
        Kind.DISTRICT: 1, Kind.UNIVERSITY: 1, Kind.RESEARCH: 1, Kind.NONPROFIT: 1, Kind.FUNDER: 1,
        Kind.SCHOOL_BOARD: 1, Kind.UNION: 1, Kind.COMMUNITY: 2,
        Kind.COMPANY: 1,  # the company of the product pilot (improvenet/demo/pilots.py)
    }


def test_clusters_do_not_share_with_the_network(riverside, lakeside):
    assert not riverside.shares_with_network and not lakeside.shares_with_network


def test_riverside_district_design_team_has_the_described_composition(riverside):
    members = list(current_members(team(riverside, Team.Kind.DISTRICT_DESIGN)))
    homes = Counter(m.home_organization_id for m in members)
    roles = Counter(m.role for m in members)
    kinds = Counter(m.home_organization.kind for m in members)

    assert 18 <= len(members) <= 20
    assert roles[CHAIR] == 1 and roles[DISTRICT_COORDINATOR] == 1
    assert kinds[Kind.DISTRICT] >= 4  # central office leaders and the coordinator
    for school in high_schools(riverside, School.Role.INNOVATION):
        assert homes[school.pk] >= 2, school.name
    at_large = high_schools(riverside, School.Role.AT_LARGE)
    assert sum(homes[school.pk] for school in at_large) >= 2
    researchers = [m for m in members if m.role == RESEARCHER]
    assert len(researchers) >= 2
    assert {m.home_organization.kind for m in researchers} <= {Kind.UNIVERSITY, Kind.RESEARCH}
    facilitators = [m for m in members if m.role == FACILITATOR]
    assert facilitators and {m.home_organization.kind for m in facilitators} == {Kind.NONPROFIT}


def test_each_innovation_school_has_a_school_design_team_of_teachers_and_assistant_principals(
    riverside,
):
    for school in high_schools(riverside, School.Role.INNOVATION):
        members = current_members(team(riverside, Team.Kind.SCHOOL_DESIGN, school=school))
        assert 5 <= members.count() <= 7, school.name
        for membership in members:
            title = membership.person.title.lower()
            assert title.endswith("teacher") or title == "assistant principal", title
            assert membership.home_organization_id == school.pk
    assert Team.objects.filter(cluster=riverside, kind=Team.Kind.SCHOOL_DESIGN).count() == 3


def test_standing_panel_seats_every_constituency(riverside):
    members = current_members(team(riverside, Team.Kind.STANDING_PANEL))
    assert {m.role for m in members} == set(STANDING_PANEL_CONSTITUENCIES)
    board = members.get(role="School board")
    assert board.person.user.username == VERA
    assert board.home_organization.kind == Kind.SCHOOL_BOARD


def test_riverside_has_leadership_and_a_longitudinal_data_team(riverside):
    kinds = Counter(Team.objects.filter(cluster=riverside).values_list("kind", flat=True))
    assert kinds == {
        Team.Kind.LEADERSHIP: 1, Team.Kind.DISTRICT_DESIGN: 1, Team.Kind.SCHOOL_DESIGN: 3,
        Team.Kind.STANDING_PANEL: 1, Team.Kind.DATA: 1,
    }
    assert current_members(team(riverside, Team.Kind.DATA)).filter(role=RESEARCHER).exists()


def test_turnover_leaves_past_members_on_the_teams(riverside):
    ended = Membership.objects.filter(team__cluster=riverside, ended_on__isnull=False)
    ended_team_kinds = set(ended.values_list("team__kind", flat=True))
    assert {Team.Kind.DISTRICT_DESIGN, Team.Kind.SCHOOL_DESIGN} <= ended_team_kinds
    assert all(m.ended_on < date(2026, 11, 1) for m in ended)
    assert all(not m.is_current for m in ended)

    left = Person.objects.filter(cluster=riverside, ended_on__isnull=False)
    assert left.exists()
    for person in left:
        assert not person.memberships.filter(current_on(person.ended_on)).exists(), person


def test_lakeside_is_a_smaller_cluster_with_its_own_teams(lakeside):
    schools = School.objects.filter(cluster=lakeside)
    assert 9 <= schools.count() <= 15
    assert Counter(high_schools(lakeside).values_list("role", flat=True)) == {
        "innovation": 1, "at_large": 1, "comparison": 1,
    }
    assert lakeside.lead_organization.kind == Kind.DISTRICT
    kinds = Counter(Team.objects.filter(cluster=lakeside).values_list("kind", flat=True))
    assert kinds == {
        Team.Kind.LEADERSHIP: 1, Team.Kind.DISTRICT_DESIGN: 1, Team.Kind.SCHOOL_DESIGN: 1,
    }
    innovation = high_schools(lakeside, School.Role.INNOVATION).get()
    assert team(lakeside, Team.Kind.SCHOOL_DESIGN).school == innovation


def test_demo_accounts_sign_in_with_the_demo_password_and_hold_their_roles(settings, db):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    load_demo()
    riverside, lakeside = Cluster.objects.get(slug=RIVERSIDE), Cluster.objects.get(slug=LAKESIDE)
    expected = {
        ALICE: (riverside, "lead"), BOB: (riverside, "member"), CAROL: (riverside, "researcher"),
        VERA: (riverside, "viewer"), DAN: (lakeside, "lead"), ADMIN: (riverside, NETWORK_ADMIN),
    }
    for username, (cluster, role) in expected.items():
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert user.first_name and user.last_name and user.email
        assert role_in_cluster(user, cluster) == role, username
    assert authenticate(username=ALICE, password="wrong") is None
    assert not ClusterRole.objects.filter(user__username=ADMIN).exists()
    admin = get_user_model().objects.get(username=ADMIN)
    assert admin.is_staff and admin.is_superuser
    assert role_in_cluster(admin, lakeside) == NETWORK_ADMIN


def test_demo_accounts_are_people_on_the_teams_the_issue_names(riverside, lakeside):
    def teams_of(username):
        person = Person.objects.get(user__username=username)
        return person, current_members_of(person)

    def current_members_of(person):
        return {m.team for m in person.memberships.filter(current_on())}

    alice, alice_teams = teams_of(ALICE)
    assert team(riverside, Team.Kind.LEADERSHIP) in alice_teams
    bob, bob_teams = teams_of(BOB)
    first_innovation = high_schools(riverside, School.Role.INNOVATION).order_by("pk").first()
    assert team(riverside, Team.Kind.SCHOOL_DESIGN, school=first_innovation) in bob_teams
    carol, carol_teams = teams_of(CAROL)
    assert carol.home_organization.kind == Kind.UNIVERSITY
    assert team(riverside, Team.Kind.DISTRICT_DESIGN) in carol_teams
    dan, dan_teams = teams_of(DAN)
    assert dan.cluster == lakeside and team(lakeside, Team.Kind.LEADERSHIP) in dan_teams


def test_summary_counts_what_was_created_and_lists_the_accounts(db):
    messages = []
    summary = load_demo(progress=messages.append)
    assert messages and all(isinstance(message, str) for message in messages)
    assert summary.schools == School.objects.count()
    assert summary.people == Person.objects.count()
    assert summary.teams == Team.objects.count()
    assert summary.memberships == Membership.objects.count()
    assert [a.username for a in summary.accounts] == [ALICE, BOB, CAROL, VERA, DAN, ADMIN, COMPANY_USER]
    assert {a.cluster for a in summary.accounts if a.username in (ALICE, BOB, CAROL, VERA, COMPANY_USER)} == {
        "Riverside"
    }


def test_every_demo_record_passes_the_model_rules(demo):
    records = [
        *Network.objects.all(), *Cluster.objects.all(), *ClusterRole.objects.all(),
        *Organization.objects.exclude(kind=Kind.SCHOOL), *School.objects.all(),
        *Person.objects.all(), *Team.objects.all(), *Membership.objects.all(),
        *get_user_model().objects.all(),
    ]
    assert len(records) > 250
    for record in records:
        record.full_clean()


def snapshot() -> dict[str, list[tuple]]:
    """Everything the demo writes except timestamps and password salts, in creation order."""

    def rows(queryset, *fields):
        return list(queryset.order_by("pk").values_list(*fields))

    return {
        "networks": rows(Network.objects, "slug", "name", "description", "admins__username"),
        "clusters": rows(
            Cluster.objects, "slug", "name", "region", "status", "lead_organization__name",
            "shares_with_network",
        ),
        "roles": rows(ClusterRole.objects, "cluster__slug", "user__username", "role"),
        "organizations": rows(Organization.objects, "cluster__slug", "name", "kind", "website"),
        "schools": rows(
            School.objects, "name", "level", "lowest_grade", "highest_grade", "role",
            "feeds_into__name", "nces_id", "state_id", "street", "city", "state", "postal_code",
        ),
        "people": rows(
            Person.objects, "cluster__slug", "given_name", "family_name", "email", "title",
            "home_organization__name", "user__username", "ended_on",
        ),
        "teams": rows(Team.objects, "cluster__slug", "name", "kind", "school__name", "purpose"),
        "memberships": rows(
            Membership.objects, "team__name", "person__given_name", "person__family_name", "role",
            "home_organization__name", "started_on", "ended_on",
        ),
        "users": rows(get_user_model().objects, "username", "first_name", "last_name", "email"),
    }


def load_and_snapshot(seed: int) -> dict[str, list[tuple]]:
    with transaction.atomic():
        load_demo(seed)
        taken = snapshot()
        transaction.set_rollback(True)
    return taken


def test_the_same_seed_gives_the_same_data_and_another_seed_differs(db):
    first = load_and_snapshot(2026)
    assert first == load_and_snapshot(2026)
    other = load_and_snapshot(7)
    assert other["schools"] != first["schools"] and other["people"] != first["people"]
    assert plan_network(2026) == plan_network(2026) != plan_network(7)


def test_loading_twice_raises_and_writes_nothing_more(demo):
    before = snapshot()
    with pytest.raises(DemoAlreadyLoaded, match="fresh database"):
        load_demo()
    with pytest.raises(DemoAlreadyLoaded):
        load_demo(seed=7)
    assert snapshot() == before
    assert Network.objects.filter(slug=DEMO_NETWORK_SLUG).count() == 1


def test_each_person_has_a_handful_of_notifications_of_every_kind_some_read(demo):
    from improvenet.notifications.models import Notification

    notifications = list(Notification.objects.select_related("recipient"))
    assert {n.kind for n in notifications} == set(Notification.Kind.values)
    bobs = [n for n in notifications if n.recipient.username == "bob"]
    assert 5 <= len(bobs) <= 12
    assert len({n.kind for n in bobs}) >= 2
    unread = [n for n in bobs if not n.is_read]
    assert 1 <= len(unread) < len(bobs)
    # The unread are the newest, each dated on its event's day (not all at the moment the demo loaded).
    assert min(n.created_at for n in unread) >= max(n.created_at for n in bobs if n.is_read)
    assert len({n.created_at for n in bobs}) > 1
    assert not [n.text for n in bobs if n.text.startswith("Someone")], "a teammate, by name, moved the cycles"
    for person in {n.recipient.username for n in notifications}:
        assert len([n for n in notifications if n.recipient.username == person]) <= 12, person
