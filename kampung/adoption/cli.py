"""`flask followup open SLUG [--round N]` and `flask followup close SLUG`: the admin's switch."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from kampung.adoption import service
from kampung.extensions import db
from kampung.models import Trip

followup_cli = AppGroup("followup", help="Follow-up rounds on the participants' commitments.")


def _trip(slug: str) -> Trip:
    trip = db.session.scalar(db.select(Trip).where(Trip.slug == slug))
    if trip is None:
        raise click.ClickException(f"no trip {slug!r}")
    return trip


@followup_cli.command("open")
@click.argument("slug")
@click.option(
    "--round",
    "number",
    type=click.IntRange(1, 1000),
    default=None,
    help="the round's number (default: the first not opened yet)",
)
def followup_open(slug: str, number: int | None) -> None:
    """Open a follow-up round (closing any other open one)."""
    try:
        chosen = service.open_followup(_trip(slug), number)
    except service.AdoptionError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{slug}: follow-up round {chosen.number} open")


@followup_cli.command("close")
@click.argument("slug")
def followup_close(slug: str) -> None:
    """Close the open follow-up round: later answers are refused."""
    closed = service.close_followup(_trip(slug))
    if closed is None:
        click.echo(f"{slug}: no follow-up round was open")
    else:
        click.echo(f"{slug}: follow-up round {closed.number} closed")
