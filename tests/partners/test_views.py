"""The registry's pages, as the people of the cluster use them."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from improvenet.partners.models import Agreement, AgreementDocument
from tests.partners.conftest import PDF

R = "/clusters/alpha/agreements"


def test_everyone_in_the_cluster_reads_the_registry_with_the_data_use_agreements(client, partnered):
    client.force_login(partnered.world.users.viewer)
    page = client.get(f"{R}/").content.decode()
    assert "Board memorandum" in page and "Union agreement" in page and "Expiring soon" in page
    assert f'href="{reverse("data:agreement", args=["alpha", partnered.dua.pk])}"' in page
    assert "Attendance study" in page and "Beta union agreement" not in page
    assert "Record an agreement" not in page


def test_the_expiring_page_lists_the_dates_to_act_on(client, partnered):
    client.force_login(partnered.world.users.member)
    page = client.get(f"{R}/expiring/").content.decode()
    assert "3 dates to act on" in page and "Renewal decision" in page and "5 days" in page
    assert "Board memorandum" not in page
    week = client.get(f"{R}/expiring/", {"days": "7"}).content.decode()
    assert "1 date to act on" in week and "Attendance study" not in week
    bad = client.get(f"{R}/expiring/", {"days": "soon"})
    assert bad.status_code == 400 and "whole number from 0 to 730" in bad.content.decode()


def test_the_lead_records_and_edits_an_agreement(client, partnered):
    p = partnered
    client.force_login(p.world.users.lead)
    form = {"title": "Funding agreement", "kind": "funding", "parties": [p.world.district.pk], "scope": "Grant",
            "starts_on": p.today.isoformat(), "expires_on": (p.today.replace(year=p.today.year + 2)).isoformat()}
    answer = client.post(f"{R}/new/", form)
    with scopes_disabled():
        agreement = Agreement.objects.get(title="Funding agreement")
    assert answer.status_code == 302 and answer["Location"] == f"{R}/{agreement.pk}/"
    assert agreement.created_by == p.world.users.lead
    wrong = client.post(f"{R}/{agreement.pk}/edit/", {**form, "parties": [p.beta_union.pk], "expires_on": "2000-01-01"})
    assert wrong.status_code == 422
    text = wrong.content.decode()
    assert "The expiry date must be on or after the start date." in text and "not one of the available" in text
    school = client.post(f"{R}/{agreement.pk}/edit/", {**form, "parties": [p.world.high.pk]})
    assert school.status_code == 422, "a school is not a party"
    for impossible in ("9" * 30, "-1", "x"):
        odd = client.post(f"{R}/{agreement.pk}/edit/", {**form, "parties": [impossible]})
        assert odd.status_code == 422 and "is not a valid value" in odd.content.decode(), impossible


def test_ending_an_agreement_keeps_it_in_the_registry(client, partnered):
    p = partnered
    client.force_login(p.world.users.lead)
    answer = client.post(f"{R}/{p.union_agreement.pk}/end/", {"ended_on": p.today.isoformat()})
    assert answer.status_code == 302
    page = client.get(f"{R}/").content.decode()
    assert "Expired and ended agreements (1)" in page and "Ended on" in page


def test_documents_upload_list_and_download(client, partnered):
    p = partnered
    client.force_login(p.world.users.lead)
    url = f"{R}/{p.memorandum.pk}/documents/new/"
    refused = client.post(url, {"file": SimpleUploadedFile("memo.pdf", b"MZ not a pdf")})
    assert refused.status_code == 422 and "its content is not one" in refused.content.decode()
    answer = client.post(url, {"file": SimpleUploadedFile("memo.pdf", PDF), "description": "Signed copy"})
    assert answer.status_code == 302
    with scopes_disabled():
        document = AgreementDocument.objects.get()
    page = client.get(f"{R}/{p.memorandum.pk}/").content.decode()
    assert "memo.pdf" in page and "Signed copy" in page
    download = client.get(f"{R}/{p.memorandum.pk}/documents/{document.pk}/")
    assert download.content == PDF and download["Content-Disposition"].startswith("attachment")


def test_a_document_over_the_size_cap_is_refused_with_the_cap_and_nothing_is_kept(client, partnered):
    p = partnered
    client.force_login(p.world.users.lead)
    big = SimpleUploadedFile("scan.pdf", PDF + b" " * (10 * 1024 * 1024))
    refused = client.post(f"{R}/{p.memorandum.pk}/documents/new/", {"file": big})
    assert refused.status_code == 422
    assert "“scan.pdf” is larger than 10.0 MB, the most a document can be." in refused.content.decode()
    with scopes_disabled():
        assert not AgreementDocument.objects.exists()


def test_who_reads_documents(client, partnered):
    p = partnered
    client.force_login(p.world.users.lead)
    client.post(f"{R}/{p.memorandum.pk}/documents/new/", {"file": SimpleUploadedFile("memo.pdf", PDF)})
    with scopes_disabled():
        document = AgreementDocument.objects.get()
    url = f"{R}/{p.memorandum.pk}/documents/{document.pk}/"
    answers = {}
    for name in ("lead", "member", "researcher", "viewer", "outsider", "admin"):
        client.force_login(getattr(p.world.users, name))
        answers[name] = client.get(url).status_code
    # member is on alpha's data team; researcher and viewer are not; outsider is beta's lead.
    assert answers == {"lead": 200, "member": 200, "researcher": 403, "viewer": 403, "outsider": 404, "admin": 200}
    client.force_login(p.world.users.viewer)
    page = client.get(f"{R}/{p.memorandum.pk}/").content.decode()
    assert "memo.pdf" not in page and "read by the cluster lead" in page
    client.force_login(p.world.users.member)
    assert client.get(f"{R}/{p.union_agreement.pk}/documents/{document.pk}/").status_code == 404, \
        "a document is found only under its own agreement"
