"""The HTTP API: one NinjaAPI, bearer-token or session authentication, uniform error answers, and the OpenAPI
document that describes all of it.

Errors always answer with JSON `{"detail": "..."}`; invalid input (422) adds
`"errors": [{"field": ..., "message": ...}]`, one entry per problem. The document names each schema after
its app (`design.DecisionIn`) and lists, for every operation, the error statuses it can answer.
"""

from django.conf import settings
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.db import IntegrityError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi import schema as ninja_openapi
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from pydantic.json_schema import DefsRef

from improvenet import __version__
from improvenet.accounts.models import ApiToken
from improvenet.apps import app_modules
from improvenet.lib.errors import Conflict, FieldRefusal
from improvenet.resources import NUL_MESSAGE, ConflictError, Error, InputErrors

# Parts of a pydantic error location that name where the value came from, not the field.
_LOCATION_WRAPPERS = {"body", "query", "path", "payload", "filters", "params"}


class BearerToken(HttpBearer):
    openapi_description = "An API token: `Authorization: Bearer inet_…` (create one on your account page)."

    def authenticate(self, request, token: str):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false"}


class ApiParser(Parser):
    """What the API reads from a request, refused before any schema reads it when it cannot be right.

    A JSON body is an object (or null where the body is optional): django-ninja's schemas would read anything
    else attribute by attribute, so the text "AAA" made a change idea titled "Aaa". No text of the body, the
    query or a form holds a NUL character, which PostgreSQL can neither store nor search (422 naming where).
    """

    def parse_body(self, request):
        body = super().parse_body(request)
        if body is not None and not isinstance(body, dict):
            raise ValueError(f"it must be a JSON object, not {_JSON_TYPES[type(body)]}.")
        _refuse_nul_characters(body, ("body",))
        return body

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        _refuse_nul_characters(parsed, ("query",))
        return parsed


def _refuse_nul_characters(value, where: tuple) -> None:
    errors = list(_nul_characters(value, where))
    if errors:
        raise SchemaValidationError(errors)


def _nul_characters(value, where: tuple):
    if isinstance(value, str):
        if "\x00" in value:
            yield {"loc": where, "msg": NUL_MESSAGE, "type": "nul_character"}
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _nul_characters(item, (*where, key))


class SessionAuth(NinjaSessionAuth):
    """A signed-in browser session. CSRF protects a session, so it is checked only once someone is signed in:
    a write without token or session answers 401 (sign in), not 403 (CSRF check failed)."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


_WRITES = {"POST", "PUT", "PATCH", "DELETE"}
_BODIES = {"body", "form", "file"}


def error_answers(operation: Operation) -> dict[int, tuple[str, type[Schema]]]:
    """The error statuses an operation can answer, read from what it takes and who may call it."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    signed_in = bool(operation.auth_callbacks)
    answers = {}
    if sources & _BODIES:
        answers[400] = ("The body cannot be read: not JSON, or not a well-formed form.", Error)
    if signed_in:
        answers[401] = ("No API token or signed-in session, or a token that is unknown, expired or revoked.", Error)
        answers[403] = ("Your role may read this but not change it, or the record is kept for a narrower group.",
                        Error)
    if "path" in sources:
        answers[404] = ("No such record, or one you may not see.", Error)
    if signed_in and set(operation.methods) & _WRITES:
        answers[409] = ("The change conflicts with a record already saved: a duplicate, or a change saved at "
                        "the same time.", ConflictError)
    if sources & _BODIES:
        answers[413] = ("The request is larger than the API takes.", Error)
    if sources:
        answers[422] = ("The input is invalid, or a rule refuses it: one entry per problem.", InputErrors)
    if operation.throttle_objects or not signed_in:
        answers[429] = ("Too many requests from this address: wait, then try again.", Error)
    return answers


_MODE_SUFFIXES = {"validation": "Input", "serialization": "Output"}


def component_name(path: str) -> str | None:
    """The name in the document of a type of this project, given its module and qualified name: its app, then
    its qualified name.

    The design app's `DecisionIn` is `design.DecisionIn`, the network models' `Organization.Kind` is
    `network.Organization.Kind`; the shared kit's schemas (`EndRequest` of `improvenet.resources`) keep their name.
    Types of other packages (and generic types) are named as pydantic names them.
    """
    parts = path.split(".")
    if parts[0] != "improvenet" or "[" in path:
        return None
    # Modules are lower case, classes capitalized: the qualified name starts at the first class.
    first_class = next((index for index, part in enumerate(parts) if part[:1].isupper()), len(parts) - 1)
    modules = parts[1:first_class]
    return ".".join([*modules[:1], *parts[first_class:]] if len(modules) > 1 else parts[first_class:])


class AppNamedJsonSchema(NinjaGenerateJsonSchema):
    """django-ninja's JSON schemas, each named after its app (see `component_name`).

    django-ninja names a schema by its class name alone and puts every operation's schemas in one namespace,
    so two apps' `DecisionIn`, or two models' `Kind`, would share one component, and all but one of the
    operations using them would be described with the wrong schema.
    """

    def get_defs_ref(self, core_mode_ref):
        defs_ref = super().get_defs_ref(core_mode_ref)
        core_ref, mode = core_mode_ref  # the reference is `<module>.<qualified name>:<id of the type>`
        name = component_name(core_ref.rpartition(":")[0])
        if name is not None:
            # pydantic names the schema after the first of these choices that no other schema of this
            # generation takes; the suffixed one tells a model's input and output schemas apart.
            self._prioritized_defsref_choices[defs_ref][:2] = [DefsRef(name), DefsRef(f"{name}-{_MODE_SUFFIXES[mode]}")]
        return defs_ref


# django-ninja offers no setting for the generator its document uses (vitalik/django-ninja#965, #1047).
ninja_openapi.NinjaGenerateJsonSchema = AppNamedJsonSchema


class ApiDocument(ninja_openapi.OpenAPISchema):
    """The OpenAPI document: every operation's error answers added, and no two schemas under one name."""

    def responses(self, operation: Operation) -> dict:
        answers = super().responses(operation)
        for status, (description, schema) in error_answers(operation).items():
            if status not in answers:
                content = {"application/json": {"schema": self.component(schema)}}
                answers[status] = {"description": description, "content": content}
        return answers

    def component(self, schema: type[Schema]) -> dict:
        """A reference to `schema`, added to the document's components."""
        name = component_name(f"{schema.__module__}.{schema.__qualname__}") or schema.__name__
        if name not in self.schemas:
            described = schema.model_json_schema(ref_template=ninja_openapi.REF_TEMPLATE,
                                                 schema_generator=AppNamedJsonSchema, mode="serialization")
            self.add_schema_definitions(described.pop("$defs", {}) | {name: described})
        return {"$ref": ninja_openapi.REF_TEMPLATE.format(model=name)}

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, described in definitions.items():
            if self.schemas.get(name, described) != described:
                raise ImproperlyConfigured(
                    f"Two different schemas are named {name!r} in the OpenAPI document: give one another name."
                )
        super().add_schema_definitions(definitions)


class ImprovenetApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> ApiDocument:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ApiDocument(self, path_prefix)


api = ImprovenetApi(
    title="improvenet API",
    version=__version__,
    description=(
        "Read and change an improvement network's clusters, schools, people and teams. "
        "Records are ended, never deleted. Authenticate with `Authorization: Bearer <token>`."
    ),
    auth=[BearerToken(), SessionAuth()],
    parser=ApiParser(),
    urls_namespace="api",
    docs_url="/docs",
)


def field_errors(items: list[tuple[str, str]]):
    count = len(items)
    summary = f"The input has {count} problem{'s' if count != 1 else ''}."
    return {"detail": summary, "errors": [{"field": f, "message": m} for f, m in items]}


@api.exception_handler(SchemaValidationError)
def schema_invalid(request, exc: SchemaValidationError):
    items = []
    for error in exc.errors:
        parts = [str(p) for p in error.get("loc", ()) if str(p) not in _LOCATION_WRAPPERS]
        # pydantic starts the message of a validator's ValueError with "Value error, ": the rest is for people.
        items.append((".".join(parts) or "input", error.get("msg", "is invalid").removeprefix("Value error, ")))
    return api.create_response(request, field_errors(items), status=422)


@api.exception_handler(ValidationError)
def model_invalid(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        items = [(field if field != "__all__" else "input", message)
                 for field, messages in exc.message_dict.items() for message in messages]
    else:
        items = [("input", message) for message in exc.messages]
    return api.create_response(request, field_errors(items), status=422)


@api.exception_handler(FieldRefusal)
def refused(request, exc: FieldRefusal):
    body = field_errors([(exc.field, exc.message_text)]) | {"detail": exc.message_text}
    return api.create_response(request, body, status=422)


@api.exception_handler(Conflict)
def conflict(request, exc: Conflict):
    body = {"detail": exc.message}
    if exc.existing is not None:
        body["existing"] = {"id": exc.existing.pk, "name": str(exc.existing)}
    return api.create_response(request, body, status=409)


@api.exception_handler(IntegrityError)
def integrity_conflict(request, exc: IntegrityError):
    body = {"detail": "This change conflicts with a record that was saved at the same time. Reload and try again."}
    return api.create_response(request, body, status=409)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc: AuthenticationError):
    body = {"detail": "Sign in, or send an API token as `Authorization: Bearer <token>`."}
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # django-ninja answers a body its parser refuses with "Cannot parse request body", the reason kept as the
    # cause: a refused text is invalid input (422), a body that is not a JSON object cannot be read (400).
    if isinstance(exc.__cause__, SchemaValidationError):
        return schema_invalid(request, exc.__cause__)
    detail = str(exc)
    if exc.status_code == 400 and exc.__cause__ is not None:
        detail = f"The body cannot be read: {exc.__cause__}"
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


# Django answers these with an HTML page; the API answers JSON, as its document says.


@api.exception_handler(MultiPartParserError)
def unreadable_form(request, exc: MultiPartParserError):
    return api.create_response(request, {"detail": f"The body cannot be read: {exc}"}, status=400)


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc: RequestDataTooBig):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = {"detail": f"The request is larger than the API takes ({limit:,} bytes at most)."}
    return api.create_response(request, body, status=413)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def too_many_parts(request, exc: TooManyFieldsSent | TooManyFilesSent):
    fields, files = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, settings.DATA_UPLOAD_MAX_NUMBER_FILES
    body = {"detail": f"The request has more parts than the API takes ({fields:,} fields and {files:,} files at most)."}
    return api.create_response(request, body, status=413)


def _mount_routers() -> None:
    """Every app's `api.router`, found from the installed apps."""
    for _config, module in app_modules("api"):
        api.add_router("/", module.router)


_mount_routers()
# What improvenet/urls.py serves below /api/.
urlpatterns = api.urls[0]
