"""Pages of the shared design: what they show, who is offered changes, and how forms report problems."""

from django_scopes import scope, scopes_disabled

from improvenet.demo.design import AIM_STATEMENT, CHANGE_IDEAS, PRIMARY_DRIVERS
from improvenet.design.models import Adaptation, Aim, DesignChallenge, Innovation


def test_challenge_page_shows_the_fishbone_by_category(design, client):
    client.force_login(design.users.viewer)
    page = client.get(f"/clusters/alpha/design/challenges/{design.challenge.pk}/").content.decode()
    assert "<h3>Students</h3>" in page and "Fixed mindset" in page and "No adult follows each student" in page
    assert "Edit the challenge" not in page


def test_aim_page_shows_the_diagram_as_svg_and_as_a_nested_list(design, client):
    client.force_login(design.users.member)
    page = client.get(f"/clusters/alpha/design/aims/{design.aim.pk}/").content.decode()
    assert 'role="img"' in page and "<title id=" in page and 'aria-labelledby="dd-title-1 dd-desc-1"' in page
    assert page.count("Praise strategies") >= 3  # in the picture once, in the list under both drivers
    assert "Primary driver: </span>Students believe they can grow" in page
    assert "Change the driver diagram" not in page  # a school team member reads the shared design


def test_editing_the_diagram_saves_a_new_version_and_old_ones_stay_readable(design, client):
    client.force_login(design.users.researcher)
    form = client.get(f"/clusters/alpha/design/aims/{design.aim.pk}/diagram/edit/").content.decode()
    assert "Students believe they can grow\n  Ability grows with effort" in form
    outline = "Students believe they can grow\n  Ability grows with effort\n    Growth mindset lessons\n"
    answer = client.post(f"/clusters/alpha/design/aims/{design.aim.pk}/diagram/edit/",
                         {"outline": outline, "note": "Focus on mindset", "based_on": 1})
    assert answer.status_code == 302
    old = client.get(f"/clusters/alpha/design/aims/{design.aim.pk}/diagram/versions/1/").content.decode()
    assert "an earlier version" in old and "Students solve problems" in old
    compare = client.get(f"/clusters/alpha/design/aims/{design.aim.pk}/diagram/compare/",
                         {"from": 1, "to": 2}).content.decode()
    removed = compare[compare.index("Removed ("):compare.index("Reworded (")]
    assert "Students solve problems" in removed and "Praise strategies" in removed


def test_diagram_form_shows_problems(design, client):
    client.force_login(design.users.lead)
    url = f"/clusters/alpha/design/aims/{design.aim.pk}/diagram/edit/"
    answer = client.post(url, {"outline": "A\n  B\n    C\n      D\n", "note": ""})
    page = answer.content.decode()
    assert answer.status_code == 422 and 'role="alert"' in page
    assert "nothing goes under one" in page and "What changed and why: This field is required." in page
    assert client.post(url, {"outline": "A\n  B\n", "note": "x", "based_on": 1}).status_code == 302
    conflict = client.post(url, {"outline": "A\n  C\n", "note": "x", "based_on": 1})
    assert conflict.status_code == 422 and "Version 2 was saved" in conflict.content.decode()


def test_challenge_and_innovation_forms(design, client):
    client.force_login(design.users.researcher)
    bad = client.post("/clusters/alpha/design/challenges/new/", {"title": "T", "problem_of_practice": "P",
                                                                 "causes": "no colon here"})
    assert bad.status_code == 422 and "needs a category, a colon and the cause" in bad.content.decode()
    good = client.post("/clusters/alpha/design/challenges/new/", {"title": "T", "problem_of_practice": "P",
                                                                  "causes": "Students: Tired\nSystems: Bells"})
    assert good.status_code == 302
    with scope(cluster=design.alpha):
        assert [c["cause"] for c in DesignChallenge.objects.get(title="T").fishbone] == ["Tired", "Bells"]
    answer = client.post(f"/clusters/alpha/design/innovations/{design.innovation.pk}/edit/", {
        "name": "SOAR", "aim": design.aim.pk, "change_ideas": [design.lessons.pk],
        "core_elements": "Lessons: all six\nSteps: posted everywhere", "adaptable_elements": "Timing: any class"})
    assert answer.status_code == 302
    with scope(cluster=design.alpha):
        innovation = Innovation.objects.get(pk=design.innovation.pk)
        assert [e.name for e in innovation.core_elements()] == ["Lessons", "Steps"]
        assert innovation.elements.get(name="Lessons").pk == design.core.pk  # kept: adaptations refer to it
        assert list(innovation.change_ideas.all()) == [design.lessons]


def test_adaptation_and_decision_through_the_pages(design, client):
    client.force_login(design.users.member)
    url = f"/clusters/alpha/design/enactments/{design.enactment.pk}/adaptations/new/"
    answer = client.post(url, {"element": design.core.pk, "description": "Four lessons", "adapted_on": "2025-10-01"})
    assert answer.status_code == 302
    with scope(cluster=design.alpha):
        adaptation = Adaptation.objects.get()
    page = client.get(f"/clusters/alpha/design/innovations/{design.innovation.pk}/").content.decode()
    assert "waiting for a decision (1)" in page and "Record the decision" not in page
    client.force_login(design.users.researcher)
    page = client.get(f"/clusters/alpha/design/innovations/{design.innovation.pk}/").content.decode()
    assert f'id="id_a{adaptation.pk}_reason"' in page and "Record the decision" in page
    decide = f"/clusters/alpha/design/adaptations/{adaptation.pk}/decision/"
    missing = client.post(decide, {"decision": "bring_back", "reason": ""})
    assert missing.status_code == 422 and 'role="alert"' in missing.content.decode()
    done = client.post(decide, {"decision": "bring_back", "reason": "All six matter"}, follow=True)
    assert "Brought back within bounds." in done.content.decode()
    assert "All six matter" in done.content.decode()


def test_demo_design_pages_render(client, demo):
    with scopes_disabled():
        aim = Aim.objects.get(statement=AIM_STATEMENT)
        innovation = Innovation.objects.get()
        from django.contrib.auth import get_user_model
        alice = get_user_model().objects.get(username="alice")
    client.force_login(alice)
    page = client.get(f"/clusters/riverside/design/aims/{aim.pk}/").content.decode()
    assert all(text in page for text in PRIMARY_DRIVERS) and all(text in page for text in CHANGE_IDEAS)
    assert "version 2" in page
    compare = client.get(f"/clusters/riverside/design/aims/{aim.pk}/diagram/compare/").content.decode()
    assert "Students seek help before they fall behind" in compare and "Peer tutoring at lunch" in compare
    page = client.get(f"/clusters/riverside/design/innovations/{innovation.pk}/").content.decode()
    assert "waiting for a decision (1)" in page and "On-track monitoring" in page
    assert client.get("/clusters/riverside/design/").status_code == 200
