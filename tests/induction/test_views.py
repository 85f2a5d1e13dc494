"""The induction pages: outcomes for everyone in the cluster, individual records for the lead only."""

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from improvenet.induction.models import Cohort, Log

D = datetime.date


def test_everyone_in_the_cluster_reads_the_outcomes_and_small_cells_say_so(client, inducted):
    client.force_login(inducted.world.users.viewer)
    page = client.get("/clusters/alpha/induction/?as_of=2026-09-01")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hidden: fewer than 10 teachers" in text
    # Individual records are neither shown nor linked for a viewer.
    assert "Ana Lopez" not in text and "Induction records" not in text


def test_a_future_or_garbled_as_of_date_shows_today(client, inducted):
    # Teachers still employed are followed until the as-of date: a future one would overstate retention.
    client.force_login(inducted.world.users.viewer)
    today = f"{timezone.localdate():%B} {timezone.localdate().day}, {timezone.localdate().year}"
    for as_of in ("2999-01-01", "garbage", "9999-99-99"):
        page = client.get(f"/clusters/alpha/induction/?as_of={as_of}")
        assert page.status_code == 200 and f"as of {today}" in page.content.decode()


def test_records_are_for_the_lead_only(client, inducted):
    w = inducted.world
    for user, expected in ((w.users.viewer, 403), (w.users.member, 403), (w.users.researcher, 403),
                           (w.users.outsider, 404), (w.users.lead, 200), (w.users.admin, 200)):
        client.force_login(user)
        assert client.get("/clusters/alpha/induction/records/").status_code == expected, user
        answer = client.get(f"/clusters/alpha/induction/inductions/{inducted.induction.pk}/")
        assert answer.status_code == expected, user
    assert "Ana Lopez" in answer.content.decode()


def test_another_clusters_cohort_is_not_found(client, inducted):
    client.force_login(inducted.world.users.lead)
    assert client.get(f"/clusters/alpha/induction/cohorts/{inducted.beta_cohort.pk}/").status_code == 404
    assert client.get("/clusters/alpha/induction/nonsense/new/").status_code == 404


def test_the_lead_logs_mentoring_and_bad_input_saves_nothing(client, inducted):
    client.force_login(inducted.world.users.lead)
    url = "/clusters/alpha/induction/logs/new/"
    form = {"induction": inducted.induction.pk, "mentor": inducted.mentor.pk, "held_on": "2024-10-01",
            "kind": "observation", "minutes": "45", "notes": "Observed a lesson."}
    answer = client.post(url, form)
    assert answer.status_code == 302 and answer["Location"].endswith(f"/inductions/{inducted.induction.pk}/")
    bad = client.post(url, {**form, "held_on": "2024-01-01"})
    assert bad.status_code == 422 and "cannot be earlier" in bad.content.decode()
    with scopes_disabled():
        assert Log.objects.filter(induction=inducted.induction).count() == 1


def test_a_duplicate_cohort_name_is_a_form_error(client, inducted):
    client.force_login(inducted.world.users.lead)
    answer = client.post("/clusters/alpha/induction/cohorts/new/",
                         {"name": "2024 cohort", "starts_on": "2025-08-18", "length_years": "2"})
    assert answer.status_code == 422 and "already has a cohort" in answer.content.decode()
    with scopes_disabled():
        assert Cohort.objects.filter(cluster=inducted.world.alpha).count() == 1
