"""API routes for teacher induction: the same rules as the pages.

Everyone with a role in the cluster reads the outcomes (suppressed aggregates). The individual records
(`kind`: cohorts, milestones, mentors, teachers, inductions, progress, logs, placements) are listed, read,
created and changed by the cluster lead and network admins only; others get 403, other clusters 404.
Records take the fields of their page's form, relations as `<name>_id`; a field the model refuses answers
422 naming it, a duplicate 409.
"""

import datetime
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, field_validator

from improvenet.analytics.suppression import DEFAULT_MIN_N
from improvenet.induction import access as ind_access
from improvenet.induction.forms import FORMS
from improvenet.induction.outcomes import cluster_outcomes
from improvenet.network.access import MAX_ID, in_cluster
from improvenet.resources import NUL_MESSAGE, Day, PageParams, RecordId, Text, apply_payload, paginate, save_checked

router = Router(tags=["Induction"])


class OutcomesParams(Schema):
    as_of: Day | None = Field(None, description="The day the outcomes are computed for; today by default.")

    @field_validator("as_of")
    @classmethod
    def not_in_the_future(cls, value: datetime.date | None) -> datetime.date | None:
        # Teachers still employed are followed until the as-of date: a future one would overstate retention.
        if value is not None and value > timezone.localdate():
            raise ValueError("The as-of date cannot be in the future.")
        return value


class CurvePoint(Schema):
    group: str = Field(..., description="The induction cohort, or “Inducted” / “Other new teachers”.")
    years: int = Field(..., description="Whole years since hire.")
    survival: float | None = Field(..., description="Kaplan–Meier share still in the district; null when hidden.")
    ci_lower: float | None
    ci_upper: float | None
    at_risk: int | None
    teachers: int | None
    suppressed: int = Field(..., description="1 when the point describes fewer than min_n teachers.")


class Destination(Schema):
    cohort: str
    destination: str = Field(..., description="all, stayed (cluster school), placed (elsewhere) or left.")
    teachers: int | None
    share: float | None
    suppressed: int


class OutcomesOut(Schema):
    as_of: datetime.date
    min_n: int
    hire_years: list[int]
    cohort_curves: list[CurvePoint]
    comparison: list[CurvePoint]
    destinations: list[Destination]


class RecordIn(Schema):
    """The fields of the kind's form, relations as `<name>_id` (dates as YYYY-MM-DD)."""

    model_config = ConfigDict(extra="allow")


class RecordPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


def record_out(record: models.Model) -> dict:
    fields = [f for f in record._meta.concrete_fields if f.name != "cluster"]
    data = {("id" if f.primary_key else f.attname): getattr(record, f.attname) for f in fields}
    return data | {"label": str(record)}


def _checked_payload(kind: str, payload: dict, partial: bool) -> dict:
    """The payload's fields of the kind's form (relations as `<name>_id`); unknown fields are refused."""
    fields = list(FORMS[kind].base_fields)
    relations = {name for name, field in FORMS[kind].base_fields.items() if hasattr(field, "queryset")}
    allowed = {f"{name}_id" if name in relations else name for name in fields}
    unknown = sorted(set(payload) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed))
        raise ValidationError({name: f"Unknown field; the fields are {known}." for name in unknown})
    relation_ids = {f"{name}_id" for name in relations}
    wrong = {name: _type_problem(name, value, name in relation_ids) for name, value in payload.items()}
    if any(wrong.values()):
        raise ValidationError({name: problem for name, problem in wrong.items() if problem})
    if not partial:
        model = ind_access.KINDS[kind].model
        missing = [name for name in allowed if name not in payload and not _optional(model, name.removesuffix("_id"))]
        if missing:
            raise ValidationError({name: "This field is required." for name in missing})
    return payload


def _type_problem(name: str, value: Any, is_relation: bool) -> str:
    """What is wrong with the JSON type of a field's value, or "": the values go to the model unconverted,
    and a lookup by a string, a list or an id beyond the database's range would fail with a server error."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return "Send a single value, not a list or an object."
    if is_relation and (isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID):
        return "Send the id of a record: a whole number."
    if name.endswith("_on") and not isinstance(value, str):
        return "Send a date as YYYY-MM-DD."
    if isinstance(value, str) and "\x00" in value:
        return NUL_MESSAGE
    return ""


def _body(request) -> dict:
    """The JSON object sent: its fields depend on the kind, so the schema (RecordIn) accepts any."""
    body = json.loads(request.body or b"{}")
    if not isinstance(body, dict):
        raise ValidationError({"input": "Send a JSON object of the record's fields."})
    return body


def _optional(model: type[models.Model], name: str) -> bool:
    field = model._meta.get_field(name)
    return field.blank or field.has_default()


@router.get("/clusters/{cluster}/induction/outcomes", response=OutcomesOut, operation_id="read_induction_outcomes",
            summary="Induction outcomes: retention curves and destinations, with small cells hidden")
def read_outcomes(request, cluster: Text, params: Query[OutcomesParams]):
    with in_cluster(request.auth, cluster):
        return cluster_outcomes(params.as_of or timezone.localdate(), DEFAULT_MIN_N).to_dict()


@router.get("/clusters/{cluster}/induction/{kind}", response=RecordPage, operation_id="list_induction_records",
            summary="List induction records of a kind (cluster lead)")
def list_records(request, cluster: Text, kind: str, page: Query[PageParams]):
    with in_cluster(request.auth, cluster) as access:
        record_kind = ind_access.kind_or_404(kind)
        ind_access.require_records(access)
        listed = paginate(record_kind.model.objects.select_related(*record_kind.related).order_by("pk"), page)
        return listed | {"items": [record_out(r) for r in listed["items"]]}


@router.post("/clusters/{cluster}/induction/{kind}", response={201: dict[str, Any]},
             operation_id="create_induction_record", summary="Add an induction record (cluster lead)")
def create_record(request, cluster: Text, kind: str, payload: RecordIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        record_kind = ind_access.kind_or_404(kind)
        cluster_obj = ind_access.require_records(access).require_change()
        record = record_kind.model(cluster=cluster_obj)
        apply_payload(record, _checked_payload(kind, _body(request), partial=False))
        save_checked(record)
        return Status(201, record_out(record))


@router.get("/clusters/{cluster}/induction/{kind}/{record_id}", response=dict[str, Any],
            operation_id="read_induction_record", summary="Read an induction record (cluster lead)")
def read_record(request, cluster: Text, kind: str, record_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        return record_out(ind_access.record_for_user(access, kind, record_id).obj)


@router.patch("/clusters/{cluster}/induction/{kind}/{record_id}", response=dict[str, Any],
              operation_id="update_induction_record", summary="Change an induction record (cluster lead)")
def update_record(request, cluster: Text, kind: str, record_id: RecordId, payload: RecordIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        record = ind_access.record_for_user(access, kind, record_id).require_change()
        apply_payload(record, _checked_payload(kind, _body(request), partial=True))
        save_checked(record)
        return record_out(record)
