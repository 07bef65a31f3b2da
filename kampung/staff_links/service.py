"""The rules of staff-sent links: make a purpose link, record an access link sent again, find a
purpose link by its token, record its uses, and say per person what was sent and opened.

Plain functions that know nothing of the request."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select

from kampung.auth.models import StaffMember, User
from kampung.database import transaction, utcnow
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Trip
from kampung.signup.models import Registration
from kampung.staff_links.models import Purpose, StaffLink, StaffLinkUse
from kampung.tokens import looks_like_token, new_secret


def token_hash(token: str) -> str:
    """What is stored of a purpose link's token. A plain SHA-256 is enough: the token holds 192
    random bits, so there is nothing to guess from the hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(registration: Registration, purpose: Purpose, by: StaffMember) -> str:
    """A new purpose link for this person, recorded as sent by `by`; returns its token, which
    exists only in the message being sent (the database keeps its hash)."""
    if purpose == Purpose.access:
        raise ValueError("the access link is the registration's own: use record_access_sent")
    token = new_secret()
    with transaction():
        db.session.add(
            StaffLink(
                registration_id=registration.id,
                purpose=purpose,
                token_hash=token_hash(token),
                sent_by_id=by.id,
            )
        )
    return token


def record_access_sent(registration: Registration, by: StaffMember) -> None:
    """The admin sends a person their access link again: who, when, to whom."""
    with transaction():
        db.session.add(
            StaffLink(registration_id=registration.id, purpose=Purpose.access, sent_by_id=by.id)
        )


def find(token: str, purpose: Purpose) -> StaffLink | None:
    """The purpose link this token opens, for this purpose only; a malformed token asks
    nothing of the database."""
    if purpose == Purpose.access or not looks_like_token(token):
        return None
    return db.session.scalar(
        select(StaffLink).where(
            StaffLink.token_hash == token_hash(token), StaffLink.purpose == purpose
        )
    )


def record_use(link: StaffLink, *, exact: bool, now: datetime | None = None) -> None:
    """The link was opened. Only the day is kept unless `exact`: in an anonymous survey a time
    could be set beside the moment an answer appeared in the results."""
    now = now or utcnow()
    with transaction():
        db.session.add(
            StaffLinkUse(
                link_id=link.id,
                used_on=now.astimezone(WIB).date(),
                used_at=now if exact else None,
            )
        )


@dataclass(frozen=True)
class Sent:
    """What staff sent one person for one purpose, for the staff pages."""

    #: how many links were sent
    count: int
    last_sent_at: datetime
    #: the name of who sent the last one ("" when that account is gone)
    last_sent_by: str
    #: the last day any of them was opened; None when never (or for access links, not known)
    last_used_on: date | None


def sent_to(trip: Trip, purpose: Purpose, only: Iterable[int] | None = None) -> dict[int, Sent]:
    """Per registration id of the trip (or of `only`, e.g. one page of the roster), what was
    sent for `purpose`: one statement, whatever the number of people."""
    scope = [StaffLink.purpose == purpose, Registration.trip_id == trip.id]
    if only is not None:
        scope.append(StaffLink.registration_id.in_(list(only)))
    ranked = (
        select(
            StaffLink.registration_id,
            StaffLink.sent_at,
            func.coalesce(func.nullif(User.display_name, ""), User.username, "").label("by"),
            func.row_number()
            .over(
                partition_by=StaffLink.registration_id,
                order_by=(StaffLink.sent_at.desc(), StaffLink.id.desc()),
            )
            .label("n"),
        )
        .join(Registration, Registration.id == StaffLink.registration_id)
        .outerjoin(User, User.id == StaffLink.sent_by_id)
        .where(*scope)
        .subquery()
    )
    totals = (
        select(
            StaffLink.registration_id,
            func.count(func.distinct(StaffLink.id)).label("count"),
            func.max(StaffLinkUse.used_on).label("used_on"),
        )
        .join(Registration, Registration.id == StaffLink.registration_id)
        .outerjoin(StaffLinkUse, StaffLinkUse.link_id == StaffLink.id)
        .where(*scope)
        .group_by(StaffLink.registration_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            totals.c.registration_id,
            totals.c.count,
            ranked.c.sent_at,
            ranked.c.by,
            totals.c.used_on,
        ).join(
            ranked,
            (ranked.c.registration_id == totals.c.registration_id) & (ranked.c.n == 1),
        )
    )
    return {
        registration_id: Sent(count, sent_at, by or "", used_on)
        for registration_id, count, sent_at, by, used_on in rows
    }


def forget_trip(trip_id: int) -> None:
    """Delete every link staff sent to this trip's people (the purge: old links open nothing).
    Runs inside the caller's transaction."""
    people = select(Registration.id).where(Registration.trip_id == trip_id)
    db.session.execute(delete(StaffLink).where(StaffLink.registration_id.in_(people)))
