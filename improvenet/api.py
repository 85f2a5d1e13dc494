"""The HTTP API: one NinjaAPI, bearer-token or session authentication, and uniform error answers.

Errors always answer with JSON `{"detail": "..."}`; invalid input (422) adds
`"errors": [{"field": ..., "message": ...}]`, one entry per problem.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer, django_auth

from improvenet import __version__
from improvenet.accounts.models import ApiToken
from improvenet.apps import app_modules
from improvenet.lib.errors import Conflict, FieldRefusal

# Parts of a pydantic error location that name where the value came from, not the field.
_LOCATION_WRAPPERS = {"body", "query", "path", "payload", "filters", "params"}


class BearerToken(HttpBearer):
    openapi_description = "An API token: `Authorization: Bearer inet_…` (create one on your account page)."

    def authenticate(self, request, token: str):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="improvenet API",
    version=__version__,
    description=(
        "Read and change an improvement network's clusters, schools, people and teams. "
        "Records are ended, never deleted. Authenticate with `Authorization: Bearer <token>`."
    ),
    auth=[BearerToken(), django_auth],
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
        items.append((".".join(parts) or "input", error.get("msg", "is invalid")))
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


def _mount_routers() -> None:
    """Every app's `api.router`, found from the installed apps."""
    for _config, module in app_modules("api"):
        api.add_router("/", module.router)


_mount_routers()
