"""The registry of partner agreements, their documents, and reminders of agreements about to expire.

The same rules as the pages: everyone who reads the cluster reads the registry and the expiring
list; the cluster lead (and network admins) record and change agreements and attach documents; the
documents are read by the lead, network admins and the longitudinal data team. Agreements are
ended, never deleted.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from improvenet.network.access import in_cluster, partner_organizations
from improvenet.partners import access as partners_access
from improvenet.partners import dates, registry
from improvenet.partners.documents import (
    ALLOWED,
    ALLOWED_TEXT,
    MAX_DOCUMENT_BYTES,
    attach,
    download_response,
    read_upload,
)
from improvenet.partners.models import Agreement, AgreementDocument, party_problem
from improvenet.resources import ClusterResource, Day, RecordId, Text

router = Router(tags=["Partners"])

BASE = "/clusters/{cluster}/agreements"
DOCUMENT_TYPES = sorted({kind.content_type.partition(";")[0] for kind in ALLOWED.values()})
OPTIONAL_FILE = File(None, description=f"One of {ALLOWED_TEXT}; at most {MAX_DOCUMENT_BYTES // 1024 // 1024} MB.")
DESCRIPTION = Form("", max_length=200, description="For example “Signed copy”.")
ITEM = BASE + "/{agreement_id}"


class AgreementIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: Agreement.Kind
    party_ids: list[RecordId] = Field(
        ..., min_length=1, description="Ids of the cluster's partner organizations.")
    scope: str = ""
    starts_on: Day
    renews_on: Day | None = None
    expires_on: Day | None = Field(None, description="Null for an agreement that runs until it is ended.")
    signed_on: Day | None = None


class AgreementOut(Schema):
    id: int
    title: str
    kind: str
    party_ids: list[int]
    parties: list[str]
    scope: str
    starts_on: datetime.date
    renews_on: datetime.date | None
    expires_on: datetime.date | None
    signed_on: datetime.date | None
    ended_on: datetime.date | None
    status: dates.Status = Field(..., description="From the dates, today: not_started, active, expiring (within "
                                                  "90 days), expired or ended.")


class RegistryEntryOut(Schema):
    source: str = Field(..., description="`agreement` (this registry) or `data_use` (a data use agreement of the "
                                         "longitudinal store, read at /api/clusters/{cluster}/data/agreements).")
    id: int
    title: str
    kind: str
    parties: list[str]
    starts_on: datetime.date
    renews_on: datetime.date | None
    expires_on: datetime.date | None
    signed_on: datetime.date | None
    ended_on: datetime.date | None
    status: dates.Status
    url: str = Field(..., description="The agreement's page.")


class ExpiringOut(Schema):
    agreement: RegistryEntryOut
    deadline: dates.DeadlineKind = Field(..., description="renewal or expiry")
    due_on: datetime.date
    days_left: int


class ExpiringList(Schema):
    today: datetime.date
    days: int
    items: list[ExpiringOut]


class ExpiringParams(Schema):
    days: int = Field(dates.DEFAULT_WINDOW_DAYS, ge=0, le=dates.MAX_WINDOW_DAYS, description="How many days ahead.")


class DocumentOut(Schema):
    id: int
    name: str
    description: str
    content_type: str
    size: int = Field(..., description="In bytes.")
    sha256: str
    uploaded_at: datetime.datetime
    uploaded_by: str | None


def agreement_out(agreement: Agreement, today: datetime.date) -> dict:
    parties = sorted(agreement.parties.all(), key=lambda party: party.name)
    return {
        "id": agreement.pk, "title": agreement.title, "kind": agreement.kind,
        "party_ids": [party.pk for party in parties], "parties": [party.name for party in parties],
        "scope": agreement.scope, "starts_on": agreement.starts_on, "renews_on": agreement.renews_on,
        "expires_on": agreement.expires_on, "signed_on": agreement.signed_on, "ended_on": agreement.ended_on,
        "status": agreement.status(today),
    }


def entry_out(entry: registry.Entry) -> dict:
    return {
        "source": entry.source, "id": entry.pk, "title": entry.title, "kind": entry.kind,
        "parties": list(entry.parties), "starts_on": entry.starts_on, "renews_on": entry.renews_on,
        "expires_on": entry.expires_on, "signed_on": entry.signed_on, "ended_on": entry.ended_on,
        "status": entry.status, "url": entry.url,
    }


def document_out(document: AgreementDocument) -> dict:
    user = document.uploaded_by
    return {
        "id": document.pk, "name": document.name, "description": document.description,
        "content_type": document.content_type, "size": document.size, "sha256": document.sha256,
        "uploaded_at": document.uploaded_at, "uploaded_by": user.username if user else None,
    }


def _set_parties(agreement: Agreement, extras: dict, access) -> None:
    """Name the parties by id, inside the cluster's scope, or raise ValidationError (nothing is then saved)."""
    party_ids = extras.get("party_ids")
    if party_ids is None:
        return
    parties = list(partner_organizations().filter(pk__in=party_ids))
    missing = sorted(set(party_ids) - {party.pk for party in parties})
    problem = (f"There is no partner organization with id {', '.join(map(str, missing))} in this cluster."
               if missing else party_problem(parties, agreement.cluster))
    if problem:
        raise ValidationError({"party_ids": problem})
    agreement.parties.set(parties)


def agreements_out(agreements: list[Agreement]) -> list[dict]:
    today = timezone.localdate()
    return [agreement_out(agreement, today) for agreement in agreements]


# Registered before the agreements' own routes, which would otherwise take "expiring" for an agreement id.
@router.get(BASE + "/expiring", response=ExpiringList, operation_id="list_expiring_agreements",
            summary="Renewal and expiry dates of every agreement, data use included, in the next days")
def list_expiring(request, cluster: Text, params: Query[ExpiringParams]):
    with in_cluster(request.auth, cluster) as access:
        today = timezone.localdate()
        items = [
            {"agreement": entry_out(entry), "deadline": deadline.kind, "due_on": deadline.on,
             "days_left": deadline.days_left(today)}
            for entry, deadline in registry.expiring(access.obj, today, params.days)
        ]
        return {"today": today, "days": params.days, "items": items}


ClusterResource(
    path="agreements", label="agreement", model=Agreement, out=AgreementOut, payload=AgreementIn,
    read=partners_access.agreement_for_user, id_name="agreement_id", ordering=["expires_on", "title", "pk"],
    prefetch_related=["parties"], new=lambda access, user: Agreement(cluster=access.obj, created_by=user),
    present=agreements_out, extra_fields=("party_ids",), after_save=_set_parties,
    operation_names=("partner_agreements", "partner_agreement"),
    summaries={"list": "List the cluster's partner agreements (data use agreements are under /data/agreements)",
               "create": "Record an agreement (cluster lead)", "read": "Read an agreement",
               "change": "Change an agreement (cluster lead)", "end": "End an agreement (it stays in the registry)"},
    tag="Partners",
).register(router)


@router.get(ITEM + "/documents", response=list[DocumentOut], operation_id="list_agreement_documents",
            summary="List an agreement's documents (lead, network admins, data team)")
def list_documents(request, cluster: Text, agreement_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        agreement = partners_access.agreement_for_user(access, agreement_id).obj
        partners_access.require_documents(request.auth, access)
        return [document_out(d) for d in agreement.documents.defer("content").select_related("uploaded_by")]


@router.post(ITEM + "/documents", response={201: DocumentOut}, operation_id="attach_agreement_document",
             summary="Attach a document (multipart/form-data field `file`; cluster lead)")
def attach_document(request, cluster: Text, agreement_id: RecordId, file: UploadedFile | None = OPTIONAL_FILE,
                    description: str = DESCRIPTION):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        agreement = partners_access.agreement_for_user(access, agreement_id).require_change()
        if file is None:
            raise ValidationError({"file": "Send the document as the multipart/form-data field “file”."})
        document = attach(agreement, file.name or "", read_upload(file), description, request.auth)
        return Status(201, document_out(document))


@router.get(ITEM + "/documents/{document_id}", operation_id="download_agreement_document",
            summary="Download a document (an attachment; lead, network admins, data team)",
            openapi_extra={"responses": {200: {"description": "The document's bytes, as an attachment.", "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in DOCUMENT_TYPES}}}})
def download_document(request, cluster: Text, agreement_id: RecordId, document_id: RecordId) -> HttpResponse:
    with in_cluster(request.auth, cluster) as access:
        agreement = partners_access.agreement_for_user(access, agreement_id).obj
        return download_response(partners_access.document_for_user(request.auth, access, agreement, document_id).obj)
