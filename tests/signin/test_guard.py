"""Lock-outs after repeated failures, counted in the database, and the sign-in log."""

import datetime
import logging

import pytest
from django.db import models
from django.db.models import F
from django.utils import timezone

from improvenet.data.models import AppendOnlyError
from improvenet.signin import guard
from improvenet.signin.models import SignInEvent

Kind = SignInEvent.Kind
PASSWORD = "correct horse battery"  # tests/conftest.py's make_user


def sign_in(client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_for_a_username_lock_it_for_15_minutes_even_with_the_right_password(world, client):
    for _ in range(guard.FAILURES_PER_USERNAME):
        answer = sign_in(client, "viewer", "wrong")
        assert "did not match" in answer.content.decode()
    refused = sign_in(client, "viewer", PASSWORD)
    page = refused.content.decode()
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert "too many failed sign-ins for this username" in page and "15 more minutes" in page
    # Another username from the same address is not locked.
    assert sign_in(client, "member", PASSWORD).status_code == 302
    assert SignInEvent.objects.filter(kind=Kind.LOCKED_OUT, username="viewer").count() == 1


def test_the_lock_out_ends_15_minutes_after_the_last_failure(world, client):
    for _ in range(guard.FAILURES_PER_USERNAME):
        sign_in(client, "viewer", "wrong")
    last = SignInEvent.objects.filter(kind=Kind.FAILED).order_by("-at").first().at
    assert guard.lock_out(None, "viewer").until == last + guard.LOCKED_FOR
    # 15 minutes later:
    _age_failures(datetime.timedelta(minutes=15, seconds=1))
    assert guard.lock_out(None, "viewer") is None
    assert sign_in(client, "viewer", PASSWORD).status_code == 302


def _age_failures(by: datetime.timedelta) -> None:
    """Move every failure back in time, bypassing the append-only model as only a test may."""
    models.QuerySet.update(SignInEvent.objects.all(), at=F("at") - by)


def test_four_failures_do_not_lock_and_failures_spread_over_more_than_15_minutes_do_not_either(world, client):
    for _ in range(guard.FAILURES_PER_USERNAME - 1):
        sign_in(client, "viewer", "wrong")
    _age_failures(datetime.timedelta(minutes=16))
    sign_in(client, "viewer", "wrong")
    assert guard.lock_out(None, "viewer") is None
    assert sign_in(client, "viewer", PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_lock_that_address_only(world, client):
    for number in range(guard.FAILURES_PER_ADDRESS):
        sign_in(client, f"guess{number}", "wrong", address="198.51.100.9")
    refused = sign_in(client, "viewer", PASSWORD, address="198.51.100.9")
    assert "too many failed sign-ins from your internet connection" in refused.content.decode()
    assert sign_in(client, "viewer", PASSWORD, address="198.51.100.10").status_code == 302


def test_every_sign_in_failure_and_lock_out_is_logged_in_the_database_and_the_python_log(world, client, caplog):
    caplog.set_level(logging.INFO, logger="improvenet.signin")
    sign_in(client, "viewer", "wrong")
    sign_in(client, "viewer", PASSWORD)
    client.post("/accounts/logout/")
    kinds = list(SignInEvent.objects.order_by("at", "id").values_list("kind", "username", "client", "method"))
    assert kinds == [
        (Kind.FAILED, "viewer", "203.0.113.7", "password"),
        (Kind.SIGNED_IN, "viewer", "203.0.113.7", "password"),
        (Kind.SIGNED_OUT, "viewer", "127.0.0.1", ""),
    ]
    lines = [record.getMessage() for record in caplog.records if record.name == "improvenet.signin"]
    assert lines[0].startswith("sign-in: failed user=viewer client=203.0.113.7")
    assert any(line.startswith("sign-in: signed-in user=viewer") for line in lines)


def test_the_sign_in_log_is_append_only(world):
    guard.record(Kind.FAILED, username="viewer")
    entry = SignInEvent.objects.get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        SignInEvent.objects.all().delete()


def test_the_admin_sign_in_is_guarded_too(world, client):
    for _ in range(guard.FAILURES_PER_USERNAME):
        client.post("/admin/login/", {"username": "viewer", "password": "wrong"})
    assert guard.lock_out(None, "viewer") is not None


def test_passwords_off_refuses_everyone_but_superusers_once_the_password_is_right(world, client, settings):
    settings.SIGNIN_SSO_ONLY = True
    assert "did not match" in sign_in(client, "viewer", "wrong").content.decode()
    refused = sign_in(client, "viewer", PASSWORD).content.decode()
    assert "Passwords are turned off on this site" in refused and "_auth_user_id" not in client.session
    world.users.admin.is_superuser = True
    world.users.admin.save()
    assert sign_in(client, "net-admin", PASSWORD).status_code == 302
    # A refusal is not a failure: it does not count towards a lock-out.
    assert SignInEvent.objects.filter(kind=Kind.FAILED).count() == 1


def test_a_lock_out_message_counts_down(world):
    lock = guard.LockOut(until=timezone.now() + datetime.timedelta(seconds=30), by_address=False)
    assert "paused for one more minute." in lock.message
