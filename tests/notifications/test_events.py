"""Notifications are written where the events happen, once per person and event, from titles only."""

import datetime

from django_scopes import scope, scopes_disabled

from improvenet.governance.models import PanelMember, Vote
from improvenet.network.models import Membership, Person
from improvenet.notifications import events
from improvenet.notifications.models import Notification
from tests.conftest import make_user
from tests.cycles.conftest import make_cycle, run_to_act

D = datetime.date


def notes(user) -> list[tuple[str, str]]:
    with scopes_disabled():
        return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "text"))


def test_a_teammate_moving_a_cycle_notifies_the_rest_of_its_team_and_study_asks_for_the_answers(pdsa, client):
    world = pdsa.world
    teammate = make_user("teammate")
    with scopes_disabled():
        person = Person.objects.create(cluster=world.alpha, given_name="Tom", family_name="Ng", user=teammate)
        Membership.objects.create(team=world.team, person=person, role="Teacher", started_on=D(2024, 10, 1))
    cycle = make_cycle(pdsa, predictions=2, objective="Advisors hold weekly goal conferences")
    cycle.data_collected = "Student 4417823 scored 12 of 40"  # what the team wrote stays out of notifications
    with scope(cluster=world.alpha):
        cycle.save()
    client.force_login(world.users.member)
    assert client.post(f"/clusters/alpha/cycles/{cycle.pk}/start-do/", {}).status_code == 302
    assert notes(world.users.member) == []  # not told of their own step
    assert notes(teammate) == [("cycle_moved", "member moved the cycle “Advisors hold weekly goal conferences” to Do.")]
    with scope(cluster=world.alpha):
        cycle.refresh_from_db()
        cycle.what_happened = "It ran."
        cycle.save()
        cycle.start_study(user=teammate)
        assert events.predictions_waiting(cycle, 2) == 0  # the same event again: nobody is told twice
    waiting = ("prediction_waiting", "2 predictions of the cycle “Advisors hold weekly goal conferences” wait for "
                                     "their answer.")
    assert notes(world.users.member) == [
        ("cycle_moved", "teammate moved the cycle “Advisors hold weekly goal conferences” to Study."), waiting]
    assert notes(teammate)[-1] == waiting
    assert not any("4417823" in text for _, text in notes(teammate) + notes(world.users.member))


def test_a_decision_reopened_and_taken_again_is_a_new_event(pdsa):
    world = pdsa.world
    cycle = make_cycle(pdsa, predictions=1)
    with scope(cluster=world.alpha):
        run_to_act(cycle)
        cycle.decide("adopt", D(2025, 2, 3), user=world.users.lead)
        cycle.reopen_decision("Wrong week.", world.users.lead, on=D(2025, 2, 4))
        cycle.decide("adapt", D(2025, 2, 5), user=world.users.lead)
    decisions = [text for kind, text in notes(world.users.member) if "to a decision" in text]
    assert [text.rsplit(": ", 1)[1] for text in decisions] == ["Adopt.", "Adapt."]


def test_a_vote_opening_notifies_the_panel_members_who_vote_in_it(panel):
    voter, former = make_user("voter"), make_user("former")
    with scopes_disabled():
        for member, user in ((panel.members[0], voter), (panel.past, former)):
            member.person.user = user
            member.person.save()
    with scope(cluster=panel.alpha):
        vote = Vote.objects.create(cluster=panel.alpha, title="Fall priorities", method="approval",
                                   held_on=D(2025, 10, 1))
        vote.title = "Fall priorities, corrected"
        vote.save()  # a change is not an opening
    assert notes(voter) == [("vote_opened", "A vote opened: “Fall priorities”, held on October 1, 2025.")]
    assert notes(former) == []
    assert PanelMember.objects.with_scopes_disabled().filter(person__user=former).exists()


def test_an_adoption_in_another_cluster_notifies_who_published_the_idea(published):
    world = published.world
    with scope(cluster=world.beta, network=world.network.pk):
        published.publication.adopt(world.beta, world.users.outsider)
    assert notes(world.users.lead) == [
        ("idea_adopted", "Beta adopted the change idea you published, “Exit tickets with a next step”.")]
    with scopes_disabled():
        assert Notification.objects.get(recipient=world.users.lead).cluster == world.alpha
