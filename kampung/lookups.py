"""The objects a URL names, or a 404: every view loads what its path holds through these, so
that "this checkpoint belongs to this trip" is checked in one place."""

from __future__ import annotations

from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from flask import abort, make_response, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from kampung.errors import render_error
from kampung.extensions import db
from kampung.models import Trip
from kampung.signup.models import Registration
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose, StaffLink
from kampung.tokens import looks_like_token


class _OfATrip(Protocol):
    @property
    def trip_id(self) -> int: ...


Child = TypeVar("Child", bound=_OfATrip)


def trip_or_404(slug: str) -> Trip:
    return db.first_or_404(select(Trip).where(Trip.slug == slug))


def registration_by_token_or_404(token: str) -> Registration:
    """The registration a personal link opens; a malformed token is refused before any query."""
    if not looks_like_token(token):
        abort(404)
    return db.first_or_404(select(Registration).where(Registration.access_token == token))


def purpose_link_or_404(token: str, purpose: Purpose) -> StaffLink:
    """The staff-sent link a purpose token opens (the survey's /s/<token>), for that purpose
    only: an access token, or another purpose's token, opens nothing here."""
    link = staff_links.find(token, purpose)
    if link is None:
        abort(404)
    return link


#: what staff read who open a link they sent to a participant, by what the link opens
_FOR_THE_PARTICIPANT = {
    Purpose.survey: _l(
        "This link was sent to a participant, for them alone. You are logged in as "
        "staff, so the survey is not shown here."
    ),
    Purpose.followup: _l(
        "This link was sent to a participant, for them alone. You are logged in as "
        "staff, so the follow-up is not shown here."
    ),
    Purpose.schedule: _l(
        "This link was sent to a participant, for them alone. You are logged in as "
        "staff, so the schedule is not shown here."
    ),
}


def participant_link_or_refuse(token: str, purpose: Purpose) -> StaffLink:
    """A link staff sent to one participant (the survey's /s/, the follow-up's /f/, the
    rundown's /j/), opened by that participant: staff logged in on this browser, opening the
    message they sent, get a 403 that says why, and never answer or mark read in that person's
    name."""
    link = purpose_link_or_404(token, purpose)
    if current_user.is_authenticated:
        abort(make_response(render_error(403, str(_FOR_THE_PARTICIPANT[purpose]))))
    return link


def child_of_trip_or_404(model: type[Child], child_id: int, trip: Trip) -> Child:
    """A bus, checkpoint, registration, check-in ... by id, and only when it is this trip's."""
    child = db.session.get(model, child_id)
    if child is None or child.trip_id != trip.id:
        abort(404)
    return child


def back_to(prefix: str) -> str:
    """Where a form's `back` field says to return, when it is a path under `prefix` (a page of
    this site); else `prefix` itself. Never another host."""
    back = request.form.get("back", "") or request.args.get("back", "")
    if back.startswith(prefix) and not back.startswith("//"):
        return back
    return prefix


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site (for ?next= after login), else None. urlsplit
    reads it as a browser would: it drops tabs and newlines, so "/<tab>/evil.example" is
    another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
