"""Check-in pages: the scanner per checkpoint, the count and the missing, printouts, /c/<code>
and the batch API the offline scanner syncs through."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2_fragments.flask import render_block

from kampung.auth.roles import roles_required
from kampung.checkin import service
from kampung.checkin.models import CheckIn
from kampung.checkin.service import Outcome, Result
from kampung.database import MAX_ID, whole_number
from kampung.extensions import db
from kampung.i18n import wib_time
from kampung.links import public_url
from kampung.models import Bus, Checkpoint, Registration, Trip
from kampung.qr import qr_svg
from kampung.text import clean_text, readable
from kampung.tokens import looks_like_token
from kampung.trips import get_trip_or_404

bp = Blueprint("checkin", __name__)

organiser_required = roles_required("organiser")

#: the most scans one sync may carry; a phone offline for a whole departure holds about 70
MAX_BATCH = 500


# --- Helpers -----------------------------------------------------------------------------------


def _checkpoint_or_404(slug: str, checkpoint_id: int) -> tuple[Trip, Checkpoint]:
    trip = get_trip_or_404(slug)
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.trip_id != trip.id:
        abort(404)
    return trip, checkpoint


def _bus(trip: Trip) -> Bus | None:
    """The bus the page is narrowed to (?bus=<id>), when it is one of this trip's."""
    wanted = request.args.get("bus", type=int)
    return next((b for b in trip.buses if b.id == wanted), None)


def _site_hosts() -> list[str]:
    return [request.host]


#: the headline of each outcome; lazy, so that a scan translates only its own
TITLES = {
    Outcome.ok: _l("Checked in"),
    Outcome.already: _l("Already checked in"),
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
    """The answer as the scanner shows it: colour, headline and details, in the user's language."""
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
    person = result.person
    return {
        "nonce": result.nonce,
        "outcome": str(result.outcome),
        "colour": result.colour,
        "title": str(TITLES[result.outcome]),
        "detail": readable(detail),
        "replayed": result.replayed,
        # The scanner sets these as text: without a stored bidi override (kampung.text).
        "person": (
            {"name": readable(person.name), "rt_rw": person.rt_rw}
            | {"kelurahan": readable(person.kelurahan), "bus": readable(person.bus)}
            if person
            else None
        ),
        "checkin_id": result.checkin_id if result.outcome == Outcome.ok else None,
    }


def scanner_strings() -> dict[str, str]:
    """What scanner.js says when it decides a scan itself (offline) or reports on the network."""
    return {str(outcome): str(title) for outcome, title in TITLES.items()} | {
        "foreign_url": str(INVALID_DETAILS["foreign_url"]),
        "malformed": str(INVALID_DETAILS["malformed"]),
        "already_local": _("Already checked in (by the list on this phone)."),
        "no_roster": _("This phone has no copy of the list yet."),
        "online": _("Online: scans go straight to the server."),
        "offline": _("Offline: scans are saved on this phone and sent later."),
        "synced": _("Sent to the server"),
        "duplicate": _("duplicate"),
        "camera_on": _("Camera on: hold the QR code in the middle of the frame."),
        "camera_off": _("No camera available: type or paste the code below."),
        "session": _("Your login has expired. Please log in again."),
        "error": _("The server refused the scan."),
    }


def _parse_time(value) -> datetime | None:
    """An ISO 8601 time with its zone, or milliseconds since the epoch; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC)
    if isinstance(value, str) and len(value) <= 40:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise ValueError
        return parsed
    raise ValueError


# --- The scanner -------------------------------------------------------------------------------


@bp.get("/manage/<slug>/checkin")
@organiser_required
def checkpoints(slug: str):
    trip = get_trip_or_404(slug)
    return render_template("checkin/checkpoints.html", trip=trip)


def _live_context(trip: Trip, checkpoint: Checkpoint, bus: Bus | None) -> dict:
    rows = service.roster(checkpoint, bus.id if bus else None)
    return {
        "trip": trip,
        "checkpoint": checkpoint,
        "bus": bus,
        "count": service.count(rows),
        "missing": [row for row in rows if row.checkin is None],
    }


@bp.route("/manage/<slug>/checkin/<int:checkpoint_id>", methods=["GET", "POST"])
@organiser_required
def scanner(slug: str, checkpoint_id: int):
    trip, checkpoint = _checkpoint_or_404(slug, checkpoint_id)
    bus = _bus(trip)
    result = None
    if request.method == "POST":
        # The page without JavaScript: a typed code, or a search result's check-in button.
        outcome = service.check_in(
            request.form.get("code", ""),
            checkpoint.id,
            current_user,
            device=request.form.get("device", "")[:40] or _("web form"),
            site_hosts=_site_hosts(),
        )
        result = describe(outcome)
    query = request.args.get("q", "")
    results = service.search(trip, query) if query else []
    context = _live_context(trip, checkpoint, bus) | {
        "result": result,
        "query": query,
        "results": results,
        "strings": scanner_strings(),
    }
    if request.htmx and request.args.get("part") == "search":
        return render_block("checkin/scanner.html", "search_results", **context)
    return render_template("checkin/scanner.html", **context)


@bp.get("/manage/<slug>/checkin/<int:checkpoint_id>/count")
@organiser_required
def count(slug: str, checkpoint_id: int):
    trip, checkpoint = _checkpoint_or_404(slug, checkpoint_id)
    context = _live_context(trip, checkpoint, _bus(trip))
    if request.htmx:
        return render_block("checkin/count.html", "live", **context)
    return render_template("checkin/count.html", **context)


@bp.get("/manage/<slug>/checkin/<int:checkpoint_id>/roster.json")
@organiser_required
def roster_json(slug: str, checkpoint_id: int):
    """The offline copy: a hash of each code (never the code), what the result shows, and state."""
    trip, checkpoint = _checkpoint_or_404(slug, checkpoint_id)
    rows = db.session.execute(
        db.select(Registration, Bus.name, CheckIn.id)
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .outerjoin(
            CheckIn,
            (CheckIn.registration_id == Registration.id)
            & (CheckIn.checkpoint_id == checkpoint.id)
            & CheckIn.undone_at.is_(None),
        )
        .where(Registration.trip_id == trip.id)
    )
    entries = [
        {
            "h": hashlib.sha256(r.checkin_code.encode()).hexdigest(),
            "n": readable(r.full_name),
            "r": r.rt_rw,
            "k": readable(r.kelurahan),
            "b": readable(bus or ""),
            "s": r.status,
            "c": checkin_id is not None,
        }
        for r, bus, checkin_id in rows
    ]
    response = jsonify(checkpoint=checkpoint.id, entries=entries)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/manage/<slug>/checkin/sw.js")
def service_worker(slug: str):
    """The scanner's service worker, served from the scanner's folder so its scope stays there."""
    response = send_from_directory(current_app.static_folder, "js/checkin-sw.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = url_for("checkin.checkpoints", slug=slug) + "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- Undo ----------------------------------------------------------------------------------------


@bp.route("/manage/<slug>/checkin/undo/<int:checkin_id>", methods=["GET", "POST"])
@organiser_required
def undo(slug: str, checkin_id: int):
    trip = get_trip_or_404(slug)
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None or checkin.registration.trip_id != trip.id:
        abort(404)
    back = url_for("checkin.scanner", slug=slug, checkpoint_id=checkin.checkpoint_id)
    error = None
    if request.method == "POST":
        reason = clean_text(request.form.get("reason", ""))
        if not reason:
            error = _("Please give a reason.")
        else:
            if service.undo(checkin, current_user, reason):
                flash(_("Check-in undone."), "success")
            else:
                flash(_("This check-in was already undone."), "warning")
            return redirect(back)
    return render_template("checkin/undo.html", trip=trip, checkin=checkin, back=back, error=error)


# --- Printables --------------------------------------------------------------------------------


@bp.get("/manage/<slug>/checkin/<int:checkpoint_id>/daftar-hadir")
@organiser_required
def daftar_hadir(slug: str, checkpoint_id: int):
    trip, checkpoint = _checkpoint_or_404(slug, checkpoint_id)
    bus = _bus(trip)
    rows = service.roster(checkpoint, bus.id if bus else None)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.bus or _("No bus"), []).append(row)
    return render_template(
        "checkin/daftar_hadir.html", trip=trip, checkpoint=checkpoint, bus=bus, groups=groups
    )


@bp.get("/manage/<slug>/qr-cards")
@organiser_required
def qr_cards(slug: str):
    trip = get_trip_or_404(slug)
    bus = _bus(trip)
    query = (
        db.select(Registration, Bus.name)
        .outerjoin(Bus, Bus.id == Registration.bus_id)
        .where(Registration.trip_id == trip.id, Registration.status == "registered")
        .order_by(Bus.position, Registration.full_name)
    )
    if bus:
        query = query.where(Registration.bus_id == bus.id)
    cards = [
        (r, bus_name, qr_svg(public_url(url_for("checkin.code", code=r.checkin_code))))
        for r, bus_name in db.session.execute(query)
    ]
    return render_template("checkin/qr_cards.html", trip=trip, bus=bus, cards=cards)


# --- What the QR code holds ----------------------------------------------------------------------


@bp.route("/c/<code>", methods=["GET", "POST"])
def code(code: str):
    """An organiser sees the person and a check-in button; anyone else a page with no data."""
    if not (current_user.is_authenticated and current_user.has_role("organiser")):
        if request.method == "POST":
            abort(403)
        return render_template("checkin/code_public.html")
    if not looks_like_token(code):
        abort(404)
    registration = db.first_or_404(db.select(Registration).where(Registration.checkin_code == code))
    trip = registration.trip
    result = None
    if request.method == "POST":
        checkpoint_id = whole_number(request.form.get("checkpoint", ""))
        checkpoint = db.session.get(Checkpoint, checkpoint_id or 0)
        if checkpoint is None or checkpoint.trip_id != trip.id:
            abort(400)
        result = describe(service.check_in(code, checkpoint.id, current_user, device=_("web form")))
    open_at = service.open_checkpoint(trip, registration)
    return render_template(
        "checkin/code.html",
        registration=registration,
        trip=trip,
        checkpoint=open_at,
        result=result,
    )


# --- The batch API -------------------------------------------------------------------------------


def _api_error(status: int, message: str):
    return jsonify(error=message), status


@bp.post("/api/checkins")
@organiser_required
def api_checkins():
    """A batch of scans [{code, checkpoint, scanned_at, nonce, device}], one answer per scan."""
    if request.content_length and request.content_length > MAX_BATCH * 600:
        return _api_error(413, _("Too many scans at once: send at most %(n)d.", n=MAX_BATCH))
    payload = request.get_json(silent=True)
    if isinstance(payload, dict):
        payload = payload.get("scans")
    if not isinstance(payload, list) or not payload:
        return _api_error(400, _("Expected a JSON list of scans."))
    if len(payload) > MAX_BATCH:
        return _api_error(413, _("Too many scans at once: send at most %(n)d.", n=MAX_BATCH))
    scans = []
    for i, item in enumerate(payload):
        try:
            if not isinstance(item, dict):
                raise ValueError
            code, nonce, device = item.get("code"), item.get("nonce"), item.get("device", "")
            checkpoint_id = item.get("checkpoint")
            if not isinstance(code, str) or not isinstance(device, str):
                raise ValueError
            if not isinstance(nonce, str) or not 8 <= len(nonce) <= service.NONCE_LENGTH:
                raise ValueError
            if not isinstance(checkpoint_id, int) or isinstance(checkpoint_id, bool):
                raise ValueError
            if not 0 < checkpoint_id <= MAX_ID:
                raise ValueError
            scans.append((code, checkpoint_id, _parse_time(item.get("scanned_at")), nonce, device))
        except (ValueError, TypeError, OverflowError):
            return _api_error(
                400,
                _(
                    "Scan %(n)d is malformed: it needs code, checkpoint (a number), nonce "
                    "(8 to 64 characters), device and scanned_at (ISO 8601 with a zone).",
                    n=i + 1,
                ),
            )
    organiser = current_user._get_current_object()
    hosts = _site_hosts()
    results = [
        describe(
            service.check_in(
                code, checkpoint_id, organiser, scanned_at, nonce, device, site_hosts=hosts
            )
        )
        for code, checkpoint_id, scanned_at, nonce, device in scans
    ]
    return jsonify(results=results)
