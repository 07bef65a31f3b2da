"""`flask --app app user …`: staff accounts from the shell, for the first admin and for when no
admin can log in."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from kampung.auth import service
from kampung.auth.models import Role, User

user_cli = AppGroup("user", help="Staff accounts.")


def _user(username: str) -> User:
    user = service.by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


def _short(password: str) -> None:
    if len(password) < service.MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {service.MIN_PASSWORD} characters")


@user_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", default="", help="Name shown to colleagues.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_create(username: str, role: str, display_name: str, password: str) -> None:
    """Create a staff account (the password is asked when not given)."""
    _short(password)
    try:
        service.create_user(username, role, password, display_name)
    except service.UsernameTaken:
        raise click.ClickException(f"user {username!r} exists already") from None
    click.echo(f"created {role} {username}")


@user_cli.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_password(username: str, password: str) -> None:
    """Change a password (asked when not given); every session of the account ends."""
    user = _user(username)
    _short(password)
    ended = service.set_password(user, password)
    click.echo(f"password of {user.username} changed; {ended} session(s) ended")


@user_cli.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable an account: it cannot log in, and every session of it ends."""
    user = _user(username)
    try:
        ended = service.disable(user)
    except service.LastAdmin:
        raise click.ClickException(
            f"{user.username} is the last active admin; create another admin first"
        ) from None
    click.echo(f"disabled {user.username}; {ended} session(s) ended")


@user_cli.command("enable")
@click.argument("username")
def user_enable(username: str) -> None:
    """Let a disabled account log in again."""
    user = _user(username)
    service.enable(user)
    click.echo(f"enabled {user.username}")
