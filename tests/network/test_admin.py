"""Django's admin reads across clusters: its pages render outside any cluster's scope, forms included."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import scopes_disabled


def _request_of(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.fixture
def superuser(world):
    world.users.outsider.is_superuser = world.users.outsider.is_staff = True
    world.users.outsider.save()
    return world.users.outsider


def test_every_admin_page_of_every_model_opens(world, client, superuser):
    """Add and change forms render lazily, after the view returned (inline formsets query then)."""
    client.force_login(superuser)
    with scopes_disabled():
        first_records = {model: model._default_manager.order_by("pk").first() for model in admin.site._registry}
    for model, record in first_records.items():
        names = model._meta.app_label, model._meta.model_name
        pages = [reverse("admin:{}_{}_changelist".format(*names))]
        # Read-only admins (an append-only log) offer no add form.
        if admin.site._registry[model].has_add_permission(_request_of(superuser)):
            pages.append(reverse("admin:{}_{}_add".format(*names)))
        if record is not None:
            pages.append(reverse("admin:{}_{}_change".format(*names), args=[record.pk]))
        for page in pages:
            assert client.get(page).status_code == 200, page
