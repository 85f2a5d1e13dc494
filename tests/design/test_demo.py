"""The demo's shared design for Riverside (point 9 of the issue)."""

from collections import Counter

from django_scopes import scopes_disabled

from improvenet.demo.network import CAROL
from improvenet.design.models import Adaptation, DesignChallenge, DriverDiagram, Innovation, SchoolEnactment
from improvenet.network.models import Membership, School, current_on


def test_riverside_gets_a_challenge_an_aim_and_a_two_version_diagram(demo):
    with scopes_disabled():
        challenge = DesignChallenge.objects.get(cluster__slug="riverside")
        assert "ownership" in challenge.title.lower() and len(challenge.causes_by_category()) == 4
        aim = challenge.aims.get()
        assert (aim.baseline, aim.target, aim.unit, aim.population) == (62, 75, "%", "9th graders")
        diagram = DriverDiagram.objects.get(aim=aim)
        versions = list(diagram.versions.order_by("number"))
        assert [v.number for v in versions] == [1, 2]
        assert all(v.saved_by.username == CAROL and v.saved_at.year in (2024, 2025) for v in versions)
        assert Membership.objects.filter(current_on(), person__user__username=CAROL,
                                         team__kind="district_design").exists()
        kinds = Counter(n.kind for n in versions[1].nodes.all())
        assert kinds == {"primary": 3, "secondary": 8, "change_idea": 15}
        assert all(n.change_idea_id for n in versions[1].nodes.filter(kind="change_idea"))


def test_soar_is_enacted_in_the_three_innovation_high_schools_with_one_adaptation_outside(demo):
    with scopes_disabled():
        innovation = Innovation.objects.get(cluster__slug="riverside")
        assert innovation.core_elements().count() == 3 and innovation.adaptable_elements().count() == 4
        schools = set(SchoolEnactment.objects.filter(innovation=innovation).values_list("school_id", flat=True))
        assert schools == set(School.objects.filter(cluster__slug="riverside", level="high", role="innovation")
                              .values_list("pk", flat=True))
        outside = Adaptation.objects.filter(outside_boundary=True)
        assert outside.count() == 1 and outside.get().status == "awaiting_decision"
        assert Adaptation.objects.filter(outside_boundary=False).count() == 2


def test_the_demo_is_the_same_for_the_same_seed(demo):
    with scopes_disabled():
        enactments = list(SchoolEnactment.objects.order_by("school__name").values_list("school__name", "started_on"))
        nodes = list(DriverDiagram.objects.get().current().nodes.values_list("key", "kind", "text"))
    import improvenet.design.driver_graph as dg
    from improvenet.demo.design import _VERSION_2, _outline

    assert [(n.kind, n.text) for n in dg.parse_outline(_outline(_VERSION_2)).nodes] == [(k, t) for _, k, t in nodes]
    assert all(started.year == 2025 and started.month == 1 for _, started in enactments)


def test_adding_the_design_part_twice_changes_nothing(demo):
    from improvenet.demo.design import create_design_demo

    with scopes_disabled():
        create_design_demo(2026, lambda message: None)
        assert DesignChallenge.objects.count() == 1 and Adaptation.objects.count() == 3
