"""API of measures: definitions (shared design), values per school and period (school work),
uploads with the same all-or-nothing report as the page, and chart data from the SPC engine."""

import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from ninja import Field, File, FilterLookup, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel

from improvenet.measures import services
from improvenet.measures.models import ChartBreak, ImportLog, Measure, MeasureValue
from improvenet.measures.upload import UploadFileError
from improvenet.network import access as acc
from improvenet.network.models import Cluster, School, current_on
from improvenet.resources import (
    ClusterResource,
    Day,
    Filters,
    InputErrors,
    Patch,
    RecordId,
    Text,
    apply_payload,
    page_schema,
    save_checked,
)

router = Router(tags=["Measures"])
BASE = "/clusters/{cluster}/measures"
ITEM = BASE + "/{measure_id}"
# Optional, so that a caller without the right gets 403/404 before being told the file is missing.
OPTIONAL_FILE = File(None, description="The CSV or XLSX file (multipart/form-data).")


class MeasureOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    aim_id: int | None
    operational_definition: str
    numerator_label: str
    denominator_label: str
    unit: str
    multiply: float
    frequency: str
    improvement_direction: str
    target: float | None
    chart_type: str
    first_period: datetime.date
    last_period: datetime.date | None
    ended_on: datetime.date | None


class MeasureIn(Schema):
    slug: str
    name: str
    kind: Measure.Kind
    aim_id: RecordId | None = None
    operational_definition: str
    numerator_label: str
    denominator_label: str = ""
    unit: str
    multiply: float = 1
    frequency: Measure.Frequency = Measure.Frequency.WEEKLY
    improvement_direction: Measure.Direction
    target: float | None = None
    chart_type: str
    first_period: Day
    last_period: Day | None = None


class MeasureFilters(Filters):
    kind: Measure.Kind | None = Field(None, description="Only measures of this kind.")


class ValueOut(Schema):
    id: int
    school_id: int
    period: datetime.date
    numerator: float
    denominator: float | None


class ValueIn(Schema):
    school_id: RecordId
    period: Day
    numerator: float
    denominator: float | None = None


class ValueChange(Schema):
    numerator: float
    denominator: float | None = None


class ValueFilters(Filters):
    school_id: RecordId | None = Field(None, description="Only this school's values.")
    period_from: Annotated[Day | None, FilterLookup("period__gte")] = Field(
        None, description="Periods on or after this day.")
    period_to: Annotated[Day | None, FilterLookup("period__lte")] = Field(
        None, description="Periods on or before this day.")


class ValuePaging(Schema):
    limit: int = Field(500, ge=1, le=5000)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ProblemOut(Schema):
    row: int
    message: str


class ImportOut(Schema):
    filename: str
    ok: bool
    summary: str
    rows: int
    created: int
    changed: int
    unchanged: int
    problems: list[ProblemOut]


class UploadRejected(InputErrors):
    report: ImportOut | None = Field(None, description="The file's check, row by row; left out when the request "
                                                       "was refused before the file was read.")


def measure_for_user(cluster: acc.Access[Cluster], pk: int) -> acc.Access[Measure]:
    return acc.member_of_cluster(Measure, cluster, pk, "measure")


def _require_school(request, access, school_id: int) -> None:
    if not acc.can_change_school_work(request.auth, access, school_id):
        raise PermissionDenied("Only this school's design team (or a lead) enters its data.")


ClusterResource(
    path="measures", label="measure", model=Measure, out=MeasureOut, payload=MeasureIn, filters=MeasureFilters,
    read=measure_for_user, id_name="measure_id", can_change=acc.can_change_shared_design,
    summaries={"list": "List the family of measures", "create": "Define a measure",
               "change": "Change a measure's definition"},
).register(router)


@router.get(ITEM + "/values", response=page_schema(ValueOut), operation_id="list_measure_values",
            summary="List a measure's values per school and period")
def list_values(request, cluster: Text, measure_id: RecordId, filters: Query[ValueFilters], page: Query[ValuePaging]):
    with acc.in_cluster(request.auth, cluster) as access:
        measure = measure_for_user(access, measure_id).obj
        values = filters.filter(MeasureValue.objects.filter(measure=measure).order_by("school_id", "period"))
        count = values.count()
        return {"count": count, "limit": page.limit, "offset": page.offset,
                "items": list(values[page.offset: page.offset + page.limit])}


@router.post(ITEM + "/values", response={201: ValueOut}, operation_id="create_measure_value",
             summary="Enter a school's value for a period (409 when the period already has one)")
def create_value(request, cluster: Text, measure_id: RecordId, payload: ValueIn):
    with acc.in_cluster(request.auth, cluster) as access, transaction.atomic():
        measure = measure_for_user(access, measure_id).obj
        value = MeasureValue(measure=measure)
        apply_payload(value, payload.dict())
        _require_school(request, access, value.school_id)
        save_checked(value)
        return Status(201, value)


@router.patch(ITEM + "/values/{value_id}", response=ValueOut, operation_id="update_measure_value",
              summary="Correct a value")
def update_value(request, cluster: Text, measure_id: RecordId, value_id: RecordId, payload: Patch[ValueChange]):
    with acc.in_cluster(request.auth, cluster) as access, transaction.atomic():
        measure = measure_for_user(access, measure_id).obj
        value = (MeasureValue.objects.filter(measure=measure, pk=value_id).select_related("measure").first()
                 if 0 < value_id <= acc.MAX_ID else None)
        if value is None:
            raise Http404("No such value of this measure.")
        _require_school(request, access, value.school_id)
        apply_payload(value, payload)
        save_checked(value)
        return value


@router.post(ITEM + "/upload", response={200: ImportOut, 422: UploadRejected}, operation_id="upload_measure_values",
             summary="Upload a CSV or XLSX file of values: all rows are saved, or none")
def upload_values(request, cluster: Text, measure_id: RecordId, file: UploadedFile | None = OPTIONAL_FILE):
    with acc.in_cluster(request.auth, cluster) as access:
        measure = measure_for_user(access, measure_id).obj
        writable = services.writable_school_ids(request.auth, access)
        if writable is not None and not writable:
            raise PermissionDenied("Only a school's design team (or a lead) enters its data.")
        if file is None:
            message = "Send the CSV or XLSX file as the multipart/form-data field “file”."
            return Status(422, {"detail": message, "errors": [{"field": "file", "message": message}],
                                "report": services.ImportReport(filename="").to_dict()})
        try:
            with transaction.atomic():
                report = services.import_file(measure, file.file, file.name or "upload.csv", user=request.auth,
                                              source=ImportLog.Source.API, writable=writable)
        except UploadFileError as error:
            body = services.ImportReport(filename=file.name or "upload")
            return Status(422, {"detail": str(error), "errors": [{"field": "file", "message": str(error)}],
                                "report": body.to_dict()})
        if not report.ok:
            errors = [{"field": f"row {p.row}", "message": p.message} for p in report.problems]
            return Status(422, {"detail": report.summary, "errors": errors, "report": report.to_dict()})
        return report.to_dict()


# Chart data are plain dictionaries of thousands of points: validated by pydantic's own models, not by ninja's
# Schema, which reads every field of every point through its wrapper for model instances (about 1 s per chart).
class PointOut(BaseModel):
    school_id: int | None = None
    x: str
    y: float | None
    n: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    part: int
    limits_source: str = Field(description="How the point's centre and limits were obtained: computed (from its "
                               "part), frozen (the previous part's, as its part has fewer than 12 points) or trial "
                               "(a first part with fewer than 12 points).")
    include: bool
    baseline: bool
    sigma_signal: bool
    runs_signal: bool


class ChartOut(BaseModel):
    measure_id: int
    chart: str
    rules: str
    multiply: float
    points: list[PointOut]
    parts: list[dict]
    signals: list[dict]
    signals_in_words: list[str]
    episodes: list[dict] = Field(description="Consecutive signals of one rule and direction, merged.")
    episodes_in_words: list[str]
    annotations: list[dict]
    notes: list[str]
    message: str


def _chart_body(measure: Measure, chart, annotations) -> dict:
    if chart.result is None:
        return {"measure_id": measure.pk, "chart": measure.chart_type, "rules": "anhoej", "multiply": measure.multiply,
                "points": [], "parts": [], "signals": [], "signals_in_words": [], "episodes": [],
                "episodes_in_words": [], "annotations": annotations,
                "notes": [], "message": chart.message}
    data = chart.result.to_dict()
    return {"measure_id": measure.pk, "chart": data["chart"], "rules": data["rules"], "multiply": data["multiply"],
            "points": data["points"], "parts": data["parts"], "signals": data["signals"],
            "signals_in_words": services.signal_sentences(data["signals"], measure), "episodes": data["episodes"],
            "episodes_in_words": services.signal_sentences(data["episodes"], measure), "annotations": annotations,
            "notes": data["notes"], "message": chart.message}


@router.get(ITEM + "/chart", response=ChartOut, operation_id="measure_chart_cluster",
            summary="Chart data for every current school of the cluster (points, parts, signals)")
def cluster_chart(request, cluster: Text, measure_id: RecordId):
    with acc.in_cluster(request.auth, cluster) as access:
        measure = measure_for_user(access, measure_id).obj
        schools = list(School.objects.filter(current_on()))
        chart = services.cluster_chart(measure, schools)
        annotations = [{**mark, "school_id": school_id} for school_id, items in chart.marks.items() for mark in items]
        return _chart_body(measure, chart, annotations)


@router.get(ITEM + "/schools/{school_id}/chart", response=ChartOut, operation_id="measure_chart_school",
            summary="Chart data of one school, with its PDSA cycles and adoptions")
def school_chart(request, cluster: Text, measure_id: RecordId, school_id: RecordId):
    with acc.in_cluster(request.auth, cluster) as access:
        measure = measure_for_user(access, measure_id).obj
        school = acc.school_for_user(access, school_id).obj
        chart = services.school_chart(measure, school)
        return _chart_body(measure, chart, chart.annotations)


class ChartBreakOut(Schema):
    id: int
    school_id: int
    starts_on: datetime.date
    reason: str
    created_by: str | None = Field(description="The user who set it.")
    created_at: datetime.datetime
    removed_by: str | None
    removed_at: datetime.datetime | None
    removal_reason: str

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None

    @staticmethod
    def resolve_removed_by(obj) -> str | None:
        return obj.removed_by.get_username() if obj.removed_by else None


class ChartBreakIn(Schema):
    starts_on: Day = Field(description="The new part starts at the first period on or after this day.")
    reason: Text = Field(description="Why the process changed here.")


class ChartBreakRemoval(Schema):
    reason: Text = Field("", description="Why the break is taken off the chart (kept in the history).")


BREAKS = ITEM + "/schools/{school_id}/breaks"


@router.get(BREAKS, response=list[ChartBreakOut], operation_id="list_chart_breaks",
            summary="Breaks set by hand on a school's chart, removed ones included (the history)")
def list_breaks(request, cluster: Text, measure_id: RecordId, school_id: RecordId):
    with acc.in_cluster(request.auth, cluster) as access:
        measure = measure_for_user(access, measure_id).obj
        school = acc.school_for_user(access, school_id).obj
        return list(ChartBreak.objects.filter(measure=measure, school=school).select_related("created_by",
                                                                                              "removed_by"))


@router.post(BREAKS, response={201: ChartBreakOut}, operation_id="create_chart_break",
             summary="Start a new part of a school's chart by hand, with a reason")
def create_break(request, cluster: Text, measure_id: RecordId, school_id: RecordId, payload: ChartBreakIn):
    with acc.in_cluster(request.auth, cluster) as access, transaction.atomic():
        measure = measure_for_user(access, measure_id).obj
        school = acc.school_for_user(access, school_id).obj
        _require_school(request, access, school.pk)
        chart_break = ChartBreak(measure=measure, school=school, created_by=request.auth)
        apply_payload(chart_break, payload.dict())
        save_checked(chart_break)
        return Status(201, chart_break)


@router.post(BREAKS + "/{break_id}/remove", response=ChartBreakOut, operation_id="remove_chart_break",
             summary="Take a break off the chart; it stays in the history")
def remove_break(request, cluster: Text, measure_id: RecordId, school_id: RecordId, break_id: RecordId,
                 payload: ChartBreakRemoval):
    with acc.in_cluster(request.auth, cluster) as access, transaction.atomic():
        measure = measure_for_user(access, measure_id).obj
        school = acc.school_for_user(access, school_id).obj
        chart_break = ChartBreak.objects.filter(measure=measure, school=school, pk=break_id).first()
        if chart_break is None:
            raise Http404("No such break on this chart.")
        _require_school(request, access, school.pk)
        chart_break.remove(request.auth, payload.reason)
        return chart_break
