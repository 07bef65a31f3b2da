"""`flask rooms assign SLUG [--size N]`: the automatic assignment from the shell."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from kampung.extensions import db
from kampung.models import Trip
from kampung.rooms.service import MAX_CAPACITY, assign_rooms

rooms_cli = AppGroup("rooms", help="Hotel rooms.")


@rooms_cli.command("assign")
@click.argument("slug")
@click.option("--size", default=2, show_default=True, type=click.IntRange(1, MAX_CAPACITY))
def assign(slug: str, size: int) -> None:
    """Rooms of SIZE beds, genders apart, for everyone seated who has no room; nobody moved."""
    trip = db.session.scalar(db.select(Trip).where(Trip.slug == slug))
    if trip is None:
        raise click.ClickException(f"no trip {slug!r}")
    done = assign_rooms(trip, size)
    for room in done.rooms_made:
        click.echo(f"made {room.name} ({room.capacity} beds, {room.gender})")
    for person, room in done.placed:
        click.echo(f"{person.full_name} ({person.gender}) -> {room.name}")
    for person in done.without_gender:
        click.echo(f"no room for {person.full_name}: gender unknown, place by hand")
    click.echo(
        f"{slug}: {len(done.placed)} placed, {len(done.rooms_made)} rooms made, "
        f"{done.requests_honoured} requests to share kept, "
        f"{len(done.without_gender)} without a gender left out"
    )
