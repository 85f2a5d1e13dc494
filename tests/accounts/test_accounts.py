import hashlib

from django.contrib.auth import authenticate

from improvenet.accounts.models import ApiToken


def test_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    ]
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("hana", password="a long passphrase")
    assert user.password.startswith("argon2$argon2id$")
    assert authenticate(username="hana", password="a long passphrase") == user


def test_token_is_shown_once_and_stored_only_as_a_digest(world, client):
    client.force_login(world.users.lead)
    page = client.post("/accounts/tokens/", {"name": "weekly upload"}).content.decode()
    token = ApiToken.objects.get(user=world.users.lead)
    secret = page.split('id="new-token" readonly value="')[1].split('"')[0]
    assert secret.startswith("inet_") and token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.digest} and len(token.shown_start) == 12
    assert secret not in client.get("/accounts/tokens/").content.decode()


def test_token_is_revoked_by_its_owner_only(world, client):
    token, secret = ApiToken.issue(world.users.lead, "notebook")
    client.force_login(world.users.viewer)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(world.users.lead)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and ApiToken.authenticate(secret) is None


def test_token_of_an_inactive_user_does_not_authenticate(world):
    _, secret = ApiToken.issue(world.users.lead, "notebook")
    assert ApiToken.authenticate(secret) == world.users.lead
    world.users.lead.is_active = False
    world.users.lead.save()
    assert ApiToken.authenticate(secret) is None


def test_token_use_is_recorded_at_most_once_a_minute(world):
    import datetime

    token, secret = ApiToken.issue(world.users.lead, "notebook")
    ApiToken.authenticate(secret)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    ApiToken.authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    ApiToken.authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at > first
