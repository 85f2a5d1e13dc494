"""The shared design's rules: aims, versions that never change, cycles, the boundary and its decisions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from improvenet.design import driver_graph as dg
from improvenet.design.access import design_cluster
from improvenet.design.models import Adaptation, Aim, ChangeIdea, DesignChallenge, VersionIsImmutable
from improvenet.lib.errors import Conflict
from improvenet.network.access import in_cluster


def test_fishbone_causes_are_kept_by_category(design):
    with scope(cluster=design.alpha):
        challenge = DesignChallenge.objects.get(pk=design.challenge.pk)
        assert challenge.causes_by_category() == [("Students", ["Fixed mindset"]),
                                                  ("Systems", ["No adult follows each student"])]
        challenge.fishbone = [{"category": "", "cause": "x"}]
        with pytest.raises(ValidationError):
            challenge.full_clean()


def test_an_aim_states_how_much_by_when(design):
    with scope(cluster=design.alpha):
        assert design.aim.summary == "From 62% to 75% of 9th graders by June 2027"
        aim = Aim(challenge=design.challenge, statement="x", population="9th graders", baseline=62, target=62,
                  unit="%", target_date=datetime.date(2027, 6, 1))
        with pytest.raises(ValidationError) as refused:
            aim.full_clean()
        assert "target" in refused.value.message_dict
        aim.target = 120
        with pytest.raises(ValidationError, match="0 to 100"):
            aim.full_clean()


def test_a_saved_version_never_changes_and_editing_saves_the_next(design):
    with scope(cluster=design.alpha):
        diagram = design.aim.diagram()
        first = diagram.current()
        first.note = "Rewritten"
        with pytest.raises(VersionIsImmutable):
            first.save()
        with pytest.raises(VersionIsImmutable):
            first.nodes.first().save()
        with pytest.raises(VersionIsImmutable):
            first.delete()
        outline = dg.to_outline(first.graph()).replace("Ability grows with effort", "Ability grows with good effort")
        second = diagram.save_version(dg.parse_outline(outline + "Families help\n"), user=design.users.researcher,
                                      note="Reworded", based_on=1)
        assert second.number == 2 and diagram.version(1).note == "First"
        change = dg.diff(diagram.version(1).graph(), second.graph())
        assert [(a.text, b.text) for a, b in change.reworded] == [("Ability grows with effort",
                                                                   "Ability grows with good effort")]
        assert [n.text for n in change.added] == ["Families help"] and not change.removed


def test_a_version_based_on_an_old_one_is_a_conflict(design):
    with scope(cluster=design.alpha):
        diagram = design.aim.diagram()
        graph = diagram.current().graph()
        diagram.save_version(graph, user=design.users.lead, note="Second", based_on=1)
        with pytest.raises(Conflict, match="Version 2 was saved"):
            diagram.save_version(graph, user=design.users.lead, note="Third", based_on=1)


def test_a_cycle_is_refused_with_the_drivers_named(design):
    with scope(cluster=design.alpha):
        graph = dg.Graph(
            (dg.Node("p", "primary", "Belief"), dg.Node("a", "secondary", "Effort"),
             dg.Node("b", "secondary", "Help")),
            frozenset({("p", "a"), ("a", "b"), ("b", "a")}),
        )
        with pytest.raises(ValidationError) as refused:
            design.aim.diagram().save_version(graph, user=design.users.lead, note="Loop", keep_keys=True)
        assert "“Effort” → “Help” → “Effort”" in str(refused.value)
        assert design.aim.diagram().current().number == 1


def test_change_idea_nodes_are_the_clusters_change_ideas_and_one_serves_two_drivers(design):
    with scope(cluster=design.alpha):
        praise = ChangeIdea.objects.get(title="Praise strategies")
        version = design.aim.diagram().current()
        node = version.nodes.get(change_idea=praise)
        assert {p.text for p in version.graph().parents(node.key)} == {"Ability grows with effort",
                                                                        "Students feel they belong"}


def test_an_adaptation_of_a_core_element_is_outside_the_boundary(design):
    with scope(cluster=design.alpha):
        within = Adaptation.objects.create(enactment=design.enactment, element=design.adaptable,
                                           description="In English class")
        outside = Adaptation.objects.create(enactment=design.enactment, element=design.core,
                                            description="Four lessons instead of six")
        assert (within.outside_boundary, within.status) == (False, "within_bounds")
        assert (outside.outside_boundary, outside.status) == (True, "awaiting_decision")
        with pytest.raises(ValidationError):
            within.decide("accept", "Fine", design.users.lead)


def test_bringing_back_within_bounds_keeps_the_reason(design):
    with scope(cluster=design.alpha):
        outside = Adaptation.objects.create(enactment=design.enactment, element=design.core, description="Four")
        with pytest.raises(ValidationError, match="reason"):
            outside.decide("bring_back", "  ", design.users.researcher)
        assert outside.decide("bring_back", "All six lessons matter.", design.users.researcher) is None
        outside.refresh_from_db()
        assert (outside.status, outside.decision_reason, outside.decided_by) == (
            "brought_back", "All six lessons matter.", design.users.researcher)
        assert design.aim.diagram().current().number == 1
        with pytest.raises(Conflict, match="already decided"):
            outside.decide("accept", "Changed our minds", design.users.lead)


def test_accepting_saves_a_new_diagram_version_citing_the_adaptation(design):
    with scope(cluster=design.alpha):
        outside = Adaptation.objects.create(enactment=design.enactment, element=design.core, description="Four",
                                            proposed_wording="Four growth mindset lessons")
        version = outside.decide("accept", "Four work as well in the pilot data.", design.users.researcher)
        assert version.number == 2 and version.adaptation == outside and f"adaptation {outside.pk}" in version.note
        change = dg.diff(design.aim.diagram().version(1).graph(), version.graph())
        assert [(a.text, b.text) for a, b in change.reworded] == [("Growth mindset lessons",
                                                                   "Four growth mindset lessons")]
        design.lessons.refresh_from_db()
        assert design.lessons.title == "Four growth mindset lessons"
        assert Adaptation.objects.get(pk=outside.pk).status == "accepted"


def test_the_district_design_team_changes_the_shared_design(design):
    for user, expected in [(design.users.researcher, True), (design.users.member, False),
                           (design.users.viewer, False), (design.users.lead, True)]:
        with in_cluster(user, "alpha") as access:
            assert design_cluster(user, access).can_change is expected
