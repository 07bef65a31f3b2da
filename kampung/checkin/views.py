"""Check-in pages: the scanner per checkpoint, the count and the missing, printouts, /c/<code>
and the batch API the offline scanner syncs through. The rule is `service.check_in`."""

from __future__ import annotations

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
from flask_login import current_user

from kampung.assets import static_folder
from kampung.auth.roles import roles_required
from kampung.checkin import api, offline_copy, rollcall, roster, service
from kampung.checkin.models import CheckIn
from kampung.checkin.results import describe, scanner_strings
from kampung.database import MAX_ID, utcnow, whole_number
from kampung.fragments import render_page, requested_block
from kampung.links import public_url, site_hosts
from kampung.lookups import child_of_trip_or_404, trip_or_404
from kampung.models import Bus, Checkpoint, Trip
from kampung.paperwork import papers
from kampung.qr import qr_svg
from kampung.text import clean_text
from kampung.tokens import looks_like_token

bp = Blueprint("checkin", __name__)

organiser_required = roles_required("organiser")
admin_required = roles_required("admin")


def _checkpoint_or_404(slug: str, checkpoint_id: int) -> tuple[Trip, Checkpoint]:
    trip = trip_or_404(slug)
    return trip, child_of_trip_or_404(Checkpoint, checkpoint_id, trip)


def _bus(trip: Trip, checkpoint: Checkpoint | None = None) -> Bus | None:
    """The bus the page is narrowed to: a stop's own bus, else ?bus=<id> when it is one of this
    trip's."""
    if checkpoint is not None and checkpoint.bus is not None:
        return checkpoint.bus
    wanted = request.args.get("bus", type=int)
    return next((b for b in trip.buses if b.id == wanted), None)


#: what each polled or searched block of the scanner and count pages reads; the whole page
#: reads everything
_BLOCK_NEEDS = {
    "counts": {"counts"},
    "missing": {"counts", "missing", "recent"},
    "search_results": {"search"},
}
_ALL = {"counts", "missing", "recent", "search"}


def _live_context(trip: Trip, checkpoint: Checkpoint, bus: Bus | None, template: str) -> dict:
    """The count, the missing (a page of them), the latest check-ins and the search: a few small
    queries, and only those the requested block shows (a poll of the count reads the count)."""
    bus_id = bus.id if bus else None
    needs = _BLOCK_NEEDS.get(requested_block(template) or "", _ALL)
    page = min(whole_number(request.args.get("page", "")) or 1, MAX_ID)
    query = request.args.get("q", "") if "search" in needs else ""
    results = roster.search(trip, query) if query else []
    missing = rollcall.missing(checkpoint, bus_id, page) if "missing" in needs else None
    return {
        "trip": trip,
        "checkpoint": checkpoint,
        "bus": bus,
        "counts": rollcall.counts(checkpoint, bus_id, current_user.id)
        if "counts" in needs
        else None,
        "missing": missing,
        # where each missing person was last counted: one query for the page shown
        "last_seen": roster.last_checkpoints(trip.id, [p.registration_id for p in missing.people])
        if missing
        else {},
        "recent": rollcall.recent(checkpoint, bus_id) if "recent" in needs else [],
        "query": query,
        "results": results,
        "here": rollcall.here(checkpoint, [r.id for r in results]),
        # where an undo leads back to
        "undo_back": "count" if request.endpoint == "checkin.count" else "scanner",
    }


# --- The scanner -------------------------------------------------------------------------------


@bp.route("/manage/<slug>/checkin/<int:checkpoint_id>", methods=["GET", "POST"])
@organiser_required
def scanner(slug: str, checkpoint_id: int):
    trip, checkpoint = _checkpoint_or_404(slug, checkpoint_id)
    bus = _bus(trip, checkpoint)
    result = None
    if request.method == "POST":
        # The page without JavaScript: a typed code, or a search result's check-in button.
        result = describe(
            service.check_in(
                request.form.get("code", ""),
                checkpoint.id,
                current_user,
                device=request.form.get("device", "")[:40] or _("web form"),
                bus_id=bus.id if bus else None,
                site_hosts=site_hosts(),
            )
        )
    return _scanner_page(trip, checkpoint, bus, result)


def _scanner_page(trip: Trip, checkpoint: Checkpoint, bus: Bus | None, result, status=200):
    return render_page(
        "checkin/scanner.html",
        status,
        **_live_context(trip, checkpoint, bus, "checkin/scanner.html"),
        result=result,
        code=request.form.get("code", "") if result else "",
        strings=scanner_strings(),
        hosts=site_hosts(),
        offline_until=roster.iso_utc(roster.offline_until(trip)),
        offline_files=_offline_files(trip),
    )


#: what the scanner page loads, besides its own modules (static/js/scanner/)
SCANNER_FILES = (
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "js/checkin.js",
    "js/logout.js",
    "vendor/qr-scanner/qr-scanner.min.js",
    "vendor/qr-scanner/qr-scanner-worker.min.js",
    "img/icon.svg",
)


def _offline_files(trip: Trip) -> list[str]:
    """The URLs the service worker keeps so that the scanner starts offline: its files as the
    page names them, every module of static/js/scanner/ (they import each other by name), and
    the page that stands in offline for every page it does not keep."""
    modules = sorted((static_folder(current_app) / "js" / "scanner").glob("*.js"))
    names = [*SCANNER_FILES, *(f"js/scanner/{module.name}" for module in modules)]
    return [url_for("static", filename=name) for name in names] + [
        url_for("checkin.offline", slug=trip.slug)
    ]


@bp.get("/manage/<slug>/checkin/offline")
@organiser_required
def offline(slug: str):
    """What the service worker shows offline instead of a page it does not keep."""
    return render_template("checkin/offline.html", trip=trip_or_404(slug))


@bp.get("/manage/<slug>/checkin/<int:checkpoint_id>/count")
@organiser_required
def count(slug: str, checkpoint_id: int):
    trip, checkpoint = _checkpoint_or_404(slug, checkpoint_id)
    return render_page(
        "checkin/count.html",
        **_live_context(trip, checkpoint, _bus(trip, checkpoint), "checkin/count.html"),
    )


@bp.get("/manage/<slug>/checkin/<int:checkpoint_id>/roster.json")
@organiser_required
def roster_json(slug: str, checkpoint_id: int):
    """The offline copy (offline_copy.py): seated people by a hash of their code, until the trip
    is over; `?since=<as_of>&chars=<hash_chars>`: only what changed since the copy the phone
    holds."""
    trip, checkpoint = _checkpoint_or_404(slug, checkpoint_id)
    try:
        since = api.parse_time(request.args.get("since") or None)
    except (ValueError, OverflowError):
        since = None  # a copy the phone cannot date: it gets the whole list again
    chars = request.args.get("chars", type=int)
    response = jsonify(offline_copy.offline_copy(trip, checkpoint, utcnow(), since, chars))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/manage/<slug>/checkin/sw.js")
def service_worker(slug: str):
    """The scanner's service worker, served from the scanner's folder so its scope stays there."""
    response = send_from_directory(static_folder(current_app), "js/checkin-sw.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = url_for("checkin.checkpoints", slug=slug) + "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- Undo ----------------------------------------------------------------------------------------


@bp.route("/manage/<slug>/checkin/undo/<int:checkin_id>", methods=["GET", "POST"])
@organiser_required
def undo(slug: str, checkin_id: int):
    trip = trip_or_404(slug)
    checkin = child_of_trip_or_404(CheckIn, checkin_id, trip)
    back = url_for("checkin.scanner", slug=slug, checkpoint_id=checkin.checkpoint_id)
    if (page := request.args.get("back")) in ("count", "scanner"):
        back = url_for(f"checkin.{page}", slug=slug, checkpoint_id=checkin.checkpoint_id)
    elif page == "roster":
        back = url_for("manage.participants", slug=slug)
    back_text = _("Back to the roster") if page == "roster" else _("Back to the scanner")
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
    return render_template(
        "checkin/undo.html",
        trip=trip,
        checkin=checkin,
        back=back,
        back_text=back_text,
        error=error,
    )


# --- Printables --------------------------------------------------------------------------------


@bp.get("/manage/<slug>/checkin/<int:checkpoint_id>/daftar-hadir")
@organiser_required
def daftar_hadir(slug: str, checkpoint_id: int):
    """The paper for the SPJ file (kampung.paperwork): one A4 sheet per bus."""
    trip, checkpoint = _checkpoint_or_404(slug, checkpoint_id)
    return render_template(
        "paperwork/daftar_hadir.html",
        **papers.daftar_hadir(trip, checkpoint, _bus(trip, checkpoint)),
    )


@bp.get("/manage/<slug>/qr-cards")
@organiser_required
def qr_cards(slug: str):
    trip = trip_or_404(slug)
    bus = _bus(trip)
    cards = [
        (r, bus_name, qr_svg(public_url(url_for("checkin.code", code=r.checkin_code))))
        for r, bus_name in roster.seated_with_bus(trip, bus.id if bus else None)
    ]
    return render_template("checkin/qr_cards.html", trip=trip, bus=bus, cards=cards)


# --- What the QR code holds ----------------------------------------------------------------------


@bp.route("/c/<code>", methods=["GET", "POST"])
def code(code: str):
    """An organiser sees the person and a check-in button; anyone else a page with no data.
    The phone camera's path to a check-in: read in one statement, like a scan."""
    if not (current_user.is_authenticated and current_user.has_role("organiser")):
        if request.method == "POST":
            abort(403)
        return render_template("checkin/code_public.html")
    card = roster.code_card(code) if looks_like_token(code) else None
    if card is None:
        abort(404)
    result = None
    if request.method == "POST":
        checkpoint_id = whole_number(request.form.get("checkpoint", "")) or 0
        if not card.has_checkpoint(checkpoint_id):
            abort(400)
        outcome = service.check_in(code, checkpoint_id, current_user, device=_("web form"))
        if outcome.outcome in (service.Outcome.ok, service.Outcome.already):
            card.checked_in(checkpoint_id)
        result = describe(outcome)
    return render_template("checkin/code.html", card=card, result=result)


# --- The batch API -------------------------------------------------------------------------------


@bp.post("/api/checkins")
@organiser_required
def api_checkins():
    """A batch of scans [{code, checkpoint, scanned_at, nonce, device, bus}], one answer per
    scan."""
    try:
        if request.content_length and request.content_length > api.MAX_BODY:
            raise api.too_large()
        scans = api.parse_batch(request.get_json(silent=True))
    except api.BatchError as error:
        return jsonify(error=error.message), error.status
    organiser = current_user._get_current_object()
    hosts = site_hosts()
    results = [
        describe(
            service.check_in(
                scan.code,
                scan.checkpoint_id,
                organiser,
                scan.scanned_at,
                scan.nonce,
                scan.device,
                bus_id=scan.bus_id,
                site_hosts=hosts,
            )
        )
        for scan in scans
    ]
    return jsonify(results=results)
