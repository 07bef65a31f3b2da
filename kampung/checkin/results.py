"""A scan's result as the scanner shows it: colour, headline and details in the organiser's
language; the same words the scanner's script (static/js/scanner/) uses when it decides a scan
itself, offline."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kampung.checkin.service import Outcome, Result
from kampung.i18n import wib_time
from kampung.text import readable

#: the headline of each outcome; lazy, so that a scan translates only its own
TITLES = {
    Outcome.ok: _l("Checked in"),
    Outcome.already: _l("Already checked in"),
    Outcome.wrong_bus: _l("Not this bus"),
    Outcome.unknown: _l("Unknown code"),
    Outcome.other_trip: _l("Registered for another trip"),
    Outcome.cancelled: _l("Registration cancelled"),
    Outcome.waitlisted: _l("On the waitlist: no seat"),
    Outcome.invalid: _l("Not a check-in code"),
}

#: why a scan was refused as invalid, by Result.detail
INVALID_DETAILS = {
    "foreign_url": _l("This QR code belongs to another website."),
    "malformed": _l("The code is incomplete or mistyped. Scan again or type it carefully."),
    "nonce_reused": _l("Scan refused: this scan id was already used for another code."),
    "too_old": _l("Scan refused: it was made more than a week ago."),
    "checkpoint": _l("Unknown checkpoint."),
    "busy": _l("The server is busy. Please scan again."),
}


def describe(result: Result) -> dict:
    """The answer as the scanner shows it, and as /api/checkins sends it."""
    detail = ""
    if result.outcome == Outcome.already and result.first:
        detail = _(
            "Already checked in at %(time)s by %(name)s, device %(device)s",
            time=wib_time(result.first.scanned_at),
            name=result.first.organiser or "?",
            device=result.first.device or "?",
        )
    elif result.outcome == Outcome.invalid:
        detail = str(INVALID_DETAILS.get(result.detail, ""))
    elif result.outcome == Outcome.unknown:
        detail = _("This code is not on any trip's list.")
    elif result.outcome == Outcome.wrong_bus:
        detail = _("Not counted on this bus.")
    person = result.person
    return {
        "nonce": result.nonce,
        "outcome": str(result.outcome),
        "colour": result.colour,
        "title": _title(result),
        "detail": readable(detail),
        "replayed": result.replayed,
        # The scanner sets these as text: without a stored bidi override (kampung.text).
        "person": (
            {"name": readable(person.name), "rt_rw": person.rt_rw}
            | {"kelurahan": readable(person.kelurahan), "bus": readable(person.bus)}
            | {"bus_id": person.bus_id}
            if person
            else None
        ),
        # The check-in that counts (new, or the first one on amber): the result offers its undo.
        "checkin_id": result.checkin_id
        if result.outcome in (Outcome.ok, Outcome.already)
        else None,
    }


def _title(result: Result) -> str:
    """The headline; on a wrong bus it names the person's own: "Bukan bus ini: naik Bus 2"."""
    if result.outcome == Outcome.wrong_bus and result.person:
        if result.person.bus:
            return _("Not this bus: board %(bus)s", bus=readable(result.person.bus))
        return _("Not this bus: no bus yet")
    return str(TITLES[result.outcome])


def scanner_strings() -> dict[str, str]:
    """What the scanner's script says when it decides a scan itself (offline) or reports on the
    network: the page's data-strings."""
    return {str(outcome): str(title) for outcome, title in TITLES.items()} | {
        "foreign_url": str(INVALID_DETAILS["foreign_url"]),
        "malformed": str(INVALID_DETAILS["malformed"]),
        "already_local": _("Already checked in (by the list on this phone)."),
        # %(bus)s is filled in by the script (static/js/scanner/roster.js)
        "wrong_bus_title": _("Not this bus: board %(bus)s"),
        "wrong_bus_none": _("Not this bus: no bus yet"),
        "wrong_bus_detail": _("Not counted on this bus."),
        "unsent": _("%(n)s not sent yet"),
        "no_roster": _("This phone has no copy of the list yet."),
        "not_listed": _("Not on the list"),
        "not_listed_detail": _(
            "Not among the people with a seat in this phone's list. "
            "The reason is shown once the scan is sent."
        ),
        "online": _("Online: scans go straight to the server."),
        "offline": _("Offline: scans are saved on this phone and sent later."),
        "synced": _("Sent to the server"),
        "duplicate": _("duplicate"),
        "camera_on": _("Camera on: hold the QR code in the middle of the frame."),
        "camera_off": _("No camera available: type or paste the code below."),
        "session": _("Your login has expired. Please log in again."),
        "error": _("The server refused the scan."),
        # calls from the result and the missing list offline (static/js/scanner/result.js,
        # missing.js); %(name)s and %(n)s are filled in by the script
        "call": _("Call"),
        "call_person": _("Call %(name)s"),
        "call_emergency": _("Emergency: %(name)s"),
        "missing_more": _("%(n)s more: type a name to find them."),
        "missing_none": _("Everyone is here, by the list on this phone."),
    }
