"""API of the longitudinal data: metric rows (checked against agreements and audited), agreements, the audit
log and loads. Refusals answer 403 with the reason, as on the pages."""

import datetime

import duckdb
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema

from improvenet.analytics.engines import EngineError
from improvenet.analytics.metrics import METRICS, MetricError
from improvenet.data import services
from improvenet.data.models import AuditEvent, DataLoad, DataUseAgreement
from improvenet.network import access as acc
from improvenet.resources import MAX_INTEGER, ClusterResource, Day, PageParams, Text, page_schema, paginate

router = Router(tags=["Longitudinal data"])
BASE = "/clusters/{cluster}/data"


class MetricParams(Schema):
    min_n: int = Field(10, ge=1, le=MAX_INTEGER,
                       description="Groups with fewer people are hidden; below 10 only for the district.")
    school_year: int | None = Field(None, ge=1900, le=2200,
                                    description="chronic-absenteeism, on-track: one school year (the year it ends).")
    cohort_year: int | None = Field(None, ge=1900, le=2200,
                                    description="graduation-rate: the year the cohort entered grade 9.")
    min_enrolled_days: int | None = Field(None, ge=0, le=366, description="chronic-absenteeism: default 10.")
    threshold: float | None = Field(None, ge=0, le=1,
                                    description="chronic-absenteeism: share of days absent; default 0.10.")
    view: str | None = Field(None, description="teacher-retention: shares or curves.")


class MetricOut(Schema):
    metric: str
    title: str
    options: dict
    min_n: int
    columns: list[str]
    rows: list[dict]
    schools: dict[str, str] = Field(description="The school names by the id the rows use (`ALL` is the district).")
    note: str = Field("", description="Why there are no rows, when the store is empty.")


class AgreementOut(Schema):
    id: int
    project: str
    purpose: str
    researchers: list[str]
    school_ids: list[int]
    permitted_fields: list[str]
    starts_on: datetime.date
    expires_on: datetime.date
    signed_on: datetime.date | None
    ended_on: datetime.date | None
    active: bool

    @staticmethod
    def resolve_researchers(agreement):
        return sorted(user.username for user in agreement.researchers.all())

    @staticmethod
    def resolve_school_ids(agreement):
        return sorted(school.pk for school in agreement.schools.all())

    @staticmethod
    def resolve_active(agreement):
        return agreement.is_active()


class AuditEventOut(Schema):
    id: int
    at: datetime.datetime
    username: str
    channel: str
    action: str
    detail: dict
    agreement_id: int | None


class AuditFilters(Schema):
    user: str | None = Field(None, description="Only this user name.")
    action: str | None = Field(None, description="Only actions containing this text.")
    since: Day | None = Field(None, description="From this day on.")
    until: Day | None = Field(None, description="Up to this day.")


class LoadOut(Schema):
    id: int
    source: str
    format: str
    channel: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    status: str
    rows: dict
    errors: list[str]
    error_count: int
    notes: list[str]
    username: str | None

    @staticmethod
    def resolve_username(record):
        return record.user.get_username() if record.user else None


def _require_district_reader(user, access) -> None:
    if not services.is_district_reader(user, access):
        raise PermissionDenied("This is for the cluster lead, network admins and the longitudinal data team.")


@router.get(BASE + "/metrics/{name}", response=MetricOut, operation_id="read_data_metric",
            summary="Compute a metric for the cluster's schools and the district, small groups hidden (audited)")
def read_metric(request, cluster: Text, name: str, params: Query[MetricParams]):
    metric = METRICS.get(name)
    if metric is None:
        raise Http404(f"There is no metric named “{name}”; the metrics are {', '.join(METRICS)}.")
    given = params.dict(exclude={"min_n"}, exclude_none=True)
    known = {option.name for option in metric.options}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValidationError({key: f"{name} has no option {key}." for key in unknown})
    with acc.in_cluster(request.auth, cluster) as access:
        services.require_student_data(request.auth, access)
        answer = {"metric": name, "title": metric.title, "options": given, "min_n": params.min_n}
        if not services.store_path(access.obj).exists():
            return {**answer, "columns": list(metric.columns), "rows": [], "schools": {},
                    "note": "No data loaded yet."}
        try:
            result = services.read_metric(request.auth, access, name, given, channel=AuditEvent.Channel.API,
                                          min_n=params.min_n)
        except (MetricError, EngineError, services.DataSetupError, duckdb.Error) as problem:
            raise ValidationError({"input": str(problem)}) from None
        schools = {key: school.name for key, school in result.schools.items()}
        return {**answer, "columns": result.table.column_names, "rows": result.table.to_pylist(),
                "schools": {**schools, services.DISTRICT_ROW: "District (all schools)"}}


ClusterResource(
    path="data/agreements", label="data agreement", model=DataUseAgreement, out=AgreementOut, verbs=("list",),
    require_read=_require_district_reader, prefetch_related=["researchers", "schools"],
    operation_ids={"list": "list_data_agreements"}, summaries={"list": "List the cluster's data use agreements"},
    tag="Longitudinal data",
).register(router)


@router.get(BASE + "/audit", response=page_schema(AuditEventOut), operation_id="list_data_audit_log",
            summary="Read the audit log, newest first (cluster lead and network admins)")
def list_audit_events(request, cluster: Text, filters: Query[AuditFilters], page: Query[PageParams]):
    with acc.in_cluster(request.auth, cluster) as access:
        if not services.may_read_audit_log(access):
            raise PermissionDenied("The audit log is read by the cluster lead and network admins.")
        events = AuditEvent.objects.matching(username=filters.user, action=filters.action, since=filters.since,
                                             until=filters.until)
        return paginate(events, page)


ClusterResource(
    path="data/loads", label="data load", model=DataLoad, out=LoadOut, verbs=("list",),
    require_read=_require_district_reader, select_related=["user"], operation_ids={"list": "list_data_loads"},
    summaries={"list": "List the loads into the store, newest first, with their reports"}, tag="Longitudinal data",
).register(router)
