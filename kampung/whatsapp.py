"""Every message the app prepares for WhatsApp, and the wa.me links that carry them.

Participants read Indonesian whatever language the staff page is in, so each text is written
in Indonesian (force_locale); the committee reads Indonesian too, so a participant's message to
them is as well. Links inside them are absolute (kampung.links.public_url): they travel out of
the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from kampung import phones
from kampung.links import public_url
from kampung.models import Trip
from kampung.schedule.models import Notice, NoticeKind
from kampung.schedule.service import day_moved, when_text
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
    """A seat opened for someone on the waitlist: the admin's message, with the personal link."""
    with force_locale("id"):
        return _(
            "Dear %(name)s, good news: a seat has opened for you on %(title)s. "
            "Your personal page: %(link)s",
            **_values(registration),
        )


def seat_opened_message(registration: Registration) -> str:
    """A seat opened: the message of staff who may not hold the personal link (organisers).
    It sends the person back to the link they already have, and says whom to ask for it."""
    trip = registration.trip
    with force_locale("id"):
        text = _(
            "Dear %(name)s, good news: a seat has opened for you on %(title)s. "
            "Open your personal page again from the link you received when you signed up: "
            "your QR code for the bus is there now.",
            name=registration.full_name,
            title=trip.title,
        )
        if trip.contact_phone:
            more = _(
                "Cannot find the link? Contact %(contact)s on WhatsApp %(phone)s.",
                contact=trip.contact_name,
                phone=phones.display(trip.contact_phone),
            )
        else:
            more = _("Cannot find the link? Reply to this message.")
    return f"{text} {more}"


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


def survey_link(token: str) -> str:
    """A survey-only link (kampung.staff_links): it opens the survey and nothing else."""
    return public_url(url_for("feedback.answer_by_link", link_token=token))


def survey_reminder(registration: Registration, token: str) -> str:
    """The chair reminds someone who has not answered the survey yet, with a survey-only link:
    the chair never holds the key to the person's registration."""
    with force_locale("id"):
        return _(
            "Hello %(name)s, thank you for joining %(trip)s. Please take three minutes to fill "
            "in the survey through this link: %(link)s. Your answers help the forum choose the "
            "practices to adopt in our RTs. Thank you!",
            name=registration.full_name,
            trip=registration.trip.title,
            link=survey_link(token),
        )


def followup_link(token: str) -> str:
    """A follow-up-only link (kampung.staff_links): it opens the follow-up round and nothing
    else."""
    return public_url(url_for("adoption.followup_by_link", followup_token=token))


def followup_reminder(registration: Registration, token: str) -> str:
    """The chair asks someone who has not answered the follow-up round yet, with a
    follow-up-only link."""
    with force_locale("id"):
        return _(
            "Hello %(name)s, after %(trip)s you planned to adopt some practices in your RT. "
            "How far have they come? Please answer in two minutes through this link: %(link)s. "
            "Thank you!",
            name=registration.full_name,
            trip=registration.trip.title,
            link=followup_link(token),
        )


# --- The committee's contact person ----------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """The trip's contact person as participants' pages show them."""

    name: str
    #: the number the way people write it, 0812-…
    phone: str
    #: wa.me to that number with a ready message
    whatsapp: str


def contact(trip: Trip, text: str) -> Contact | None:
    """The trip's contact person with a message ready for them; None when none is set."""
    if not trip.contact_phone:
        return None
    return Contact(
        trip.contact_name,
        phones.display(trip.contact_phone),
        whatsapp_url(trip.contact_phone, text),
    )


def question_message(trip: Trip, name: str = "") -> str:
    """What a participant (or a visitor of the trip page) sends the contact person."""
    with force_locale("id"):
        if name:
            return _(
                "Hello %(contact)s, I am %(name)s, a participant of %(trip)s.",
                contact=trip.contact_name,
                name=name,
                trip=trip.title,
            )
        return _(
            "Hello %(contact)s, I have a question about %(trip)s.",
            contact=trip.contact_name,
            trip=trip.title,
        )


def lost_link_message(trip: Trip, name: str, phone: str) -> str:
    """Someone already signed up has lost their personal link and asks for it again."""
    with force_locale("id"):
        return _(
            "Hello %(contact)s, I have lost the link of my registration for %(trip)s. "
            "My name is %(name)s, my WhatsApp number %(phone)s. Could you send it to me again?",
            contact=trip.contact_name,
            trip=trip.title,
            name=name or "…",
            phone=phones.display(phone) or "…",
        )


# --- The rundown and announcements (kampung.schedule) -----------------------------------------


def schedule_link(token: str) -> str:
    """A schedule-only link (kampung.staff_links): the rundown and the announcements, nothing
    else of the registration."""
    return public_url(url_for("schedule.by_link", schedule_token=token))


def notice_text(notice: Notice) -> str:
    """A notice in one line of plain text: "Jadwal berubah: Presentasi …, 14.00 → 15.30"."""
    with force_locale("id"):
        if notice.kind == NoticeKind.announcement:
            return notice.text
        old = when_text(notice.old_starts_at, notice.old_ends_at, day=True)
        new = when_text(notice.new_starts_at, notice.new_ends_at, day=True)
        if notice.kind == NoticeKind.added:
            where = f" ({notice.new_place})" if notice.new_place else ""
            return _("New in the schedule: %(what)s, %(when)s", what=notice.text, when=new) + where
        if notice.kind == NoticeKind.cancelled:
            return _("Cancelled: %(what)s, %(when)s", what=notice.text, when=old)
        parts = []
        if notice.time_changed:
            moved = day_moved(notice)
            parts.append(
                _(
                    "Schedule changed: %(what)s, %(old)s → %(new)s",
                    what=notice.text,
                    old=old,
                    new=when_text(notice.new_starts_at, notice.new_ends_at, day=moved),
                )
            )
        if notice.place_changed:
            parts.append(
                _(
                    "Place changed: %(what)s, %(old)s → %(new)s",
                    what=notice.text,
                    old=notice.old_place or "–",
                    new=notice.new_place or "–",
                )
            )
        return ". ".join(parts)


def group_message(trip: Trip, notice: Notice) -> str:
    """What an organiser pastes into the trip's WhatsApp group."""
    with force_locale("id"):
        return _(
            "Notice from the committee of %(trip)s:\n%(text)s\n\n"
            "The full schedule is on your personal page (the link you received when you "
            'signed up). Please tap "I have read this" there.',
            trip=trip.title,
            text=notice_text(notice),
        )


def schedule_message(registration: Registration, notice: Notice, token: str) -> str:
    """An organiser tells one participant who has not read a notice, with a schedule-only link:
    it opens the rundown and the announcements, never the registration."""
    with force_locale("id"):
        return _(
            "Hello %(name)s, a notice from the committee of %(trip)s:\n%(text)s\n\n"
            "The latest schedule, where you can mark this as read: %(link)s",
            name=registration.full_name,
            trip=registration.trip.title,
            text=notice_text(notice),
            link=schedule_link(token),
        )
