"""The data team's opt-out list: who sees it, confirming (rows leave the store, the id is erased), not matched."""

import shutil

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from improvenet.analytics.pseudonym import Pseudonymizer, load_key
from improvenet.analytics.store import Store
from improvenet.data.models import AuditEvent
from improvenet.families.models import FamilyPages, OptOutRequest
from tests.families.conftest import KEY

BASE = "/clusters/alpha/data/opt-out-requests"


def make_request(families, student_id="S-000123") -> OptOutRequest:
    world = families.world
    with scopes_disabled():
        return OptOutRequest.objects.create(cluster=world.alpha, school=world.high, student_id=student_id,
                                            date_of_birth="2012-05-04", guardian_name="Ana Ruiz",
                                            contact="ana@example.org", language="es")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_lead_and_the_data_team_see_pending_requests_and_nobody_else_does(families):
    users = families.world.users
    record = make_request(families)
    for user in (users.lead, users.researcher, users.admin):
        listing = signed_in(user).get(f"{BASE}/")
        assert listing.status_code == 200 and record.reference in listing.content.decode()
        detail = signed_in(user).get(f"{BASE}/{record.pk}/").content.decode()
        assert "S-000123" in detail and "ana@example.org" in detail
    for user in (users.member, users.viewer, users.outsider):
        assert signed_in(user).get(f"{BASE}/").status_code == 404
        assert signed_in(user).get(f"{BASE}/{record.pk}/").status_code == 404
        assert signed_in(user).post(f"{BASE}/{record.pk}/confirm/", {"checked": "on"}).status_code == 404
    assert Client().get(f"{BASE}/").status_code == 302


def test_a_researcher_who_left_the_data_team_no_longer_sees_requests(families):
    with scopes_disabled():
        families.data_team.memberships.update(ended_on="2025-01-01")
    assert signed_in(families.world.users.researcher).get(f"{BASE}/").status_code == 404


def test_confirming_removes_the_students_rows_audits_it_and_erases_the_id(families, tiny_store):
    path, student_id = tiny_store
    families.store.parent.mkdir(parents=True)
    shutil.copyfile(path, families.store)
    record = make_request(families, student_id)
    answer = signed_in(families.world.users.researcher).post(f"{BASE}/{record.pk}/confirm/",
                                                             {"checked": "on", "note": "Checked in the SIS."})
    assert answer.status_code == 302
    with scopes_disabled():
        record.refresh_from_db()
        event = AuditEvent.objects.get()
    assert record.status == "confirmed" and record.student_id == "" and record.date_of_birth is None
    assert record.rows_removed > 0 and record.resolved_by == families.world.users.researcher
    assert record.note == "Checked in the SIS."
    assert event.action == "opt-out recorded" and event.detail == {"rows_removed": record.rows_removed}
    pseudonym = Pseudonymizer(load_key({"IMPROVENET_PSEUDONYM_KEY": KEY})).student(student_id)
    assert [row[0] for row in Store(families.store).opted_out()] == [pseudonym]
    page = signed_in(families.world.users.lead).get(f"{BASE}/{record.pk}/").content.decode()
    assert student_id not in page and "Erased from the request." in page


def test_confirming_needs_the_check_and_happens_once(families):
    record = make_request(families)
    lead = signed_in(families.world.users.lead)
    unchecked = lead.post(f"{BASE}/{record.pk}/confirm/", {})
    assert unchecked.status_code == 422 and "Check the student" in unchecked.content.decode()
    with scopes_disabled():
        record.refresh_from_db()
    assert record.is_pending and record.student_id == "S-000123"
    assert lead.post(f"{BASE}/{record.pk}/confirm/", {"checked": "on"}).status_code == 302
    again = lead.post(f"{BASE}/{record.pk}/confirm/", {"checked": "on"})
    assert again.status_code == 422 and "was already handled (Confirmed" in again.content.decode()
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="opt-out recorded").count() == 1


def test_a_store_that_cannot_be_written_leaves_the_request_pending(families, monkeypatch):
    from improvenet.data import services as data_services

    def busy(*args, **kwargs):
        raise data_services.DataSetupError("The store cannot be written just now.")

    monkeypatch.setattr(data_services, "opt_out", busy)
    record = make_request(families)
    answer = signed_in(families.world.users.lead).post(f"{BASE}/{record.pk}/confirm/", {"checked": "on"})
    assert answer.status_code == 422 and "cannot be written just now" in answer.content.decode()
    with scopes_disabled():
        record.refresh_from_db()
    assert record.is_pending and record.student_id == "S-000123"


def test_not_matched_needs_a_note_and_erases_the_id(families):
    record = make_request(families)
    lead = signed_in(families.world.users.lead)
    empty = lead.post(f"{BASE}/{record.pk}/not-matched/", {"unmatched-note": " "})
    assert empty.status_code == 422 and "Say why" in empty.content.decode()
    done = lead.post(f"{BASE}/{record.pk}/not-matched/", {"unmatched-note": "No student with this id and birth date."})
    assert done.status_code == 302
    with scopes_disabled():
        record.refresh_from_db()
    assert (record.status, record.student_id, record.date_of_birth) == ("not_matched", "", None)
    assert record.note == "No student with this id and birth date." and record.rows_removed is None


def test_the_model_refuses_to_close_a_request_twice(families):
    from django.core.exceptions import ValidationError

    record = make_request(families)
    record.mark_not_matched(families.world.users.lead, "Unknown id.")
    with pytest.raises(ValidationError, match="already handled"):
        record.confirm(families.world.users.lead, 0)


def test_the_settings_page_and_publishing_rules(families):
    users = families.world.users
    page = signed_in(users.viewer).get("/clusters/alpha/family-pages/")
    assert page.status_code == 200 and "the Alpha research office" in page.content.decode()
    assert signed_in(users.viewer).get("/clusters/alpha/family-pages/edit/").status_code == 403
    lead = signed_in(users.lead)
    refused = lead.post("/clusters/alpha/family-pages/edit/", {"published": "on", "contact_office": ""})
    assert refused.status_code == 422 and "Name the office families may ask" in refused.content.decode()
    saved = lead.post("/clusters/alpha/family-pages/edit/", {"contact_office": "Research office",
                                                             "contact_email": "r@alpha.example.org"})
    assert saved.status_code == 302
    with scopes_disabled():
        assert not FamilyPages.objects.get(cluster=families.world.alpha).published
    assert Client().get("/families/alpha/").status_code == 404


def test_the_lead_of_a_cluster_without_a_setting_sees_unpublished_and_may_publish(world):
    lead = signed_in(world.users.outsider)
    assert "No: the pages answer" in lead.get("/clusters/beta/family-pages/").content.decode()
    answer = lead.post("/clusters/beta/family-pages/edit/", {"published": "on", "contact_office": "Beta office",
                                                              "contact_phone": "555 010 3000"})
    assert answer.status_code == 302
    assert Client().get("/families/beta/").status_code == 200


def test_running_the_cluster_links_the_requests_only_for_those_who_handle_them(families):
    users = families.world.users
    for user, sees in ((users.lead, True), (users.researcher, True), (users.viewer, False), (users.member, False)):
        home = signed_in(user).get("/clusters/alpha/running/").content.decode()
        assert 'href="/clusters/alpha/family-pages/"' in home
        assert (f'href="{BASE}/"' in home) is sees, user
