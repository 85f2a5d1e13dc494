"""The OpenAPI document tells the truth.

Each schema has a name of its own, every operation lists the answers it can give, every number it takes is
within the database's range, and schemathesis, calling every operation of the demo with data generated from
the document (as the lead, who may write, and as a team member), finds no server error, no answer outside
the document and no invalid request accepted.
"""

import logging

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from ninja import Router, Schema
from schemathesis.config import SchemathesisConfig

from improvenet.accounts.models import ApiToken
from improvenet.api import ImprovenetApi, api
from improvenet.demo import DEMO_NETWORK_SLUG, load_demo
from improvenet.demo.network import RIVERSIDE
from improvenet.design.models import InnovationElement
from improvenet.governance.models import Proposal
from improvenet.measures.models import Measure
from improvenet.network.access import MAX_ID
from improvenet.network.models import Phase, Team

DOCUMENT = api.get_openapi_schema(path_prefix="/api/")
SCHEMAS = DOCUMENT["components"]["schemas"]
OPERATIONS = {operation["operationId"]: (method, path, operation)
              for path, methods in DOCUMENT["paths"].items() for method, operation in methods.items()}


def resolved(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def request_body(operation_id: str) -> dict:
    content = OPERATIONS[operation_id][2]["requestBody"]["content"]
    return resolved(content["application/json"]["schema"])


# Schema names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("operation_id", "field", "choices"), [
    ("create_team", "kind", Team.Kind.values),
    ("create_measure", "kind", Measure.Kind.values),
    ("improvenet_network_api_create_phase", "stage", Phase.Stage.values),
    ("create_innovation element", "kind", InnovationElement.Kind.values),
    ("create_panel_proposal", "kind", Proposal.Kind.values),
])
def test_operations_whose_schemas_shared_a_name_are_described_with_their_own(operation_id, field, choices):
    # Two models' `Kind` (and two apps' `DecisionIn`...) were one component: a client generated from the
    # document sent another model's kinds and could not create teams, measures, phases, elements or proposals.
    assert resolved(request_body(operation_id)["properties"][field])["enum"] == choices


def test_schemas_are_named_after_their_app():
    assert {"design.DecisionIn", "engagement.DecisionIn", "governance.DecisionIn", "cycles.DecisionIn",
            "network.Organization.Kind", "network.Team.Kind", "measures.MeasureOut", "pyramids.MeasureOut",
            "InputErrors", "EndRequest"} <= set(SCHEMAS)


def test_two_different_schemas_under_one_name_stop_the_document():
    def thing_with(field_type):
        class Thing(Schema):
            value: field_type

        return Thing

    router = Router()
    router.post("/first", response=thing_with(int))(lambda request: None)
    router.post("/second", response=thing_with(str))(lambda request: None)
    throwaway = ImprovenetApi(urls_namespace="throwaway")
    throwaway.add_router("/", router)
    with pytest.raises(ImproperlyConfigured, match="Two different schemas are named 'Thing'"):
        throwaway.get_openapi_schema(path_prefix="/throwaway/")


def test_the_archive_is_documented_as_the_zip_it_is():
    answers = OPERATIONS["export_cluster_archive"][2]["responses"]
    assert list(answers[200]["content"]) == ["application/zip"]
    assert answers[409]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ConflictError"}


# What the operations take and answer ----------------------------------------------------------------------


def _unbounded_integers(schema: dict, where: str, seen: tuple = ()):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            yield from _unbounded_integers(SCHEMAS[name], where, (*seen, name))
        return
    if schema.get("type") == "integer" and not (schema.get("maximum", MAX_ID + 1) <= MAX_ID
                                               and schema.get("minimum", schema.get("exclusiveMinimum")) is not None):
        yield where
    for key in ("anyOf", "allOf", "oneOf"):
        for option in schema.get(key, ()):
            yield from _unbounded_integers(option, where, seen)
    if "items" in schema:
        yield from _unbounded_integers(schema["items"], f"{where}[]", seen)
    for name, property_schema in schema.get("properties", {}).items():
        yield from _unbounded_integers(property_schema, f"{where}.{name}", seen)


def test_every_integer_the_api_takes_is_within_the_database_range():
    # A larger id reached the database and failed there (HTTP 500); bounded, it is refused as input (422).
    unbounded = []
    for operation_id, (_method, _path, operation) in OPERATIONS.items():
        for parameter in operation["parameters"]:
            where = f"{operation_id} {parameter['in']} {parameter['name']}"
            unbounded += _unbounded_integers(parameter["schema"], where)
        for content in operation.get("requestBody", {}).get("content", {}).values():
            unbounded += _unbounded_integers(content["schema"], f"{operation_id} body")
    assert unbounded == []


def test_every_operation_documents_its_error_answers():
    for operation_id, (method, path, operation) in OPERATIONS.items():
        answers = operation["responses"]
        signed_in = "security" in operation
        assert (401 in answers) == (403 in answers) == signed_in != (429 in answers), operation_id
        assert ("{" in path) == (404 in answers), operation_id
        assert ("requestBody" in operation) == (413 in answers) == (400 in answers), operation_id
        assert method == "get" or 409 in answers, operation_id
        assert answers[422]["content"]["application/json"]["schema"] != {}, operation_id
        if operation_id.startswith("create_"):
            assert 201 in answers and 200 not in answers, operation_id
    assert resolved({"$ref": "#/components/schemas/InputErrors"})["required"] == ["detail", "errors"]


# Schemathesis over the demo -------------------------------------------------------------------------------

APP = WSGIHandler()
COMMON = {
    "seed": 2026,
    # Every operation of the demo's first cluster and network (a made-up slug would only ever be a 404).
    "parameters": {"cluster": RIVERSIDE, "network": DEMO_NETWORK_SLUG},
    "checks": {
        # Data the document allows may still break a rule of the domain (an end before a start, an id of
        # another cluster): such a request is refused with 422 naming the rule.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]},
    },
    # The archive is a whole cluster's export (seconds each): once is enough.
    "operations": [{"include-operation-id": "export_cluster_archive", "generation": {"max-examples": 1}}],
}
# The lead may change every record: each operation with the invalid inputs the coverage phase derives from its
# document (each field of the wrong type, missing, one past its bounds...), then generated valid and invalid ones.
LEAD = schemathesis.openapi.from_wsgi("/api/openapi.json", APP, config=SchemathesisConfig.from_dict(
    COMMON | {"generation": {"max-examples": 5, "deterministic": True},
              # No operation deletes (records are ended): DELETE stands for every method an address does not take.
              "phases": {"coverage": {"unexpected-methods": ["delete"], "generation": {"mode": "negative"}}}}))
# A school design team's member: every operation again, with fewer inputs, for the answers of a narrower role.
MEMBER = schemathesis.openapi.from_wsgi("/api/openapi.json", APP, config=SchemathesisConfig.from_dict(
    COMMON | {"generation": {"max-examples": 2, "deterministic": True}, "phases": {"coverage": {"enabled": False}}}))
BOUNDED = hypothesis_settings(deadline=20_000, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker):
    """The demo, loaded once and rolled back after the module; each operation's requests run in a savepoint."""
    # Django closes the connection at the end of each request, which would end the module's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    # Refused requests are the point here: only server errors are logged.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            load_demo()
            connection.check_constraints()
            users = get_user_model().objects.in_bulk(["alice", "bob"], field_name="username")
            yield {name: f"Bearer {ApiToken.issue(user, 'schemathesis')[1]}" for name, user in users.items()}
            transaction.set_rollback(True)
    finally:
        request_log.setLevel(level)
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


# The user is a pytest parameter so that each operation's test has an id of its own: with pytest 9, the ids
# schemathesis gives are all the same, and pytest-xdist would then run a single operation.


@LEAD.parametrize()
@BOUNDED
@pytest.mark.parametrize("user", ["alice"])
def test_every_operation_answers_the_lead_as_documented(case, demo_tokens, db, user):
    case.call_and_validate(headers={"Authorization": demo_tokens[user]})


@MEMBER.parametrize()
@BOUNDED
@pytest.mark.parametrize("user", ["bob"])
def test_every_operation_answers_a_team_member_as_documented(case, demo_tokens, db, user):
    case.call_and_validate(headers={"Authorization": demo_tokens[user]})
