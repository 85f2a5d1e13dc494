"""Shared API behaviour for records that live in a cluster: list, read, create, update and end.

Every route enters the cluster through `improvenet.network.access`, so a record of a cluster the
caller may not read answers 404, and a write without the right answers 403. Writes validate the
model's own rules (422, a message per field) and its conflicts (409) before anything is saved.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from ninja import Field, PatchDict, Query, Router, Schema, Status
from pydantic import AfterValidator, create_model

from improvenet.network.access import MAX_ID, Access, in_cluster
from improvenet.network.models import current_on

MAX_PAGE = 500
NUL_MESSAGE = "Remove the NUL character (\\0) from this text; it cannot be stored."


def _no_nul(text: str) -> str:
    # PostgreSQL cannot store a NUL character: refuse it as input (422) rather than fail when saving.
    if "\x00" in text:
        raise ValueError(NUL_MESSAGE)
    return text


# Text as the API takes it (the pages' form fields refuse NUL characters the same way).
Text = Annotated[str, AfterValidator(_no_nul)]
# An id inside a list: out-of-range numbers are refused as input (422), never sent to the database.
RecordId = Annotated[int, Field(gt=0, le=MAX_ID)]


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE, description="How many records to return (at most 500).")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="How many records to skip.")
    include_ended: bool = Field(False, description="Also return records that have ended.")


class EndRequest(Schema):
    ended_on: datetime.date | None = Field(None, description="The day it ends; today when left out.")


def page_schema(item: type[Schema]) -> type[Schema]:
    return create_model(
        f"{item.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),
    )


def paginate(queryset, params: PageParams) -> dict:
    if not params.include_ended and hasattr(queryset.model, "ended_on"):
        queryset = queryset.filter(current_on())
    count = queryset.count()
    items = list(queryset[params.offset : params.offset + params.limit])
    return {"count": count, "limit": params.limit, "offset": params.offset, "items": items}


def apply_payload(obj: models.Model, data: dict) -> None:
    """Set fields from API data, resolving `<name>_id` references inside the open cluster scope.

    A reference to a record of another cluster is not found by the scoped manager, so it is
    reported exactly like a record that does not exist.
    """
    errors = {}
    for key, value in data.items():
        name = key.removesuffix("_id")
        model_field = _relation(obj, name) if key.endswith("_id") else None
        if model_field is not None:
            if value is None:
                setattr(obj, name, None)
                continue
            related = model_field.related_model.objects.filter(pk=value).first()
            if related is None:
                label = model_field.related_model._meta.verbose_name
                errors[key] = f"There is no {label} with id {value} in this cluster."
            else:
                setattr(obj, name, related)
        else:
            setattr(obj, key, value)
    if errors:
        raise ValidationError(errors)


def _relation(obj: models.Model, name: str):
    try:
        model_field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return model_field if model_field.is_relation else None


def save_checked(obj: models.Model) -> None:
    """Validate the model's rules, then its conflicts, then save; nothing is saved on error."""
    messages = _nul_characters(obj)
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        messages = error.message_dict | messages
    if messages:
        raise ValidationError(_api_field_names(obj, messages))
    if hasattr(obj, "check_conflicts"):
        obj.check_conflicts()
    obj.save()


def _nul_characters(obj: models.Model) -> dict[str, list[str]]:
    # PostgreSQL cannot store a NUL character in text; forms refuse it, the API must too.
    return {
        field.name: [NUL_MESSAGE]
        for field in obj._meta.concrete_fields
        if isinstance(value := getattr(obj, field.attname, None), str) and "\x00" in value
    }


def _api_field_names(obj: models.Model, messages: dict[str, list[str]]) -> dict[str, list[str]]:
    """Name relation fields as the API does (`feeds_into_id`), so errors point at the input."""
    return {f"{name}_id" if _relation(obj, name) else name: value for name, value in messages.items()}


@dataclass
class ClusterResource:
    """One kind of cluster record exposed under /api/clusters/{cluster}/{path}."""

    path: str
    label: str
    model: type[models.Model]
    out: type[Schema]
    create: type[Schema]
    filters: type[Schema]
    read: Callable[[Access, int], Access]
    new: Callable[[Access], models.Model]
    ordering: list[str] = field(default_factory=list)
    select_related: list[str] = field(default_factory=list)
    # Who may change these records, given the user and their access to the cluster; by default
    # whoever may change the cluster's records (`Access.can_change`).
    can_change: Callable[[object, Access], bool] | None = None
    tag: str | None = None
    # The records listed, when not all of the model's (organizations leave out schools).
    listed: Callable[[], models.QuerySet] | None = None

    def cluster_access(self, user, access: Access) -> Access:
        """The cluster access the record helpers and `require_change()` work with."""
        if self.can_change is None:
            return access
        return replace(access, can_change=self.can_change(user, access))

    def register(self, router: Router) -> None:
        resource, page = self, page_schema(self.out)
        plural, label = self.path, self.label
        tag = self.tag or plural.capitalize()

        def list_records(request, cluster: str, filters: Query[resource.filters], page_params: Query[PageParams]):
            with in_cluster(request.auth, cluster):
                listed = resource.listed() if resource.listed else resource.model.objects.all()
                queryset = listed.select_related(*resource.select_related)
                queryset = filters.filter(queryset).order_by(*resource.ordering)
                return paginate(queryset, page_params)

        def read_record(request, cluster: str, record_id: int):
            with in_cluster(request.auth, cluster) as access:
                return resource.read(access, record_id).obj

        def create_record(request, cluster: str, payload: resource.create):
            with in_cluster(request.auth, cluster) as access, transaction.atomic():
                access = resource.cluster_access(request.auth, access)
                access.require_change()
                obj = resource.new(access)
                apply_payload(obj, payload.dict())
                save_checked(obj)
                return Status(201, resource.read(access, obj.pk).obj)

        def update_record(request, cluster: str, record_id: int, payload: PatchDict[resource.create]):
            with in_cluster(request.auth, cluster) as access, transaction.atomic():
                access = resource.cluster_access(request.auth, access)
                obj = resource.read(access, record_id).require_change()
                apply_payload(obj, payload)
                save_checked(obj)
                return resource.read(access, obj.pk).obj

        def end_record(request, cluster: str, record_id: int, payload: EndRequest | None = None):
            with in_cluster(request.auth, cluster) as access, transaction.atomic():
                access = resource.cluster_access(request.auth, access)
                obj = resource.read(access, record_id).require_change()
                obj.end(payload.ended_on if payload else None)
                return obj

        base, item = f"/clusters/{{cluster}}/{plural}", f"/clusters/{{cluster}}/{plural}/{{record_id}}"
        router.get(base, response=page, tags=[tag], operation_id=f"list_{plural}",
                   summary=f"List the cluster's {plural}")(list_records)
        router.post(base, response={201: self.out}, tags=[tag], operation_id=f"create_{label}",
                    summary=f"Add a {label}")(create_record)
        router.get(item, response=self.out, tags=[tag], operation_id=f"read_{label}",
                   summary=f"Read a {label}")(read_record)
        router.patch(item, response=self.out, tags=[tag], operation_id=f"update_{label}",
                     summary=f"Change a {label}")(update_record)
        router.post(f"{item}/end", response=self.out, tags=[tag], operation_id=f"end_{label}",
                    summary=f"End a {label} (it stays in the history)")(end_record)
