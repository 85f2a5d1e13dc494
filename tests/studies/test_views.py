"""The study pages: planning with field errors and a power panel that answers, registering, revisions shown,
the allocation previewed with its baseline-equivalence table then saved once, and who sees what."""

from django_scopes import scopes_disabled

from improvenet.data.models import AuditEvent
from improvenet.design.models import ChangeIdea
from improvenet.network.models import School
from improvenet.studies import randomization
from improvenet.studies.models import Allocation, Study

C = "/clusters/alpha/studies"


def _form(study_fields: dict | None = None, **changes) -> dict:
    fields = {
        "title": "Advisory trial", "question": "", "change_idea": "", "design": "randomized",
        "assignment_level": "school", "block_level": "", "primary_outcome": "on-track",
        "secondary_outcomes": ["absence-rate"], "smallest_effect": "0.25", "starts_on": "2026-08-15",
        "ends_on": "2027-06-15", "agreement": "", "power_design": "cra2r2", "two_tailed": "on", "n": "80",
        "J": "24", "rho2": "0.15", "P": "0.5", "alpha": "0.05", "power": "0.8",
    }
    return fields | (study_fields or {}) | changes


def test_planning_a_study_names_each_problem_and_saves_nothing(client, world, study):
    client.force_login(world.users.researcher)
    with scopes_disabled():
        idea = ChangeIdea.objects.get(cluster=world.alpha)
    bad = client.post(f"{C}/new/", _form(smallest_effect="7", ends_on="2026-01-01", J="",
                                         secondary_outcomes=["absence-rate", "gpa"], primary_outcome="gpa"))
    page = bad.content.decode()
    assert bad.status_code == 422
    assert "Choose exactly one thing the study is about" in page
    assert "The design cra2r2 needs --J." in page
    assert "Name each outcome once" in page and "must end after it starts" in page and "at most 2" in page
    with scopes_disabled():
        assert Study.objects.count() == 1
    made = client.post(f"{C}/new/", _form(change_idea=idea.pk))
    assert made.status_code == 302
    with scopes_disabled():
        created = Study.objects.get(title="Advisory trial")
        assert created.power_parameters == {"n": 80, "J": 24, "rho2": 0.15, "P": 0.5, "alpha": 0.05, "power": 0.8}
        assert created.secondary_outcomes == ["absence-rate"]
    shown = client.get(made.url).content.decode()
    assert "Schools randomly assigned (two levels)" in shown and "Not registered yet" in shown


def test_the_power_panel_names_the_units_the_study_assigns(client, world, study):
    client.force_login(world.users.member)
    asked = {"power_design": "cra2r2", "n": "25", "J": "40", "rho2": "0.1", "two_tailed": "on"}
    for level, named, not_named in (("classroom", "Classrooms", "Schools"), ("school", "Schools", "Classrooms")):
        answer = client.get(f"{C}/power/", asked | {"assignment_level": level},
                            headers={"HX-Request": "true"}).content.decode()
        assert f"{named} randomly assigned (two levels)" in answer
        assert f"{not_named} randomly assigned" not in answer


def test_the_power_panel_answers_for_the_fields_as_they_stand(client, world, study):
    client.force_login(world.users.member)
    answer = client.get(f"{C}/power/", {"power_design": "cra2r2", "n": "15", "J": "20", "rho2": "0.17",
                                        "P": "0.5", "alpha": "0.05", "power": "0.8", "two_tailed": "on",
                                        "smallest_effect": "0.25"}).content.decode()
    # docs/studies.md's example: MDES 0.629 with 20 schools of 15 students, ρ₂ = 0.17.
    assert "0.629 standard deviations" in answer and "too small to detect it" in answer
    assert "it needs J = " in answer
    assert "<h1>Power calculator</h1>" in answer and 'name="J" value="20"' in answer
    fragment = client.get(f"{C}/power/", {"power_design": "cra2r2", "n": "15", "J": "20", "rho2": "0.17",
                                           "two_tailed": "on"},
                          headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="power-panel"') and "0.629 standard deviations" in fragment
    unknown = client.get(f"{C}/power/", {"power_design": "cra2r2", "n": "15"},
                         headers={"HX-Request": "true"}).content.decode()
    assert "needs --J" in unknown and "standard deviations" not in unknown


def test_registering_locks_the_design_and_shows_later_changes(client, world, study):
    client.force_login(world.users.lead)
    url = f"{C}/{study.pk}/"
    assert client.post(f"{url}register/").status_code == 302
    page = client.get(url).content.decode()
    assert "Registered on" in page and "none has changed since" in page
    fields = _form(title=study.title, change_idea=study.change_idea_id, agreement=study.agreement_id,
                   smallest_effect="0.3", n="60", J="20", primary_outcome="on-track")
    refused = client.post(f"{url}edit/", fields)
    assert refused.status_code == 422 and "say why its registered design changes" in refused.content.decode()
    saved = client.post(f"{url}edit/", fields | {"revision_reason": "The board's cost threshold."})
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert "1 later change is listed below" in page and "Smallest effect that matters: 0.2 → 0.3" in page
    assert "The board&#x27;s cost threshold." in page


def test_the_allocation_is_previewed_with_balance_then_saved_once(client, world, study):
    with scopes_disabled():
        study.register(world.users.lead)
        extra = [School.objects.create(cluster=world.alpha, name=f"Alpha Elementary {n}", level="elementary",
                                       role="at_large", lowest_grade=0, highest_grade=5) for n in (1, 2)]
    client.force_login(world.users.researcher)
    url = f"{C}/{study.pk}/allocation/"
    choice = {"schools": [world.high.pk, world.middle.pk, *[s.pk for s in extra]], "proportion": "0.5",
              "baseline_name": "on-track 2025", "seed": "11",
              "baseline": "Alpha High, 0.71\nAlpha Middle, 0.64\nalpha elementary 1, 0.70\nAlpha Elementary 2, 0.66"}
    preview = client.post(url, choice | {"preview": ""})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Preview (not saved): seed 11" in page
    # The schools in order of name: Alpha Elementary 1 and 2, Alpha High, Alpha Middle.
    in_order = [extra[0].pk, extra[1].pk, world.high.pk, world.middle.pk]
    drawn = randomization.Procedure(units=[str(pk) for pk in in_order]).draw(11)
    g = randomization.baseline_equivalence({"b": [0.70, 0.66, 0.71, 0.64]}, drawn.treated)[0]
    assert "Baseline equivalence" in page and f"<td>{g.g:.3f}</td><td>{g.verdict.capitalize()}</td>" in page
    with scopes_disabled():
        assert not Allocation.objects.exists()
    assert client.post(url, choice | {"save": ""}).status_code == 302
    again = client.post(url, choice | {"save": ""})
    assert again.status_code == 422 and "running it again is refused" in again.content.decode()
    bad = client.post(url, choice | {"baseline": "Nowhere High, 3", "preview": ""})
    assert bad.status_code == 422
    assert "Line 1: “Nowhere High, 3” names none of the chosen schools" in bad.content.decode()
    with scopes_disabled():
        assert Allocation.objects.get().seed == 11
        assert AuditEvent.objects.filter(action__startswith="study allocation saved").count() == 1


def test_viewers_read_the_summary_only_and_members_do_not_change(client, world, study):
    client.force_login(world.users.viewer)
    page = client.get(f"{C}/{study.pk}/").content.decode()
    assert "Success teams trial" in page and "Your role shows the study's summary" in page
    assert client.get(f"{C}/{study.pk}/allocation/").status_code == 403
    client.force_login(world.users.member)
    assert client.get(f"{C}/{study.pk}/allocation/").status_code == 200
    assert client.post(f"{C}/{study.pk}/register/").status_code == 403
    assert client.get(f"{C}/new/").status_code == 403
    client.force_login(world.users.outsider)
    assert client.get(f"{C}/{study.pk}/").status_code == 404


def test_a_new_allocation_starts_from_the_current_schools(client, world, study):
    with scopes_disabled():
        study.register(world.users.lead)
    client.force_login(world.users.lead)
    url = f"{C}/{study.pk}/allocation/"
    assert client.post(url, {"schools": [world.high.pk, world.middle.pk], "proportion": "0.5", "seed": "4",
                             "save": ""}).status_code == 302
    page = client.get(url).content.decode()
    assert "Allocation 1 (current)" in page and "Draw a new allocation" in page
    assert page.count("checked") == 2
