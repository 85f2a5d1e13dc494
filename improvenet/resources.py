"""Shared API behaviour for records that live in a cluster: list, read, create, update and end.

Every route enters the cluster through `improvenet.network.access`, so a record of a cluster the
caller may not read answers 404, and a write without the right answers 403. Writes validate the
model's own rules (422, a message per field) and its conflicts (409) before anything is saved.
"""

import datetime
import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field, replace
from typing import Annotated

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Q
from ninja import Body, Field, FilterSchema, Query, Router, Schema, Status
from ninja.patch_dict import ModelToDict
from pydantic import AfterValidator, BeforeValidator, create_model
from pydantic_core import core_schema

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
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_day(value):
    # pydantic also reads a number, or a numeral, as a Unix time: 0 would be 1 January 1970.
    if isinstance(value, datetime.date) or isinstance(value, str) and DAY.fullmatch(value):
        return value
    raise ValueError("Give a day as YYYY-MM-DD.")


# A day, in an address, a filter or a payload: written YYYY-MM-DD, as the OpenAPI document says.
Day = Annotated[datetime.date, BeforeValidator(_written_day)]
# A record's id, in an address, a filter, a payload or a list: out-of-range numbers are refused as input (422),
# never sent to the database.
RecordId = Annotated[int, Field(gt=0, le=MAX_ID)]
# The largest number an IntegerField keeps on every database (counts, version numbers).
MAX_INTEGER = 2**31 - 1


# The error answers (see improvenet/api.py), as the OpenAPI document describes them.


class FieldError(Schema):
    field: str = Field(description="Where the problem is: a field of the input (`feeds_into_id`, `items.0.name`), "
                                   "or `input` for the input as a whole.")
    message: str


class Error(Schema):
    detail: str = Field(description="What went wrong, in a sentence.")


class InputErrors(Error):
    errors: list[FieldError] = Field(description="One entry per problem.")


class ExistingRecord(Schema):
    id: int
    name: str


class ConflictError(Error):
    existing: ExistingRecord | None = Field(None, description="The record this one conflicts with; left out "
                                                              "when you may not see it.")


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE, description="How many records to return (at most 500).")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="How many records to skip.")
    include_ended: bool = Field(False, description="Also return records that have ended.")


class Filters(FilterSchema):
    """The filters of a list: a field left out or sent empty (`?kind=`) filters nothing.

    A field filters by its own name, by its `FilterLookup`, or by a `filter_<name>(value)` method
    returning a Q object, as django-ninja's FilterSchema does.
    """

    def _resolve_field_expression(self, field_name: str, field_value, field_info) -> Q:
        if field_value == "":
            return Q()
        return super()._resolve_field_expression(field_name, field_value, field_info)


class EndRequest(Schema):
    ended_on: Day | None = Field(None, description="The day it ends; today when left out.")


def page_schema(item: type[Schema]) -> type[Schema]:
    return create_model(
        f"{item.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        __module__=item.__module__,  # named after the item's app in the OpenAPI document
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),
    )


class _PatchOf:
    """`Patch[Payload]`: what a PATCH of `Payload` takes, any part of it, given to the view as a dict of the
    fields sent.

    Unlike django-ninja's PatchDict, each field keeps its type: `null` is refused (422, naming the field)
    wherever the payload does not take it, so a list or a required text never becomes None.
    """

    def __getitem__(self, payload: type[Schema]):
        unsent = {name: (info.annotation, _not_required(info))
                  for name, info in payload.model_fields.items() if info.is_required()}
        partial = create_model(f"{payload.__name__}Patch", __base__=payload, __module__=payload.__module__, **unsent)

        class SentFields(ModelToDict):
            _wrapped_model = partial
            _wrapped_model_dump_params = {"exclude_unset": True}

            @classmethod
            def __get_pydantic_core_schema__(cls, source, handler):
                return core_schema.no_info_before_validator_function(
                    _fields_sent, super().__get_pydantic_core_schema__(source, handler))

        return Body[SentFields]


Patch = _PatchOf()


def _fields_sent(data):
    # django-ninja's schemas read anything field by field: `null` would change nothing and answer 200.
    if not isinstance(data, dict):
        raise ValueError("Send the fields to change as a JSON object.")
    return data


def _not_required(info):
    optional = copy(info)
    # Never validated nor given to the view (only the fields sent are): it only makes the field optional.
    optional.default = None
    return optional


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


@dataclass(frozen=True)
class Parent:
    """Records listed and added below another record, read and changed at their own address.

    Candidates are listed and added at `engagement/decisions/{decision_id}/candidates` and read at
    `engagement/candidates/{candidate_id}`: `collection` is the first path, `field` the record's field
    that holds the parent, `read` the parent's access helper.
    """

    collection: str
    id_name: str
    read: Callable[[Access, int], Access]
    field: str


VERBS = ("list", "create", "read", "change", "end")
# For records that are changed but never ended (events, objections, decisions).
WITHOUT_END = ("list", "create", "read", "change")
DEFAULT_OPERATION_IDS = {"list": "list_{plural}", "create": "create_{label}", "read": "read_{label}",
                         "change": "update_{label}", "end": "end_{label}"}


@dataclass(kw_only=True)
class ClusterResource:
    """One kind of cluster record under /api/clusters/{cluster}/{path}: list, create, read, change, end.

    Each verb enters the cluster through `in_cluster` and the record through its access helper `read`,
    writes in one transaction, validates through `save_checked` and answers with `out`:

        ClusterResource(
            path="engagement/objections", label="objection", model=Objection, out=ObjectionOut,
            payload=ObjectionIn, filters=ObjectionFilters, read=objection_for_user, id_name="objection_id",
            ordering=["-raised_on", "-pk"], verbs=("list", "create", "read", "change"),
        ).register(router)
    """

    path: str  # below /clusters/{cluster}/
    label: str  # "objection": names the operations (`read_objection`) and the records in summaries
    model: type[models.Model]
    out: type[Schema]
    # The record's access helper; a resource that only lists (no read, change or end) may go without.
    read: Callable[[Access, int], Access] | None = None
    payload: type[Schema] | None = None  # what create takes; change takes any part of it
    filters: type[FilterSchema] | None = None
    # The record a create starts from, given the cluster access and the acting user; by default
    # `model(cluster=<the cluster>)`.
    new: Callable[[Access, object], models.Model] | None = None
    verbs: tuple[str, ...] = VERBS  # `end` only where the model has an end date
    # The names in the operation ids, plural and singular: ("engagement_events", "engagement_event") gives
    # list_engagement_events, create_engagement_event...; by default the path and the label.
    operation_names: tuple[str, str] | None = None
    operation_ids: dict[str, str] = field(default_factory=dict)  # per verb, where not as above
    summaries: dict[str, str] = field(default_factory=dict)  # per verb, where not the default
    id_name: str = "record_id"  # the record's id in the address
    ordering: list[str] = field(default_factory=list)
    select_related: list[str] = field(default_factory=list)
    prefetch_related: list[str] = field(default_factory=list)
    # Who may change these records, given the user and their access to the cluster; by default
    # whoever may change the cluster's records (`Access.can_change`).
    can_change: Callable[[object, Access], bool] | None = None
    tag: str | None = None
    # The records listed, when not all of the model's (organizations leave out schools).
    listed: Callable[[], models.QuerySet] | None = None
    # What `out` describes, for several records at once (so a summary costs one query for a page);
    # by default the records themselves.
    present: Callable[[list[models.Model]], list] | None = None
    # Fields of the payload that are not the model's (tags, children): taken out before the record is
    # saved, then given to `after_save(record, {name: value}, access)` in the same transaction.
    # `before_save(record, {name: value}, access, user)` checks what the model cannot check alone (rights
    # that depend on the payload, child rows) once the fields are set and before the model is validated.
    # Both hooks get the user's own access to the cluster, not the one `can_change` decides.
    extra_fields: tuple[str, ...] = ()
    before_save: Callable[[models.Model, dict, Access, object], None] | None = None
    after_save: Callable[[models.Model, dict, Access], None] | None = None
    # Who may read these records beyond reading the cluster: raises PermissionDenied (or Http404) for
    # others, before anything is listed, read or written.
    require_read: Callable[[object, Access], None] | None = None
    # How the cluster is entered: `in_cluster`, or a variant that opens more scopes (the network library).
    enter: Callable = in_cluster
    paged: bool = True  # False: the list answers every record, not a page
    parent: Parent | None = None

    def __post_init__(self) -> None:
        unknown = set(self.verbs) - set(VERBS)
        if unknown:
            raise ValueError(f"{self.label}: unknown verbs {sorted(unknown)}; the verbs are {VERBS}.")
        if "end" in self.verbs and not hasattr(self.model, "end"):
            raise ValueError(f"{self.label}: `end` needs a model with an end date ({self.model.__name__} has none).")
        if {"create", "change"} & set(self.verbs) and self.payload is None:
            raise ValueError(f"{self.label}: create and change need a payload schema.")
        if set(self.verbs) - {"list"} and self.read is None:
            raise ValueError(f"{self.label}: every verb but list needs the record's access helper `read`.")

    def cluster_access(self, user, access: Access) -> Access:
        """The cluster access the record helpers and `require_change()` work with."""
        if self.can_change is None:
            return access
        return replace(access, can_change=self.can_change(user, access))

    @contextmanager
    def entered(self, user, cluster: str) -> Iterator[Access]:
        """The cluster's scope, open, for a user who may read these records (else 404 or 403)."""
        with self.enter(user, cluster) as access:
            if self.require_read:
                self.require_read(user, access)
            yield access

    def operation_id(self, verb: str) -> str:
        plural, label = self.operation_names or (self.path.rsplit("/", 1)[-1], self.label)
        default = DEFAULT_OPERATION_IDS[verb].format(plural=plural, label=label)
        return self.operation_ids.get(verb, default)

    def shown(self, records: list[models.Model]) -> list:
        return self.present(records) if self.present else records

    def one(self, record: models.Model):
        return self.shown([record])[0]

    def queryset(self) -> models.QuerySet:
        listed = self.listed() if self.listed else self.model.objects.all()
        listed = listed.select_related(*self.select_related).prefetch_related(*self.prefetch_related)
        return listed.order_by(*self.ordering) if self.ordering else listed

    def saved(self, record: models.Model, data: dict, access: Access, user) -> None:
        """Set the payload's fields, check, validate and save, then hand the extra fields to `after_save`."""
        extras = {name: data.pop(name) for name in self.extra_fields if name in data}
        apply_payload(record, data)
        if self.before_save:
            self.before_save(record, extras, access, user)
        save_checked(record)
        if self.after_save:
            self.after_save(record, extras, access)

    def register(self, router: Router) -> None:
        tag = self.tag or self.path.capitalize()
        collection = f"/clusters/{{cluster}}/{self.parent.collection if self.parent else self.path}"
        item = f"/clusters/{{cluster}}/{self.path}/{{{self.id_name}}}"
        for verb in self.verbs:
            view, response, method = getattr(self, f"_{verb}_view")()
            address = collection if verb in ("list", "create") else item
            address += "/end" if verb == "end" else ""
            getattr(router, method)(
                address, response=response, tags=[tag], operation_id=self.operation_id(verb),
                summary=self.summaries.get(verb, self._default_summary(verb)),
            )(view)

    def _default_summary(self, verb: str) -> str:
        article = "an" if self.label[0] in "aeiou" else "a"
        return {
            "list": f"List the cluster's {self.path.rsplit('/', 1)[-1].replace('-', ' ')}",
            "create": f"Add {article} {self.label}",
            "read": f"Read {article} {self.label}",
            "change": f"Change {article} {self.label}",
            "end": f"End {article} {self.label} (it stays in the history)",
        }[verb]

    # One view per verb. Each gets the signature ninja reads (`_signed`), so that the path parameters
    # keep the names this resource gives them (`objection_id`, `decision_id`).

    def _path_parameters(self, *, collection: bool) -> list[tuple[str, object]]:
        parameters = [("cluster", Text)]
        if collection and self.parent:
            parameters.append((self.parent.id_name, RecordId))
        elif not collection:
            parameters.append((self.id_name, RecordId))
        return parameters

    def _list_view(self):
        resource = self

        def list_records(request, **given):
            with resource.entered(request.auth, given["cluster"]) as access:
                queryset = resource.queryset()
                if resource.parent:
                    parent = resource.parent.read(access, given[resource.parent.id_name]).obj
                    queryset = queryset.filter(**{resource.parent.field: parent})
                if resource.filters:
                    queryset = given["filters"].filter(queryset)
                if not resource.paged:
                    return resource.shown(list(queryset))
                page = paginate(queryset, given["page"])
                return page | {"items": resource.shown(page["items"])}

        parameters = self._path_parameters(collection=True)
        if self.filters:
            parameters.append(("filters", Query[self.filters]))
        if self.paged:
            parameters.append(("page", Query[PageParams]))
        response = page_schema(self.out) if self.paged else list[self.out]
        return _signed(list_records, parameters), response, "get"

    def _create_view(self):
        resource = self

        def create_record(request, **given):
            with resource.entered(request.auth, given["cluster"]) as cluster, transaction.atomic():
                access = resource.cluster_access(request.auth, cluster)
                if resource.parent:
                    parent = resource.parent.read(access, given[resource.parent.id_name]).require_change()
                else:
                    access.require_change()
                record = resource.new(access, request.auth) if resource.new else resource.model(cluster=access.obj)
                if resource.parent:
                    setattr(record, resource.parent.field, parent)
                resource.saved(record, given["payload"].dict(), cluster, request.auth)
                return Status(201, resource.one(resource.read(access, record.pk).obj))

        parameters = [*self._path_parameters(collection=True), ("payload", self.payload)]
        return _signed(create_record, parameters), {201: self.out}, "post"

    def _read_view(self):
        resource = self

        def read_record(request, **given):
            with resource.entered(request.auth, given["cluster"]) as access:
                return resource.one(resource.read(access, given[resource.id_name]).obj)

        return _signed(read_record, self._path_parameters(collection=False)), self.out, "get"

    def _change_view(self):
        resource = self

        def update_record(request, **given):
            with resource.entered(request.auth, given["cluster"]) as cluster, transaction.atomic():
                access = resource.cluster_access(request.auth, cluster)
                record = resource.read(access, given[resource.id_name]).require_change()
                resource.saved(record, dict(given["payload"]), cluster, request.auth)
                return resource.one(resource.read(access, record.pk).obj)

        parameters = [*self._path_parameters(collection=False), ("payload", Patch[self.payload])]
        return _signed(update_record, parameters), self.out, "patch"

    def _end_view(self):
        resource = self

        def end_record(request, **given):
            with resource.entered(request.auth, given["cluster"]) as access, transaction.atomic():
                access = resource.cluster_access(request.auth, access)
                record = resource.read(access, given[resource.id_name]).require_change()
                ended = given.get("payload")
                record.end(ended.ended_on if ended else None)
                return resource.one(record)

        parameters = [*self._path_parameters(collection=False), ("payload", EndRequest | None, None)]
        return _signed(end_record, parameters), self.out, "post"


def _signed(view: Callable, parameters: list[tuple]) -> Callable:
    """Give a generated view the signature django-ninja reads: `request`, then each (name, type[, default])."""
    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = [inspect.Parameter("request", keyword)]
    for name, annotation, *default in parameters:
        signature.append(inspect.Parameter(name, keyword, annotation=annotation,
                                           default=default[0] if default else inspect.Parameter.empty))
    view.__signature__ = inspect.Signature(signature)
    return view
