"""Each person's home, the cluster overview and directory, and the cluster menu, through the pages."""

import datetime

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from improvenet.convenings.keeping import keep_due
from improvenet.convenings.models import Convening
from improvenet.cycles.models import PdsaCycle
from improvenet.design.models import ChangeIdea
from improvenet.home.models import EvidenceLevelSeen, HomeVisit
from improvenet.network.models import ClusterRole, Membership, Person, Team
from improvenet.partners.models import Agreement
from tests.cycles.conftest import make_cycle, pdsa  # noqa: F401 (pdsa is a fixture)

TODAY = timezone.localdate()


def _untouched_for(cycle: PdsaCycle, days: int) -> None:
    with scopes_disabled():
        PdsaCycle.objects.filter(pk=cycle.pk).update(updated_at=timezone.now() - datetime.timedelta(days=days))


def test_a_member_sees_their_teams_cycles_by_stage_with_the_next_step_and_what_needs_attention(pdsa, client):  # noqa: F811
    world = pdsa.world
    late = make_cycle(pdsa, objective="Exit tickets every Friday", planned_end=TODAY - datetime.timedelta(days=3))
    idle = make_cycle(pdsa, objective="Goal cards on every desk", predictions=1,
                      planned_end=TODAY + datetime.timedelta(days=30))
    _untouched_for(idle, 25)
    make_cycle(pdsa, team=pdsa.middle_team, objective="Another team's cycle")
    client.force_login(world.users.member)
    page = client.get("/").content.decode()
    assert "Exit tickets every Friday" in page and "Goal cards on every desk" in page
    assert "Another team's cycle" not in page
    assert "Next: Add at least one prediction, with what would confirm it." in page  # the late one has none
    assert "Next: Start Do." in page
    assert f"overdue: planned to end {late.planned_end:%B %-d, %Y}" in page
    assert "untouched for 25 days" in page

    world.alpha.stale_cycle_days = 30
    world.alpha.save()
    page = client.get("/").content.decode()
    assert "untouched for" not in page and "overdue" in page


def test_a_person_in_two_clusters_sees_both_each_item_naming_its_cluster(pdsa, client):  # noqa: F811
    world = pdsa.world
    make_cycle(pdsa, objective="Alpha's test")
    with scopes_disabled():
        ClusterRole.objects.create(cluster=world.beta, user=world.users.member, role="member")
        team = Team.objects.create(cluster=world.beta, name="Beta High design team", kind="school_design",
                                   school=world.beta_school)
        person = Person.objects.create(cluster=world.beta, given_name="Mia", family_name="Reyes",
                                       user=world.users.member)
        Membership.objects.create(team=team, person=person, role="Teacher", started_on="2024-10-01")
    with scope(cluster=world.beta):
        PdsaCycle.objects.create(cluster=world.beta, school=world.beta_school, team=team, change_idea=pdsa.beta_idea,
                                 objective="Beta's test", planned_start=datetime.date(2025, 1, 13))
    client.force_login(world.users.member)
    page = client.get("/").content.decode()
    alpha, beta = page.index(f'id="cluster-{world.alpha.pk}"'), page.index(f'id="cluster-{world.beta.pk}"')
    assert alpha < page.index("Alpha&#x27;s test") < beta < page.index("Beta&#x27;s test")
    assert "Beta High design team · Beta" in page and "Alpha High design team · Alpha" in page


def test_empty_lists_say_what_to_do_next(world, client):
    client.force_login(world.users.viewer)
    page = client.get("/").content.decode()
    assert "No cycle of your teams is running. Plan one from" in page
    assert "No open vote for you." in page and "No convening planned yet." in page
    assert "As the cluster&#x27;s lead" not in page


def test_the_lead_sees_agreements_expiring_within_90_days(world, client):
    with scope(cluster=world.alpha):
        for title, days in (("Union memorandum", 40), ("Funding letter", 200)):
            agreement = Agreement.objects.create(cluster=world.alpha, title=title, kind="union",
                                                 starts_on=datetime.date(2024, 1, 1),
                                                 expires_on=TODAY + datetime.timedelta(days=days))
            agreement.parties.add(world.district)
    client.force_login(world.users.lead)
    page = client.get("/").content.decode()
    assert "Union memorandum" in page and "Funding letter" not in page
    client.force_login(world.users.member)
    assert "Union memorandum" not in client.get("/").content.decode()


def test_news_counts_from_the_previous_visit_which_each_new_session_records(world):
    first = timezone.now() - datetime.timedelta(days=2)
    assert HomeVisit.previous_and_record(world.users.member, now=first) is None
    assert HomeVisit.previous_and_record(world.users.member) == first
    assert HomeVisit.objects.get(user=world.users.member).seen_at > first


def test_signing_in_lands_on_the_home(world, client):
    answer = client.post("/accounts/login/", {"username": "member", "password": "correct horse battery"})
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert "<h1>My work</h1>" in client.get("/").content.decode()


def test_the_overview_counts_running_cycles_and_names_those_needing_attention(pdsa, client):  # noqa: F811
    world = pdsa.world
    make_cycle(pdsa, objective="Fresh test", planned_end=TODAY + datetime.timedelta(days=10))
    _untouched_for(make_cycle(pdsa, objective="Forgotten test"), 40)
    client.force_login(world.users.viewer)
    page = client.get("/clusters/alpha/").content.decode()
    assert "<strong>2</strong> running: 2 in Plan, 0 in Do" in page
    assert "Forgotten test" in page and "untouched for 40 days" in page and "Fresh test" not in page
    assert "Alpha Middle" not in page  # the schools are on the directory page now


def test_the_menu_marks_the_current_area_and_shows_its_sections(world, client):
    client.force_login(world.users.viewer)
    page = client.get("/clusters/alpha/measures/").content.decode()
    assert 'href="/clusters/alpha/measures/" class="menu-current" aria-current="page">Measures' in page
    assert page.count("menu-current") == 1
    page = client.get("/clusters/alpha/phases/").content.decode()
    assert 'class="menu-current" aria-current="true">Running the cluster' in page
    assert '<a href="/clusters/alpha/phases/" aria-current="page">Phases</a>' in page
    assert "Cluster settings" not in page  # for the lead only
    client.force_login(world.users.lead)
    assert "Cluster settings" in client.get("/clusters/alpha/phases/").content.decode()


def test_the_menu_is_on_refusals_inside_a_cluster_but_not_on_pages_outside_one(world, client):
    client.force_login(world.users.viewer)
    refused = client.get("/clusters/alpha/phases/new/")
    assert refused.status_code == 403 and 'class="cluster-menu"' in refused.content.decode()
    assert 'class="cluster-menu"' not in client.get("/").content.decode()


def test_the_overview_names_the_ideas_whose_level_changed_since_the_last_convening(pdsa, client):  # noqa: F811
    world = pdsa.world
    client.force_login(world.users.viewer)
    assert "No convening has been held yet" in client.get("/clusters/alpha/").content.decode()
    with scope(cluster=world.alpha):
        steady = ChangeIdea.objects.create(cluster=world.alpha, title="Advisory check-ins")
        spring = Convening.objects.create(cluster=world.alpha, held_on=TODAY - datetime.timedelta(days=10),
                                          title="Spring")
    page = client.get("/clusters/alpha/").content.decode()
    assert "The levels at that convening were not kept" in page
    with scope(cluster=world.alpha):
        assert not EvidenceLevelSeen.objects.exists()  # opening the overview keeps nothing: it only reads

    # The day's keeping saw both ideas untested at the convening; then the team tested one of them.
    [kept] = keep_due([world.alpha], TODAY)
    assert (kept.convening, kept.levels, kept.pooled) == (spring, 2, 0)
    assert keep_due([world.alpha], TODAY) == []  # kept once
    page = client.get("/clusters/alpha/").content.decode()
    assert "No change idea's level changed." in page
    make_cycle(pdsa, objective="Goal conferences for one advisory")
    page = client.get("/clusters/alpha/").content.decode()
    link = f'<a href="/clusters/alpha/learning/ideas/{pdsa.idea.pk}/">Weekly goal-setting conferences</a>'
    assert f"{link}: Untested → <strong>Being tested</strong>" in page
    assert "Advisory check-ins" not in page.split('id="levels-heading"')[1].split("</section>")[0]
    with scope(cluster=world.alpha):
        assert list(EvidenceLevelSeen.objects.values_list("change_idea_id", "level", "seen_on")) == [
            (pdsa.idea.pk, "untested", spring.held_on), (steady.pk, "untested", spring.held_on)]
        assert Convening.objects.get(pk=spring.pk).kept_on == TODAY


def test_a_convening_keeps_only_the_levels_that_changed_since_the_ones_kept_before(pdsa):  # noqa: F811
    world = pdsa.world
    with scope(cluster=world.alpha):
        winter = Convening.objects.create(cluster=world.alpha, held_on=TODAY - datetime.timedelta(days=90),
                                          title="Winter")
        spring = Convening.objects.create(cluster=world.alpha, held_on=TODAY + datetime.timedelta(days=1),
                                          title="Spring")
    assert [k.convening for k in keep_due([world.alpha], TODAY)] == [winter]  # the spring's day has not come
    make_cycle(pdsa, objective="Goal conferences for one advisory")
    tomorrow = TODAY + datetime.timedelta(days=1)
    [kept] = keep_due([world.alpha], tomorrow)
    assert (kept.convening, kept.levels) == (spring, 1)
    with scope(cluster=world.alpha):
        assert dict(EvidenceLevelSeen.objects.filter(seen_on=spring.held_on)
                    .values_list("change_idea_id", "level")) == {pdsa.idea.pk: "being_tested"}


def test_a_school_team_member_with_no_data_waiting_is_told_so_and_where_the_charts_are(pdsa, client):  # noqa: F811
    world = pdsa.world
    client.force_login(world.users.member)
    page = client.get("/").content.decode()
    assert "Your school's values are in for the latest period of every measure." in page
    assert 'href="/clusters/alpha/measures/">the measures page</a>' in page
    client.force_login(world.users.viewer)  # on no school's team: nothing to enter, no card
    assert "Data to enter" not in client.get("/").content.decode()
