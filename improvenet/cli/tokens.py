"""`improvenet token`: API tokens for scripts and notebooks."""

from typing import Annotated

import typer

from improvenet.cli.django_setup import fail, setup_django

app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)

UserOption = Annotated[str, typer.Option("--user", "-u", help="Username of the account the token acts as.")]


def _user(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"There is no active account named “{username}”.")
    return user


@app.command("create")
def create(
    user: UserOption,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "command line",
) -> None:
    """Create a token and print it (only this once) on standard output, for scripting."""
    setup_django()
    from improvenet.accounts.models import ApiToken

    _, secret = ApiToken.issue(_user(user), name)
    typer.echo(secret)


@app.command("list")
def list_tokens(user: UserOption) -> None:
    """List an account's tokens: id, name, first characters, created, last used, status."""
    setup_django()
    from improvenet.accounts.models import ApiToken

    for token in ApiToken.objects.filter(user=_user(user)):
        status = "active" if token.is_active else f"revoked {token.revoked_at:%Y-%m-%d}"
        used = f"{token.last_used_at:%Y-%m-%d}" if token.last_used_at else "never used"
        typer.echo(f"{token.pk}\t{token.name}\t{token.shown_start}…\t{token.created_at:%Y-%m-%d}\t{used}\t{status}")


@app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="Id of the token, as `improvenet token list` shows it.")],
    user: UserOption,
) -> None:
    """Revoke a token: scripts using it can no longer sign in."""
    setup_django()
    from improvenet.accounts.models import ApiToken

    token = ApiToken.objects.filter(pk=token_id, user=_user(user)).first()
    if token is None:
        fail(f"{user} has no token with id {token_id}.")
    token.revoke()
    typer.echo(f"Revoked token {token_id} ({token.name}).")
