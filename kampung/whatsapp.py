"""Every message the app prepares for WhatsApp, and the wa.me links that carry them.

Participants read Indonesian whatever language the staff page is in, so each text is written
in Indonesian (force_locale). Links inside them are absolute (kampung.links.public_url): they
travel out of the app.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from kampung import phones
from kampung.links import public_url
from kampung.models import Trip
from kampung.signup.models import Registration
from kampung.text import readable


def whatsapp_url(phone: str | None, text: str | None = None) -> str:
    """A wa.me link to the number (E.164) carrying a ready message; with no number, WhatsApp
    asks whom to send it to (for sharing a sign-up link in a group). The message carries
    stored names: without a bidi override that would turn it around in the chat."""
    link = f"https://wa.me/{phones.wa_number(phone)}"
    return f"{link}?text={quote(readable(text), safe='')}" if text else link


def personal_link(registration: Registration) -> str:
    # The personal page's path is fixed by PRODUCT.md; links to it travel in WhatsApp.
    return public_url(f"/p/{registration.access_token}")


def signup_link(trip: Trip) -> str:
    return public_url(f"/e/{trip.slug}")


def _values(registration: Registration) -> dict:
    return {
        "name": registration.full_name,
        "title": registration.trip.title,
        "link": personal_link(registration),
    }


def link_message(registration: Registration) -> str:
    """The admin sends an imported RT head their personal link."""
    with force_locale("id"):
        return _(
            "Dear %(name)s, here is your personal link for %(title)s: %(link)s "
            "Keep this message: the page shows your QR code for the bus.",
            **_values(registration),
        )


def promoted_message(registration: Registration) -> str:
    """A seat opened for someone on the waitlist."""
    with force_locale("id"):
        return _(
            "Dear %(name)s, good news: a seat has opened for you on %(title)s. "
            "Your personal page: %(link)s",
            **_values(registration),
        )


def signup_message(trip: Trip) -> str:
    """The sign-up link, to share in the RT heads' WhatsApp group."""
    with force_locale("id"):
        return _(
            "Registration for %(title)s is open. Sign up here: %(link)s",
            title=trip.title,
            link=signup_link(trip),
        )


def own_page_message(registration: Registration) -> str:
    """What a participant sends to their own number, so that the page is found again."""
    return _(
        "My registration for %(trip)s. My personal page and QR code for the bus: %(url)s",
        trip=registration.trip.title,
        url=personal_link(registration),
    )


def survey_reminder(registration: Registration) -> str:
    """The chair reminds someone who has not answered the survey yet."""
    link = public_url(url_for("feedback.answer", token=registration.access_token))
    with force_locale("id"):
        return _(
            "Hello %(name)s, thank you for joining %(trip)s. Please take three minutes to fill "
            "in the survey through your personal link: %(link)s. Your answers help the forum "
            "choose the practices to adopt in our RTs. Thank you!",
            name=registration.full_name,
            trip=registration.trip.title,
            link=link,
        )
