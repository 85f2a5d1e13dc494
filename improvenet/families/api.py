"""API routes of the family pages and the opt-out requests: the same rules as the pages.

The content of a published cluster's family pages is public (no token). Opt-out requests are read and
handled by the cluster lead, network admins and the longitudinal data team; others get 404. Confirming
a request that was already handled answers 422; a store that cannot be written answers 409 and the
request stays pending.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from ninja import Field, Router, Schema
from pydantic import StrictBool

from improvenet.data import services as data_services
from improvenet.data.models import AuditEvent
from improvenet.families import access as fam_access
from improvenet.families import services
from improvenet.families.models import OptOutRequest
from improvenet.lib.errors import Conflict
from improvenet.network.access import in_cluster
from improvenet.resources import ClusterResource, Filters, RecordId, Text

router = Router(tags=["Families"])
BASE = "/clusters/{cluster}/data/opt-out-requests"


class FamilySchoolOut(Schema):
    id: int
    name: str
    role: str
    level: str
    pages: dict[str, str] = Field(..., description="The school's family page by language code.")


class FamilyPagesOut(Schema):
    cluster: str
    name: str
    contact_office: str
    contact_email: str
    contact_phone: str
    pages: dict[str, str] = Field(..., description="The cluster's family page by language code.")
    schools: list[FamilySchoolOut]


def _pages(name: str, *args) -> dict[str, str]:
    pages = {}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            pages[code] = reverse(name, args=args)
    return pages


@router.get("/families/{cluster}", response=FamilyPagesOut, auth=None, operation_id="read_family_pages",
            summary="The public family pages of a cluster (published clusters only; no token needed; rate-limited "
                    "like the pages)")
def read_family_pages(request, cluster: Text):
    with fam_access.published_cluster(cluster) as found:
        # Counted with the family pages' reads: the API is not a way around their limits.
        if refused := services.refusal(request, found, services.PAGES):
            answer = JsonResponse({"detail": refused.message}, status=429)
            answer["Retry-After"] = str(refused.retry_after)
            add_never_cache_headers(answer)  # one client's refusal: no cache may hand it to another
            return answer
        setting = found.family_pages
        return {
            "cluster": found.slug, "name": found.name, "contact_office": setting.contact_office,
            "contact_email": setting.contact_email, "contact_phone": setting.contact_phone,
            "pages": _pages("families:cluster", found.slug),
            "schools": [{"id": school.pk, "name": school.name, "role": school.role, "level": school.level,
                         "pages": _pages("families:school", found.slug, school.pk)}
                        for school in fam_access.family_schools()],
        }


class OptOutRequestOut(Schema):
    id: int
    reference: str
    school_id: int
    status: str
    student_id: str = Field(..., description="Empty once the request is handled.")
    date_of_birth: datetime.date | None = Field(..., description="Null once the request is handled.")
    guardian_name: str
    contact: str
    language: str
    note: str
    rows_removed: int | None
    submitted_at: datetime.datetime
    resolved_at: datetime.datetime | None
    resolved_by: str | None = Field(..., description="The user name of who handled it.")

    @staticmethod
    def resolve_resolved_by(record: OptOutRequest) -> str | None:
        return record.resolved_by.get_username() if record.resolved_by else None


class RequestFilters(Filters):
    status: OptOutRequest.Status | None = Field(None, description="pending, confirmed or not_matched")


class ConfirmIn(Schema):
    checked: StrictBool = Field(..., description="True once the student's id and date of birth were checked "
                                                 "against the district's records.")
    note: str = ""


class NotMatchedIn(Schema):
    # Checked by the model (422 naming `note`) after access, so that others get 404 whatever they send.
    note: str = Field(..., description="Why the request could not be matched.")


# Hand-written, not on the API kit: only those who may handle the requests read them (others get 404),
# a check on the user that the kit's list and read do not make.
ClusterResource(
    path="data/opt-out-requests", label="opt-out request", model=OptOutRequest, out=OptOutRequestOut,
    filters=RequestFilters, read=fam_access.opt_out_request, require_read=fam_access.require_requests,
    verbs=("list", "read"), id_name="request_id", select_related=["resolved_by"],
    operation_names=("opt_out_requests", "opt_out_request"),
    summaries={"list": "List families' opt-out requests, newest first (lead and data team)",
               "read": "Read a family's opt-out request (lead and data team)"},
    tag="Families",
).register(router)


@router.post(BASE + "/{request_id}/confirm", response=OptOutRequestOut, operation_id="confirm_opt_out_request",
             summary="Confirm a request: the student's rows leave the store, the id is erased (lead and data team)")
def confirm_request(request, cluster: Text, request_id: RecordId, payload: ConfirmIn):
    with in_cluster(request.auth, cluster) as access:
        record = fam_access.request_for_user(request.auth, access, request_id).obj
        if not payload.checked:
            raise ValidationError({"checked": "Check the student's id and date of birth against the district's "
                                              "records first, then send true."})
        try:
            services.confirm(request.auth, access, record, channel=AuditEvent.Channel.API, note=payload.note)
        except data_services.DataSetupError as problem:
            raise Conflict(str(problem), None) from None
        return record


@router.post(BASE + "/{request_id}/not-matched", response=OptOutRequestOut, operation_id="mark_opt_out_not_matched",
             summary="Mark a request as could not be matched, with a note (lead and data team)")
def not_matched(request, cluster: Text, request_id: RecordId, payload: NotMatchedIn):
    with in_cluster(request.auth, cluster) as access:
        record = fam_access.request_for_user(request.auth, access, request_id).obj
        record.mark_not_matched(request.auth, payload.note)
        return record
