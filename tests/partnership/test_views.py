"""The pages: the report beside the outcomes, the rubric editor, rounds and the self-assessment form."""

import json

from django_scopes import scope

from improvenet.partnership import services
from improvenet.partnership.models import Round, Rubric, SelfAssessment
from tests.partnership.conftest import ratings

P = "/clusters/alpha/partnership"


def form_data(organization=None, evidence="Minutes of the data meeting.", **levels) -> dict:
    data = {"notes": "Rated at the partners' meeting."}
    if organization is not None:
        data["organization"] = organization.pk
    for key, (level, text) in ratings(evidence=evidence, **levels).items():
        data[f"level_{key}"], data[f"evidence_{key}"] = level, text
    return data


def test_the_report_shows_trends_tables_gaps_and_the_outcome_section(client, partners):
    with scope(cluster=partners.world.alpha):
        services.save_assessment(SelfAssessment(round=partners.fall, organization=partners.district),
                                 ratings(equity=3))
        services.save_assessment(SelfAssessment(round=partners.fall, organization=partners.union), ratings(equity=1))
    client.force_login(partners.world.users.viewer)
    page = client.get(f"{P}/").content.decode()
    assert "Partnership health beside the outcome measures" in page
    assert "Gap:</strong> In round 1, partners&#x27; ratings of Equity differ by 2 levels" in page
    assert "<th scope=\"row\">Alpha USD</th><td>3 · Established</td>" in page
    assert 'id="spec-equity" type="application/json"' in page and 'id="medians-spec"' in page
    assert "The cluster has no outcome measure yet" in page
    assert "Plan the first round" not in page


def test_the_lead_edits_the_rubric_as_a_new_version_with_clear_messages(client, partners):
    client.force_login(partners.world.users.lead)
    form = client.get(f"{P}/rubric/edit/")
    assert "Save as a new version" in form.content.decode()
    dimensions = json.loads(form.context["form"].initial["dimensions"])
    broken = client.post(f"{P}/rubric/edit/", {"title": "Health", "gap_threshold": 2, "dimensions": "[{"})
    assert broken.status_code == 422
    assert "This is not valid JSON: Expecting property name enclosed in double quotes on line 1" in \
        broken.content.decode()
    dimensions[1]["levels"][0]["descriptor"] = ""
    empty = client.post(f"{P}/rubric/edit/", {"title": "Health", "gap_threshold": 2,
                                              "dimensions": json.dumps(dimensions)})
    assert "Level 1 of Equity has no descriptor." in empty.content.decode()
    dimensions[1]["levels"][0]["descriptor"] = "Equity is a word on the website."
    saved = client.post(f"{P}/rubric/edit/", {"title": "Health", "gap_threshold": 1, "change_note": "Reworded",
                                              "dimensions": json.dumps(dimensions)})
    assert saved.status_code == 302
    with scope(cluster=partners.world.alpha):
        rubric = Rubric.objects.get()
    assert (rubric.version, rubric.gap_threshold, rubric.dimensions[1]["levels"][0]["descriptor"]) == (
        1, 1, "Equity is a word on the website.")
    page = client.get(f"{P}/rubric/").content.decode()
    assert "Equity is a word on the website." in page and "Reworded" in page


def test_the_lead_plans_rounds_and_a_clash_of_days_is_a_form_error(client, partners):
    client.force_login(partners.world.users.lead)
    answer = client.post(f"{P}/rounds/new/", {"held_on": "2025-10-06", "title": "Fall 2025"})
    assert answer.status_code == 302
    clash = client.post(f"{P}/rounds/new/", {"held_on": "2025-10-06", "title": "Twin"})
    assert clash.status_code == 422 and "already has a round on October 6, 2025" in clash.content.decode()
    listing = client.get(f"{P}/rounds/").content.decode()
    assert "Fall 2025" in listing and "Spring 2025" in listing


def test_a_self_assessment_without_evidence_is_refused_and_nothing_is_saved(client, partners):
    client.force_login(partners.world.users.lead)
    url = f"{P}/rounds/{partners.fall.pk}/assess/"
    answer = client.post(url, form_data(partners.district, evidence=""))
    assert answer.status_code == 422
    assert "Alpha USD&#x27;s round 1 assessment rates Equity without evidence" in answer.content.decode()
    with scope(cluster=partners.world.alpha):
        assert not SelfAssessment.objects.exists()
    saved = client.post(url, form_data(partners.district, ci=2))
    with scope(cluster=partners.world.alpha):
        assessment = SelfAssessment.objects.get()
    assert saved.url == f"{P}/assessments/{assessment.pk}/"
    page = client.get(saved.url).content.decode()
    assert "2 of 4 · Developing" in page and "Minutes of the data meeting." in page
    edit = client.post(f"{P}/assessments/{assessment.pk}/edit/", form_data(ci=3))
    assert edit.status_code == 302
    assert "3 of 4 · Established" in client.get(saved.url).content.decode()


def test_a_person_of_a_partner_rates_their_own_organization_only(client, partners):
    client.force_login(partners.world.users.researcher)
    url = f"{P}/rounds/{partners.fall.pk}/assess/"
    refused = client.post(url, form_data(partners.district))
    assert refused.status_code == 422 and "Select a valid choice" in refused.content.decode()
    assert client.post(url, form_data(partners.university)).status_code == 302
    round_page = client.get(f"{P}/rounds/{partners.fall.pk}/").content.decode()
    assert "Recorded: 4 dimensions rated" in round_page
    with scope(cluster=partners.world.alpha):
        assessment = SelfAssessment.objects.get()
        district = services.save_assessment(SelfAssessment(round=partners.fall, organization=partners.district),
                                             ratings())
    assert client.get(f"{P}/assessments/{assessment.pk}/edit/").status_code == 200
    assert client.get(f"{P}/assessments/{district.pk}/edit/").status_code == 403
    client.force_login(partners.world.users.viewer)
    assert client.get(url).status_code == 403


def test_other_clusters_see_nothing(client, partners):
    client.force_login(partners.world.users.outsider)
    assert client.get(f"{P}/").status_code == 404
    client.force_login(partners.world.users.lead)
    with scope(cluster=partners.world.beta):
        other = Round.objects.create(cluster=partners.world.beta, held_on=partners.fall.held_on, title="Beta fall")
    assert client.get(f"{P}/rounds/{other.pk}/").status_code == 404
    assert client.get(f"/clusters/beta/partnership/rounds/{partners.fall.pk}/").status_code == 404


def test_rubric_json_nested_too_deep_is_a_clear_form_error(client, partners):
    client.force_login(partners.world.users.lead)
    answer = client.post(f"{P}/rubric/edit/", {"title": "Rubric", "gap_threshold": 2, "change_note": "",
                                                "dimensions": "[" * 100_000 + "]" * 100_000})
    assert answer.status_code == 422 and "nested far too deep" in answer.content.decode()
    with scope(cluster=partners.world.alpha):
        assert not Rubric.objects.exists()


def test_a_nul_character_written_in_the_rubric_json_is_a_form_error(client, partners):
    client.force_login(partners.world.users.lead)
    with scope(cluster=partners.world.alpha):
        dimensions = Rubric.current_for(partners.world.alpha).dimensions
    dimensions[0]["label"] += "\x00"
    answer = client.post(f"{P}/rubric/edit/", {"title": "Rubric", "gap_threshold": 2, "change_note": "",
                                                "dimensions": json.dumps(dimensions)})
    assert answer.status_code == 422 and "NUL character" in answer.content.decode()
