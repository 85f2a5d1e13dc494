"""The demo: Riverside's family pages are published with a contact, and two requests wait for the data team."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django_scopes import scopes_disabled

from improvenet.demo import load_demo
from improvenet.families.models import FamilyPages, OptOutRequest
from improvenet.network.models import Cluster


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


def test_riverside_publishes_its_pages_with_pending_requests(db, demo):
    with scopes_disabled():
        riverside = Cluster.objects.get(slug="riverside")
        pages = FamilyPages.objects.get(cluster=riverside)
        requests = list(OptOutRequest.objects.filter(cluster=riverside))
        assert not FamilyPages.objects.exclude(cluster=riverside).filter(published=True).exists()
    assert pages.published and pages.contact_office and pages.contact_email
    assert len(requests) == 2 and all(r.is_pending and r.student_id for r in requests)
    assert {r.language for r in requests} == {"en", "es"}
    assert Client().get("/es/families/riverside/").status_code == 200
    assert Client().get("/families/lakeside/").status_code == 404
