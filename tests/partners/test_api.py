"""The registry's API: agreements (no delete), the expiring list, documents."""


from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from improvenet.api import api
from improvenet.partners.models import Agreement, AgreementDocument
from tests.partners.conftest import PDF

A = "/clusters/alpha/agreements"


def test_list_read_and_expiring(api_as, partnered):
    p = partnered
    api = api_as(p.world.users.viewer)
    listed = api.get(A).json()
    assert listed["count"] == 2 and {a["title"] for a in listed["items"]} == {"Board memorandum", "Union agreement"}
    union = api.get(f"{A}/{p.union_agreement.pk}").json()
    assert union["status"] == "expiring" and union["parties"] == ["Alpha Teachers Union", "Alpha USD"]
    expiring = api.get(f"{A}/expiring").json()
    assert expiring["days"] == 90
    assert [(i["agreement"]["source"], i["deadline"], i["days_left"]) for i in expiring["items"]] == [
        ("agreement", "renewal", 5), ("data_use", "expiry", 10), ("agreement", "expiry", 30)]
    assert len(api.get(f"{A}/expiring", days=7).json()["items"]) == 1
    assert api.get(f"{A}/expiring", days=-1).status_code == 422
    assert api.get(f"{A}/{p.beta_agreement.pk}").status_code == 404


def test_create_change_and_end(api_as, partnered):
    p = partnered
    api = api_as(p.world.users.lead)
    body = {"title": "Lead partner", "kind": "lead_partner", "party_ids": [p.world.district.pk],
            "starts_on": p.today.isoformat()}
    created = api.post(A, body)
    assert created.status_code == 201, created.content
    agreement_id = created.json()["id"]
    assert created.json()["expires_on"] is None and created.json()["status"] == "active"
    changed = api.patch(f"{A}/{agreement_id}", {"party_ids": [p.world.district.pk, p.board.pk], "scope": "Research"})
    assert changed.json()["parties"] == ["Alpha Board of Education", "Alpha USD"]
    ended = api.post(f"{A}/{agreement_id}/end", {"ended_on": p.today.isoformat()})
    assert ended.json()["status"] == "ended"
    assert api.client.delete(f"/api{A}/{agreement_id}", **api._headers()).status_code == 405


def test_bad_input_names_the_field_and_saves_nothing(api_as, partnered):
    p = partnered
    api = api_as(p.world.users.lead)
    body = {"title": "X", "kind": "union", "party_ids": [p.beta_union.pk], "starts_on": p.today.isoformat()}
    answer = api.post(A, body)
    assert answer.status_code == 422
    assert f"no partner organization with id {p.beta_union.pk} in this cluster" in answer.content.decode()
    school = api.post(A, {**body, "party_ids": [p.world.high.pk]})
    assert school.status_code == 422
    dates = api.post(A, {**body, "party_ids": [p.union.pk], "expires_on": "2000-01-01"})
    assert dates.status_code == 422 and "expires_on" in dates.content.decode()
    for impossible in (2**70, 0, -1):
        answer = api.post(A, {**body, "party_ids": [impossible]})
        assert answer.status_code == 422 and "party_ids" in answer.content.decode(), impossible
    with scopes_disabled():
        assert not Agreement.objects.filter(title="X").exists()
    assert api_as(p.world.users.member).post(A, {**body, "party_ids": [p.union.pk]}).status_code == 403


def test_documents_upload_list_download(api_as, partnered, client):
    p = partnered
    token_headers = api_as(p.world.users.lead)._headers()
    url = f"/api{A}/{p.memorandum.pk}/documents"

    answer = client.post(url, {"file": SimpleUploadedFile("memo.pdf", PDF), "description": "Signed"}, **token_headers)
    assert answer.status_code == 201, answer.content
    document = answer.json()
    assert document["size"] == len(PDF) and document["description"] == "Signed" and document["uploaded_by"] == "lead"
    missing = client.post(url, {}, **token_headers)
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"field": "file",
                                         "message": "Send the document as the multipart/form-data field “file”."}]
    refused = client.post(url, {"file": SimpleUploadedFile("memo.html", b"<html>")}, **token_headers)
    assert refused.status_code == 422
    member = api_as(p.world.users.member)
    assert [d["name"] for d in member.get(f"{A}/{p.memorandum.pk}/documents").json()] == ["memo.pdf"]
    download = member.get(f"{A}/{p.memorandum.pk}/documents/{document['id']}")
    assert download.content == PDF and download["X-Content-Type-Options"] == "nosniff"
    assert api_as(p.world.users.viewer).get(f"{A}/{p.memorandum.pk}/documents").status_code == 403
    with scopes_disabled():
        assert AgreementDocument.objects.count() == 1


def test_a_downloaded_document_has_a_media_type_the_document_lists(api_as, partnered, client):
    p = partnered
    lead = api_as(p.world.users.lead)
    url = f"/api{A}/{p.memorandum.pk}/documents"
    document = client.post(url, {"file": SimpleUploadedFile("memo.pdf", PDF)}, **lead._headers()).json()
    download = lead.get(f"{A}/{p.memorandum.pk}/documents/{document['id']}")
    operation = api.get_openapi_schema(path_prefix="/api/")["paths"][
        "/api/clusters/{cluster}/agreements/{agreement_id}/documents/{document_id}"]["get"]
    assert download["Content-Type"] == "application/pdf"
    assert "application/pdf" in operation["responses"][200]["content"]


def test_a_form_that_cannot_be_read_or_has_too_many_parts_answers_json(api_as, partnered, client, settings):
    # Django answers both with an HTML page, outside the API's document.
    headers = api_as(partnered.world.users.lead)._headers()
    url = f"/api{A}/{partnered.memorandum.pk}/documents"
    broken = client.post(url, "garbage", content_type="multipart/form-data", **headers)
    assert broken.status_code == 400
    assert broken.json() == {"detail": "The body cannot be read: Invalid boundary in multipart: None"}
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    crowded = client.post(url, {"description": "Signed", "note": "x", "other": "y"}, **headers)
    assert crowded.status_code == 413
    assert crowded.json()["detail"] == "The request has more parts than the API takes (2 fields and 100 files at most)."
