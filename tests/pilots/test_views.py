"""The pilot pages: a lead walks a pilot through its stages, uploads usage (refused rows named by line),
and decides; readers who do not change pilots see no buttons."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from improvenet.pilots.models import Pilot, UsageWeek
from tests.pilots.conftest import DAY, make_pilot


def test_the_lead_writes_each_stage_and_moves_the_pilot_on(piloted, client):
    client.force_login(piloted.world.users.lead)
    answer = client.post("/clusters/alpha/pilots/new/", {"product": piloted.product.pk, "title": "Coach pilot",
                                                         "schools": [piloted.world.high.pk], "need": ""})
    assert answer.status_code == 302
    with scope(cluster=piloted.world.alpha):
        pilot = Pilot.objects.get(title="Coach pilot")
    url = f"/clusters/alpha/pilots/{pilot.pk}/"
    page = client.get(url).content.decode()
    assert "Write the need the product should meet." in page and "Move on to Discover and select" in page
    answer = client.post(f"{url}advance/", follow=True)
    assert "Before the pilot moves on: Write the need the product should meet." in answer.content.decode()
    edit = client.get(f"{url}edit/").content.decode()
    assert 'name="need"' in edit and 'name="success_statement"' not in edit
    assert client.post(f"{url}edit/", {"title": "Coach pilot", "schools": [piloted.world.high.pk],
                                       "need": "Grade 3 reading."}).status_code == 302
    answer = client.post(f"{url}advance/", follow=True)
    assert "The pilot moved on to Discover and select." in answer.content.decode()
    pilot.refresh_from_db()
    assert pilot.stage == "select"


def test_a_usage_file_with_bad_rows_is_refused_whole_with_their_lines(piloted, client):
    pilot = make_pilot(piloted, "implement")
    client.force_login(piloted.world.users.lead)
    first, _ = pilot.usage_window()
    text = f"student,school,week,minutes\nS-1,Alpha High,{first},30\nS-2,Nowhere High,{first},20\n"
    answer = client.post(f"/clusters/alpha/pilots/{pilot.pk}/usage/",
                         {"file": SimpleUploadedFile("usage.csv", text.encode())})
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "Nothing was saved: 1 row of 2 needs fixing" in page
    assert "<td>3</td><td>“Nowhere High” is not one of the pilot&#x27;s schools" in page
    with scope(cluster=piloted.world.alpha):
        assert not UsageWeek.objects.exists()
    text = f"student,school,week,minutes\nS-1,Alpha High,{first},30\nS-2,Alpha High,{first},20\n"
    answer = client.post(f"/clusters/alpha/pilots/{pilot.pk}/usage/",
                         {"file": SimpleUploadedFile("usage.csv", text.encode())}, follow=True)
    assert "Saved 1 school-week of usage from usage.csv." in answer.content.decode()
    with scope(cluster=piloted.world.alpha):
        assert list(UsageWeek.objects.values_list("active_students", "minutes")) == [(2, 50.0)]


def test_the_decision_is_taken_on_the_page_with_its_reason(piloted, client):
    pilot = make_pilot(piloted, "decide")
    client.force_login(piloted.world.users.lead)
    url = f"/clusters/alpha/pilots/{pilot.pk}/"
    page = client.get(url).content.decode()
    assert "Record the decision" in page
    assert "Cost per 0.1 SD of effect</dt><dd>" in page
    client.post(f"{url}decide/", {"decision": "abandon", "decision_reason": "", "on": ""})
    pilot.refresh_from_db()
    assert pilot.stage == "decide"
    client.post(f"{url}decide/", {"decision": "abandon", "decision_reason": "Too little use.",
                                  "on": str(piloted.today - DAY)})
    pilot.refresh_from_db()
    assert (pilot.stage, pilot.decision, pilot.decided_on) == ("done", "abandon", piloted.today - DAY)
    assert "Decision (" in client.get(url).content.decode()


def test_readers_who_do_not_change_pilots_see_no_step(piloted, client):
    pilot = make_pilot(piloted, "train")
    client.force_login(piloted.world.users.viewer)
    page = client.get(f"/clusters/alpha/pilots/{pilot.pk}/").content.decode()
    assert "Move on to Implement" in page and "<button" not in page.split("Next:")[1].split("</div>")[0]
    assert client.post(f"/clusters/alpha/pilots/{pilot.pk}/advance/").status_code == 403
    index = client.get("/clusters/alpha/pilots/").content.decode()
    assert "Reading Coach pilot" in index and "Start a pilot" not in index
