"""The pages of links staff send: the answer to a staff member's "send by WhatsApp" (the
message ready to open, as the block htmx swaps into the list, or as a page of its own without
JavaScript), and where a participant's page reached by such a link stands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, make_response
from flask.wrappers import Response
from flask_login import current_user
from htmx_flask import request

from kampung.fragments import render_page
from kampung.models import Trip
from kampung.signup.models import Registration
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose
from kampung.staff_links.service import Sent
from kampung.whatsapp import whatsapp_url


@dataclass(frozen=True)
class Place:
    """Where a page a participant reaches two ways stands (the survey, the follow-up): its own
    address, and the personal page to go back to; none when it was opened by a link staff sent
    for that page alone, which opens nothing else."""

    here: str
    personal_page: str | None


def ready(
    trip: Trip,
    person: Registration,
    *,
    whatsapp: str,
    link: str,
    kind: str,
    sent: Sent | None,
    back: str,
) -> Response:
    """The wa.me link carrying the message (and, to copy, the link in it), and the record."""
    return render_page(
        "manage/send_link.html",
        block="send_link" if request.htmx else None,
        trip=trip,
        person=person,
        whatsapp=whatsapp,
        link=link,
        kind=kind,
        sent=sent,
        back=back,
    )


def reminder(
    trip: Trip,
    person: Registration,
    purpose: Purpose,
    *,
    message: Callable[[str], str],
    link: Callable[[str], str],
    back: str,
) -> Response:
    """A reminder ready to send: a new link for this purpose alone (never the person's access
    link), recorded as sent by the staff member, in a WhatsApp message; `message` and `link`
    make the text and the address from the new token."""
    token = staff_links.issue(person, purpose, current_user)
    return ready(
        trip,
        person,
        whatsapp=whatsapp_url(person.phone, message(token)),
        link=link(token),
        kind="reminder",
        sent=staff_links.sent_to(trip, purpose, [person.id]).get(person.id),
        back=back,
    )


def refused(trip: Trip, person: Registration, problem: str, back: str) -> Response:
    """Nothing was sent: the list the button was on is out of date. htmx does not swap a 4xx,
    so it reloads the list, which shows the message; without JavaScript a page says it."""
    if request.htmx:
        flash(problem, "error")
        response = make_response("", 409)
        response.headers["HX-Refresh"] = "true"
        return response
    return render_page(
        "manage/send_link.html",
        409,
        trip=trip,
        person=person,
        whatsapp=None,
        problem=problem,
        sent=None,
        back=back,
        action="",
    )
