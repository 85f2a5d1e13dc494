"""Shared fixtures: a small two-cluster world built by hand, and an API client with a token."""

import json
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_scopes import scopes_disabled

from improvenet.accounts.models import ApiToken
from improvenet.network.models import Cluster, ClusterRole, Network, Organization, Person, School, Team

# The real demo server (a subprocess), shared by the browser and load tests.
from tests.live_server import live_server_url, server_database, server_environment  # noqa: F401
from tests.mail_server import mail_server  # noqa: F401


@dataclass
class ApiClient:
    """Calls the HTTP API as one user, with a real bearer token."""

    client: Client
    token: str | None

    def _headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api{path}", params, **self._headers())

    def post(self, path: str, body=None):
        return self.client.post(f"/api{path}", json.dumps(body or {}), "application/json", **self._headers())

    def patch(self, path: str, body):
        return self.client.patch(f"/api{path}", json.dumps(body), "application/json", **self._headers())


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing_for_shared_data():
    """The module-wide demos (about twenty modules load one) hash six passwords each: with Argon2, a second
    each on two busy cores. Tests about hashing set their hashers themselves."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is slow on purpose; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


def make_user(username: str):
    return get_user_model().objects.create_user(username, f"{username}@example.org", "correct horse battery")


@pytest.fixture
def world(db):
    """Network `north` with clusters `alpha` (one user per role) and `beta` (its own lead)."""
    with scopes_disabled():
        network = Network.objects.create(slug="north", name="North Network")
        alpha = Cluster.objects.create(network=network, slug="alpha", name="Alpha", status="launched")
        beta = Cluster.objects.create(network=network, slug="beta", name="Beta")
        users = SimpleNamespace(
            admin=make_user("net-admin"),
            lead=make_user("lead"),
            member=make_user("member"),
            researcher=make_user("researcher"),
            viewer=make_user("viewer"),
            outsider=make_user("outsider"),
        )
        network.admins.add(users.admin)
        for role in ("lead", "member", "researcher", "viewer"):
            ClusterRole.objects.create(cluster=alpha, user=getattr(users, role), role=role)
        ClusterRole.objects.create(cluster=beta, user=users.outsider, role="lead")
        district = Organization.objects.create(cluster=alpha, name="Alpha USD", kind="district")
        high = School.objects.create(
            cluster=alpha, name="Alpha High", level="high", role="innovation", lowest_grade=9, highest_grade=12,
            nces_id="170000100001",
        )
        middle = School.objects.create(
            cluster=alpha, name="Alpha Middle", level="middle", role="feeder", lowest_grade=6, highest_grade=8,
            feeds_into=high,
        )
        team = Team.objects.create(cluster=alpha, name="Alpha High design team", kind="school_design", school=high)
        person = Person.objects.create(cluster=alpha, given_name="Rosa", family_name="Diaz", home_organization=high)
        beta_school = School.objects.create(
            cluster=beta, name="Beta High", level="high", role="comparison", lowest_grade=9, highest_grade=12,
        )
    return SimpleNamespace(
        network=network, alpha=alpha, beta=beta, users=users, district=district, high=high, middle=middle,
        team=team, person=person, beta_school=beta_school,
    )


@pytest.fixture
def api_as(client):
    """`api_as(user)` gives an ApiClient authenticated with a fresh token of that user (None: anonymous)."""

    def build(user) -> ApiClient:
        token = ApiToken.issue(user, "tests")[1] if user is not None else None
        return ApiClient(client, token)

    return build
