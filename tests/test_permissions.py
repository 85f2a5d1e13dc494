"""Who may do what: every page and every API operation, against the demo's named users.

Each row is an action and the answer each user gets, in the order of USERS (see
tests/permission_table.py); the rows live beside each app's tests in `permission_rows.py`.
Pages answer 302 to the sign-in page for anonymous visitors; the API answers 401.
`test_every_route_is_in_the_table` fails when a page or API operation has no row.
Every answer must also carry the browser-hardening headers (tests/test_security_headers.py).
"""

import importlib
import importlib.util
import json
import re
from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django_scopes import scopes_disabled

from improvenet.accounts.models import ApiToken
from improvenet.api import api
from improvenet.apps import domain_apps
from improvenet.demo import load_demo
from tests.permission_table import USERS, Action
from tests.test_security_headers import assert_hardened

# Each app's rows, found from the installed apps: tests/<app label>/permission_rows.py.
ROW_MODULES = [
    importlib.import_module(f"tests.{config.label}.permission_rows") for config in domain_apps()
    if importlib.util.find_spec(f"tests.{config.label}.permission_rows") is not None
]


def all_rows(ids) -> dict[str, Action]:
    rows: dict[str, Action] = {}
    for module in ROW_MODULES:
        for name, action in module.rows(ids).items():
            assert name not in rows, f"two permission rows are named {name!r}"
            rows[name] = action
    return rows


class StandInIds(defaultdict):
    """Any id a row asks for, as 1 (or an empty form): enough to name actions and resolve routes."""

    def __missing__(self, key):
        return {} if key.endswith("_form") else 1


SAMPLE_IDS = StandInIds()


@pytest.fixture(scope="module")
def demo_ids(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back after it; each test runs in a savepoint."""
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        # On PostgreSQL the demo's foreign keys are checked when a test ends (SET CONSTRAINTS ALL
        # IMMEDIATE); checked here once, they are not checked again after every test's savepoint.
        connection.check_constraints()
        ids = {}
        with scopes_disabled():
            for module in ROW_MODULES:
                ids |= module.demo_ids()
        users = get_user_model().objects.in_bulk(USERS[1:], field_name="username")
        ids["tokens"] = {name: ApiToken.issue(user, "permission tests")[1] for name, user in users.items()}
        ids["users"] = users
        ids["alice_token"] = ApiToken.issue(users["alice"], "revocable")[0].pk
        yield ids
        transaction.set_rollback(True)


@pytest.mark.parametrize(("user", "action_name"), [(u, name) for name in sorted(all_rows(SAMPLE_IDS)) for u in USERS])
def test_permission(db, client, demo_ids, user, action_name):
    action = all_rows(demo_ids)[action_name]
    expected = action.answers[USERS.index(user)]
    headers = {}
    if action.url.startswith("/api/"):
        if user != "anonymous":
            headers["HTTP_AUTHORIZATION"] = f"Bearer {demo_ids['tokens'][user]}"
    elif user != "anonymous":
        client.force_login(demo_ids["users"][user])
    if action.method == "GET":
        answer = client.get(action.url, **headers)
    elif action.url.startswith("/api/"):
        call = client.post if action.method == "POST" else client.patch
        answer = call(action.url, json.dumps(action.body or {}), "application/json", **headers)
    else:
        answer = client.post(action.url, action.body or {}, **headers)
    detail = answer.content.decode()[:300] if answer.status_code != expected else ""
    assert answer.status_code == expected, f"{user} {action.method} {action.url}: {detail}"
    assert_hardened(answer)


def _normalize(route: str) -> str:
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/" + route.strip("^$/").rstrip("/")


def _site_routes(patterns, prefix="") -> set[str]:
    routes = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith(("admin/", "api/", "i18n/")):
                continue
            routes |= _site_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.add(_normalize(prefix + str(pattern.pattern)))
    return routes


def test_every_route_is_in_the_table():
    covered_pages, covered_api = set(), set()
    for action in all_rows(SAMPLE_IDS).values():
        match = resolve(action.url)
        if action.url.startswith("/api/"):
            covered_api.add((action.method, _normalize(match.route)))
        else:
            covered_pages.add(_normalize(match.route))
    pages = _site_routes(get_resolver().url_patterns)
    assert pages - covered_pages == set(), "pages without a row in the permission table"
    document = api.get_openapi_schema()
    operations = {(method.upper(), _normalize(path.removeprefix("/")))
                  for path, methods in document["paths"].items() for method in methods}
    assert operations - covered_api == set(), "API operations without a row in the permission table"
