"""Products and pilots, a pilot's steps, its usage upload and the suppressed report its company reads.

The same rules as the pages: everyone who reads the cluster reads products, pilots and their usage;
the cluster lead, network admins and the district design team change them; the company's people read
the report of their pilots only (`pilots.access.in_pilot_report`).
"""

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from improvenet.measures.upload import UploadFileError
from improvenet.network.access import in_cluster
from improvenet.network.models import School
from improvenet.pilots import access as pilots_access
from improvenet.pilots.models import Pilot, Product
from improvenet.pilots.report import pilot_report
from improvenet.pilots.services import import_usage
from improvenet.resources import (
    WITHOUT_END,
    ClusterResource,
    Day,
    InputErrors,
    Patch,
    RecordId,
    Text,
    apply_payload,
    save_checked,
)

router = Router(tags=["Product pilots"])

ITEM = "/clusters/{cluster}/pilots/{pilot_id}"
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("99999999.99"), decimal_places=2)]
OPTIONAL_FILE = File(None, description="The company's usage file, CSV or XLSX (multipart/form-data).")


class MoneyOut(Schema):
    amount: Decimal
    currency: str
    unit: str = Field(description="What the amount is for, in words.")
    label: str = Field(description="The amount, currency and unit in one phrase.")


class ProductIn(Schema):
    company_id: RecordId = Field(description="The partner company (or nonprofit) that makes it.")
    name: Text = Field(..., min_length=1, max_length=200)
    version: Text = Field("", max_length=50)
    description: Text = ""
    price_per_student: Amount
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$", description="Three-letter currency code.")
    price_unit: Product.PriceUnit = Product.PriceUnit.PER_YEAR
    privacy_agreement_id: RecordId | None = Field(None, description="An agreement of the registry the company signed.")


class ProductOut(Schema):
    id: int
    company_id: int
    name: str
    version: str
    description: str
    price_per_student: Decimal
    currency: str
    price_unit: str
    price_label: str
    privacy_agreement_id: int | None
    ended_on: datetime.date | None


class PilotIn(Schema):
    product_id: RecordId
    title: Text = Field(..., min_length=1, max_length=200)
    school_ids: list[RecordId] = Field([], description="The schools that try the product.")
    need: Text = ""


class PilotChange(Schema):
    """The fields of a pilot; each stage's fields are written at that stage only."""

    title: Text = Field(..., min_length=1, max_length=200)
    school_ids: list[RecordId] = Field([], description="Fixed once the pilot is at Implement.")
    need: Text = ""
    alternatives: Text = ""
    selection_reason: Text = ""
    success_statement: Text = ""
    claimed_minutes_per_week: Annotated[Decimal, Field(ge=Decimal("0.1"), le=Decimal("99999.9"),
                                                       decimal_places=1)] | None = None
    claimed_weeks: int | None = Field(None, ge=1, le=104)
    students: int | None = Field(None, ge=1, le=2**31 - 1)
    starts_on: Day | None = None
    ends_on: Day | None = None
    other_costs: Amount = Decimal("0")
    training: Text = ""
    effect_size: float | None = Field(None, ge=-5, le=5, description="Hedges' g.")
    effect_standard_error: float | None = Field(None, ge=0.0001, le=5)
    effect_outcome: Text = Field("", max_length=200)
    effect_source: Text = ""


class PilotOut(Schema):
    id: int
    product_id: int
    title: str
    school_ids: list[int]
    stage: str
    need: str
    alternatives: str
    selection_reason: str
    success_statement: str
    claimed_minutes_per_week: Decimal | None
    claimed_weeks: int | None
    students: int | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    other_costs: Decimal
    training: str
    effect_size: float | None
    effect_standard_error: float | None
    effect_outcome: str
    effect_source: str
    decision: str
    decision_reason: str
    decided_on: datetime.date | None
    missing: list[str] = Field(description="What the current stage still needs before the pilot moves on.")
    cost_per_student: MoneyOut | None
    cost_per_tenth_sd: MoneyOut | None = Field(description="Cost per student for each 0.1 SD of effect; null "
                                                           "without a cost or a positive effect.")


class StepIn(Schema):
    on: Day | None = Field(None, description="The day of the move; today when left out.")


class DecisionIn(Schema):
    decision: Pilot.Decision
    reason: Text = Field(..., min_length=1)
    on: Day | None = None


class UsageWeekOut(Schema):
    school_id: int
    week: datetime.date
    active_students: int
    minutes: float


class UploadOut(Schema):
    filename: str
    per_student: bool
    rows_read: int
    weeks: int = Field(description="School-weeks saved.")


class UsageRejected(InputErrors):
    pass


class ReportRowOut(Schema):
    week: datetime.date
    school: str
    active_students: int | None = Field(description="Null when hidden (fewer than min_n students, or complementary).")
    minutes_per_student: float | None


class ReportOut(Schema):
    pilot: str
    product: str
    stage: str
    min_n: int
    claimed_minutes_per_week: float | None
    minutes_per_student_week: float | None
    rows: list[ReportRowOut]


def _money(money) -> dict | None:
    return None if money is None else {"amount": money.amount, "currency": money.currency, "unit": money.unit,
                                       "label": money.label}


def products_out(products: list[Product]) -> list[dict]:
    fields = ("id", "company_id", "name", "version", "description", "price_per_student", "currency", "price_unit",
              "price_label", "privacy_agreement_id", "ended_on")
    return [{name: getattr(product, name) for name in fields} for product in products]


def pilots_out(pilots: list[Pilot]) -> list[dict]:
    names = [name for name in PilotOut.model_fields if name not in (
        "school_ids", "missing", "cost_per_student", "cost_per_tenth_sd")]
    return [{name: getattr(pilot, name) for name in names} | {
        "school_ids": sorted(school.pk for school in pilot.schools.all()), "missing": pilot.missing(),
        "cost_per_student": _money(pilot.cost_per_student()), "cost_per_tenth_sd": _money(pilot.cost_per_tenth_sd()),
    } for pilot in pilots]


def _set_schools(pilot: Pilot, extras: dict, access=None) -> None:
    school_ids = extras.get("school_ids")
    if school_ids is None:
        return
    schools = list(School.objects.filter(pk__in=school_ids))
    missing = sorted(set(school_ids) - {school.pk for school in schools})
    if missing:
        raise ValidationError({"school_ids": f"There is no school with id {', '.join(map(str, missing))} in this "
                                             "cluster."})
    pilot.schools.set(schools)


def _can_change(user, access) -> bool:
    return pilots_access.can_change_pilots(user, access)


ClusterResource(
    path="products", label="product", model=Product, out=ProductOut, payload=ProductIn,
    read=pilots_access.product_for_user, id_name="product_id", ordering=["name", "version", "pk"],
    new=lambda access, user: Product(cluster=access.obj, created_by=user), present=products_out,
    can_change=_can_change, tag="Product pilots",
    summaries={"create": "Add a product of a partner company (lead, district design team)",
               "change": "Change a product (lead, district design team)"},
).register(router)

ClusterResource(
    path="pilots", label="pilot", model=Pilot, out=PilotOut, payload=PilotIn, read=pilots_access.pilot_for_user,
    id_name="pilot_id", ordering=["-created_at", "-pk"], verbs=tuple(v for v in WITHOUT_END if v != "change"),
    new=lambda access, user: Pilot(cluster=access.obj, created_by=user), present=pilots_out,
    prefetch_related=["schools"], select_related=["product"], extra_fields=("school_ids",), after_save=_set_schools,
    can_change=_can_change, tag="Product pilots",
    summaries={"create": "Start a product pilot at its first stage (lead, district design team)"},
).register(router)


def _pilot(request, access, pilot_id: int, *, change: bool = False) -> Pilot:
    record = pilots_access.pilot_for_user(pilots_access.pilots_access(request.auth, access), pilot_id)
    return record.require_change() if change else record.obj


@router.patch(ITEM, response=PilotOut, operation_id="update_pilot",
              summary="Change a pilot: the fields of its current stage (lead, district design team)")
def update_pilot(request, cluster: Text, pilot_id: RecordId, payload: Patch[PilotChange]):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        pilot = _pilot(request, access, pilot_id, change=True)
        data = dict(payload)
        pilot.check_changeable(["schools" if name == "school_ids" else name for name in data])
        extras = {"school_ids": data.pop("school_ids")} if "school_ids" in data else {}
        apply_payload(pilot, data)
        save_checked(pilot)
        _set_schools(pilot, extras)
        return pilots_out([pilot])[0]


@router.post(ITEM + "/advance", response=PilotOut, operation_id="advance_pilot",
             summary="Move a pilot to its next stage, once its current stage is written")
def advance_pilot(request, cluster: Text, pilot_id: RecordId, payload: StepIn | None = None):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        pilot = _pilot(request, access, pilot_id, change=True)
        pilot.advance(request.auth, payload.on if payload else None)
        return pilots_out([pilot])[0]


@router.post(ITEM + "/decide", response=PilotOut, operation_id="decide_pilot",
             summary="Decide a pilot at its Decide stage: adopt, adapt or abandon, with the reason")
def decide_pilot(request, cluster: Text, pilot_id: RecordId, payload: DecisionIn):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        pilot = _pilot(request, access, pilot_id, change=True)
        pilot.decide(payload.decision, payload.reason, request.auth, payload.on)
        return pilots_out([pilot])[0]


@router.get(ITEM + "/usage", response=list[UsageWeekOut], operation_id="list_pilot_usage",
            summary="The pilot's usage per school and week (counts, never a student)")
def list_usage(request, cluster: Text, pilot_id: RecordId):
    with in_cluster(request.auth, cluster) as access:
        return list(_pilot(request, access, pilot_id).usage_weeks.order_by("week", "school_id"))


@router.post(ITEM + "/usage", response={201: UploadOut, 422: UsageRejected}, operation_id="upload_pilot_usage",
             summary="Upload the company's usage file (multipart field `file`): every row is saved, or none")
def upload_usage(request, cluster: Text, pilot_id: RecordId, file: UploadedFile | None = OPTIONAL_FILE):
    with in_cluster(request.auth, cluster) as access, transaction.atomic():
        pilot = _pilot(request, access, pilot_id, change=True)
        if file is None:
            message = "Send the usage file as the multipart/form-data field “file”."
            return Status(422, {"detail": message, "errors": [{"field": "file", "message": message}]})
        try:
            checked, upload = import_usage(pilot, file.file, file.name or "usage.csv", request.auth)
        except UploadFileError as error:
            return Status(422, {"detail": str(error), "errors": [{"field": "file", "message": str(error)}]})
        if upload is None:
            errors = [{"field": f"line {problem.row}", "message": problem.message} for problem in checked.problems]
            return Status(422, {"detail": f"Nothing was saved: {len(errors)} of {checked.rows_read} rows need "
                                          "fixing.", "errors": errors})
        return Status(201, upload)


@router.get(ITEM + "/report", response=ReportOut, operation_id="read_pilot_report",
            summary="The pilot's report with small cells suppressed: what its company reads")
def read_report(request, cluster: Text, pilot_id: RecordId):
    with pilots_access.in_pilot_report(request.auth, cluster, pilot_id) as (access, _for_this_report_only):
        pilot = pilots_access.pilot_for_user(access, pilot_id).obj
        report = pilot_report(pilot)
        return {"pilot": pilot.title, "product": str(pilot.product), "stage": pilot.stage, "min_n": report.min_n,
                "claimed_minutes_per_week": report.claimed_minutes_per_week,
                "minutes_per_student_week": report.minutes_per_student_week,
                "rows": [row.__dict__ for row in report.rows]}
