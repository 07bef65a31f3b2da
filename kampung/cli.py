"""Command line: `demo`, `event set …` (switches, per diem), `event copy …`, `setup`, `backup`,
`privacy purge`; `user …` is in kampung.auth.cli, `rooms assign` in kampung.rooms.cli,
`followup …` in kampung.adoption.cli."""

from __future__ import annotations

import os
import secrets
import sys
from datetime import date
from typing import TextIO

import click
from flask import Flask
from flask.cli import AppGroup

from kampung.auth.cli import user_cli
from kampung.auth.models import Role, User
from kampung.auth.service import create_user
from kampung.database import transaction
from kampung.extensions import db
from kampung.models import Trip
from kampung.rooms.cli import rooms_cli

event_cli = AppGroup("event", help="Trips.")
privacy_cli = AppGroup("privacy", help="Personal-data duties.")


@click.command("demo")
@click.option("--participants", default=20, show_default=True, type=click.IntRange(0, 67))
@click.option("--departure", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def demo(participants: int, departure) -> None:
    """Load the demo trip Studi Banding Kampung Bahagia: Jambi ke Bengkulu."""
    from kampung.demo import SLUG, create_demo_trip

    if db.session.scalar(db.select(Trip).where(Trip.slug == SLUG)):
        raise click.ClickException(f"the trip {SLUG!r} exists already")
    day: date | None = departure.date() if departure else None
    trip = create_demo_trip(participants, day)
    click.echo(f"created trip {trip.slug} with {participants} participants")


@event_cli.command("set")
@click.argument("slug")
@click.option("--registration", type=click.Choice(["open", "closed"]))
@click.option("--feedback", type=click.Choice(["open", "closed"]))
@click.option("--per-diem", "per_diem", metavar="AMOUNT", help="Daily allowance in rupiah.")
@click.option(
    "--per-diem-days", "per_diem_days", metavar="DAYS", help="Days paid (0: the calendar days)."
)
def event_set(
    slug: str,
    registration: str | None,
    feedback: str | None,
    per_diem: str | None,
    per_diem_days: str | None,
) -> None:
    """Open or close a trip's sign-up and survey, as the admin's switches do; set its per diem."""
    trip = db.session.scalar(db.select(Trip).where(Trip.slug == slug))
    if trip is None:
        raise click.ClickException(f"no trip {slug!r}")
    if per_diem is not None or per_diem_days is not None:
        _set_per_diem(trip, per_diem, per_diem_days)
    if registration:
        with transaction():
            trip.registration_open = registration == "open"
    click.echo(f"{slug}: registration {'open' if trip.registration_open else 'closed'}")
    if feedback:
        from kampung.feedback import service as surveys

        survey = surveys.survey_of(trip)
        if survey is None:
            raise click.ClickException(f"the trip {slug!r} has no survey")
        surveys.set_open(survey, feedback == "open")
        click.echo(f"{slug}: feedback {feedback}")


@event_cli.command("copy")
@click.argument("slug")
@click.argument("new_slug")
@click.option("--title", default="", help="The new trip's title (default: the title, as a copy).")
def event_copy(slug: str, new_slug: str, title: str) -> None:
    """Copy a trip for the next one: its places, buses, checkpoints, rundown, survey and rounds."""
    from kampung.trips import BadSlug, copy_trip

    trip = db.session.scalar(db.select(Trip).where(Trip.slug == slug))
    if trip is None:
        raise click.ClickException(f"no trip {slug!r}")
    try:
        copy = copy_trip(trip, new_slug, title=title)
    except BadSlug as error:
        raise click.ClickException(f"{new_slug!r}: {error.message}") from None
    click.echo(f"copied {slug} to {copy.slug} ({copy.title}): no participants, registration closed")


def _set_per_diem(trip: Trip, amount: str | None, days: str | None) -> None:
    from kampung.paperwork import service as paperwork

    current = paperwork.terms(trip)
    try:
        rate = paperwork.parse_rupiah(amount) if amount is not None else current.rate or 0
        if days is None:
            count = current.days if current.days_set else None
        else:
            count = None if days.strip() == "0" else paperwork.parse_days(days)
    except paperwork.BadAmount as bad:
        raise click.ClickException(
            f"--per-diem takes a whole rupiah amount of 0 or more, --per-diem-days a whole "
            f"number of days ({bad.reason.replace('_', ' ')})"
        ) from None
    paperwork.set_per_diem(trip, rate, count)
    now = paperwork.terms(trip)
    click.echo(
        f"{trip.slug}: per diem Rp {now.rate:,} a day for {now.days} days "
        f"({'set' if now.days_set else 'the calendar days'})".replace(",", ".")
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path: str) -> None:
    """Write a consistent copy of the SQLite database to PATH while the app runs."""
    from pathlib import Path

    from flask import current_app

    from kampung.backup import BackupNotSupported, backup_sqlite

    try:
        written = backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(path))
    except BackupNotSupported as exc:
        raise click.ClickException(
            f"backup copies SQLite databases; for {exc} use pg_dump (see the README)"
        ) from None
    click.echo(f"backup written to {written}")


def _at_a_terminal() -> bool:
    """Questions go to a person only: a script or a service manager without a terminal, which
    cannot answer, gets the reminder and no question."""
    return sys.stdin.isatty()


@privacy_cli.command("purge")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask: the SPJ archive is downloaded already.")
def privacy_purge(slug: str, yes: bool) -> None:
    """Remove the personal data of a finished trip, keeping counts and anonymous answers."""
    from kampung.i18n import WIB
    from kampung.privacy import FollowupNotOver, TripNotOver, purge_trip

    trip = db.session.scalar(db.select(Trip).where(Trip.slug == slug))
    if trip is None:
        raise click.ClickException(f"no trip {slug!r}")
    click.echo(
        f"Before the purge, download the SPJ archive (admin): /manage/{slug}/arsip.zip. "
        "After it, the names on the attendance lists and the receipt list are gone."
    )
    if not yes and _at_a_terminal():
        click.confirm("The archive is downloaded; remove the personal data now?", abort=True)
    try:
        cleared = purge_trip(trip)
    except TripNotOver:
        raise click.ClickException(
            f"{slug} has not returned yet; purge it after the trip"
        ) from None
    except FollowupNotOver as waiting:
        until = waiting.until.astimezone(WIB).strftime("%Y-%m-%d")
        raise click.ClickException(
            f"{slug}: commitments are still followed up; purge after the last round "
            f"(closed, or from {until})"
        ) from None
    click.echo(f"{slug}: personal data of {cleared} registrations removed")


@click.command("setup")
def setup() -> None:
    """Migrate; load the demo trip when there is none; make an admin when there is none."""
    from flask import current_app
    from flask_migrate import upgrade

    upgrade()
    if db.session.scalar(db.select(Trip.id).limit(1)) is None:
        from kampung.demo import create_demo_trip

        trip = create_demo_trip()
        click.echo(f"loaded the demo trip: /e/{trip.slug}")
    if db.session.scalar(db.select(User.id).where(User.role == Role.admin).limit(1)) is None:
        _first_admin()
    click.echo(_where_phones_go(current_app.config["PUBLIC_URL"]))


def _first_admin() -> None:
    """The account admin with a random password, shown on the terminal only: standard output
    may be a log file (`make run | tee`, a service manager, CI), and a password must never land
    in one. Without a terminal no account is made; the message says how to make it."""
    terminal = _controlling_terminal()
    if terminal is None:
        click.echo(
            "no admin account yet, and no terminal to show its password on: create it with "
            "`flask --app app user create admin --role admin` (it asks for the password)"
        )
        return
    with terminal:
        password = secrets.token_urlsafe(12)
        create_user("admin", Role.admin, password, "Admin")
        terminal.write(f"created the account admin with the password {password}  (shown once)\n")
    click.echo("created the account admin; its password was shown on the terminal only")


def _controlling_terminal() -> TextIO | None:
    """The terminal this command runs in, whatever its output is redirected to; None without one."""
    try:
        return open("/dev/tty", "w")
    except OSError:
        return None


def _where_phones_go(public_url: str) -> str:
    """The address phones open, as QR codes and WhatsApp messages will carry it."""
    if public_url:
        return (
            f"phones open {public_url}/ (the address in QR codes and WhatsApp messages; "
            "set PUBLIC_URL to change it)"
        )
    port = os.environ.get("PORT", "5000")
    return (
        f"open http://127.0.0.1:{port}/ on this machine; for phones on the same network run "
        "`HOST=0.0.0.0 make run`, or set PUBLIC_URL to the address they reach"
    )


def init_app(app: Flask) -> None:
    from kampung.adoption.cli import followup_cli

    app.cli.add_command(followup_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(event_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(rooms_cli)
    app.cli.add_command(backup)
    app.cli.add_command(demo)
    app.cli.add_command(setup)
