"""Staff pages: the trips, their settings, rosters, imports and exports."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block

from kampung import phones, spreadsheets
from kampung.auth.roles import admin_required, roles_required, staff_required
from kampung.database import utcnow, whole_number
from kampung.extensions import db
from kampung.links import public_url, whatsapp_url
from kampung.manage import bursts, export, importer, service
from kampung.manage.forms import BusMoveForm, ImportForm, ParticipantForm, TripForm
from kampung.models import Bus, Registration, Status, Trip
from kampung.places import KECAMATAN
from kampung.privacy import removal_due
from kampung.signup import service as signup
from kampung.trips import get_trip_or_404

bp = Blueprint("manage", __name__, url_prefix="/manage")

#: organisers tell promoted people; the chair only reads
tell_required = roles_required("organiser")


# --- Links shared in WhatsApp --------------------------------------------------------------


def personal_link(registration: Registration) -> str:
    # The personal page's path is fixed by PRODUCT.md; links to it travel in WhatsApp.
    return public_url(f"/p/{registration.access_token}")


def _message_values(registration: Registration) -> dict:
    return {
        "name": registration.full_name,
        "title": registration.trip.title,
        "link": personal_link(registration),
    }


# Participants read Indonesian, whatever language the staff page is in.
def link_message(registration: Registration) -> str:
    with force_locale("id"):
        return _(
            "Dear %(name)s, here is your personal link for %(title)s: %(link)s "
            "Keep this message: the page shows your QR code for the bus.",
            **_message_values(registration),
        )


def promoted_message(registration: Registration) -> str:
    with force_locale("id"):
        return _(
            "Dear %(name)s, good news: a seat has opened for you on %(title)s. "
            "Your personal page: %(link)s",
            **_message_values(registration),
        )


def signup_message(trip: Trip) -> str:
    with force_locale("id"):
        return _(
            "Registration for %(title)s is open. Sign up here: %(link)s",
            title=trip.title,
            link=public_url(f"/e/{trip.slug}"),
        )


@bp.app_context_processor
def _helpers():
    return {
        "phone_display": phones.display,
        "personal_link": personal_link,
        "link_message": link_message,
        "promoted_message": promoted_message,
    }


# --- Trips ---------------------------------------------------------------------------------


@bp.get("/")
@staff_required
def home():
    trips = db.session.scalars(db.select(Trip).order_by(Trip.departs_at.desc())).all()
    return render_template("manage/home.html", trips=trips, removal_due=removal_due, now=utcnow())


def _trip_form_page(form: TripForm, trip: Trip | None, status: int = 200):
    context = {"form": form, "trip": trip}
    if request.htmx and request.form.get("action", "").startswith("add_"):
        block = "buses" if request.form["action"] == "add_bus" else "checkpoints"
        return render_block("manage/trip_form.html", block, **context)
    return render_template("manage/trip_form.html", **context), status


def _added_a_row(form: TripForm) -> bool:
    """The "add a bus/checkpoint" buttons post the form back with one more empty row."""
    action = request.form.get("action")
    if action == "add_bus":
        form.add_bus()
    elif action == "add_checkpoint":
        form.add_checkpoint()
    return action in ("add_bus", "add_checkpoint")


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def trip_new():
    form = TripForm()
    if request.method == "GET":
        form.checkpoints[0].form.position.data = 1
    if request.method == "POST" and _added_a_row(form):
        return _trip_form_page(form, None)
    if form.validate_on_submit():
        try:
            trip = service.create(form.settings())
        except service.SlugTaken:
            form.slug.errors.append(_("Another trip already uses this link name."))
        else:
            flash(_("Trip saved."), "success")
            return redirect(url_for(".trip", slug=trip.slug))
    return _trip_form_page(form, None, 422 if request.method == "POST" else 200)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@admin_required
def trip_edit(slug: str):
    trip = get_trip_or_404(slug)
    form = TripForm()
    if request.method == "GET":
        form.fill_from(trip)
    if request.method == "POST" and _added_a_row(form):
        return _trip_form_page(form, trip)
    if form.validate_on_submit():
        try:
            promoted = service.update(trip, form.settings())
        except service.SlugTaken:
            form.slug.errors.append(_("Another trip already uses this link name."))
        except service.CapacityBelowRegistered as exc:
            form.capacity.errors.append(
                _(
                    "%(count)d people are registered; the capacity cannot be lower. "
                    "Cancel registrations first.",
                    count=exc.registered,
                )
            )
        else:
            flash(_("Trip saved."), "success")
            if promoted:
                flash(
                    _(
                        "%(count)d people moved from the waitlist to a seat. Tell them below.",
                        count=len(promoted),
                    ),
                    "info",
                )
            return redirect(url_for(".trip", slug=trip.slug))
    return _trip_form_page(form, trip, 422 if request.method == "POST" else 200)


@bp.get("/<slug>/")
@staff_required
def trip(slug: str):
    trip = get_trip_or_404(slug)
    counts = trip.count_by_status()
    per_bus = service.bus_counts(trip)
    return render_template(
        "manage/trip.html",
        trip=trip,
        counts=counts,
        per_bus=per_bus,
        promoted=service.promoted_not_told(trip),
        signup_link=public_url(f"/e/{trip.slug}"),
        signup_share=whatsapp_url(None, signup_message(trip)),
    )


@bp.post("/<slug>/participants/<int:registration_id>/told")
@tell_required
def told(slug: str, registration_id: int):
    trip = get_trip_or_404(slug)
    registration = _registration_or_404(trip, registration_id)
    service.mark_told(registration)
    flash(_("%(name)s is marked as told.", name=registration.full_name), "success")
    return redirect(url_for(".trip", slug=trip.slug))


# --- The roster ----------------------------------------------------------------------------


def _registration_or_404(trip: Trip, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.trip_id != trip.id:
        abort(404)
    return registration


def _filters() -> service.RosterFilter:
    page = request.args.get("page", "1")
    return service.RosterFilter(
        q=request.args.get("q", "")[:100],
        kecamatan=request.args.get("kecamatan", ""),
        status=request.args.get("status", ""),
        bus=request.args.get("bus", ""),
        page=whole_number(page) or 1,
    )


def _roster_page(trip: Trip, status: int = 200):
    wanted = _filters()
    result = service.roster(trip, wanted)
    context = {
        "trip": trip,
        "wanted": wanted,
        "result": result,
        "kecamatan_options": [(name, name) for name in KECAMATAN],
        "bus_options": [(str(bus.id), bus.name) for bus in trip.buses] + [("none", _("No bus"))],
        "statuses": [
            (Status.registered, _("Registered")),
            (Status.waitlisted, _("Waitlisted")),
            (Status.cancelled, _("Cancelled")),
        ],
        "free_seats": trip.capacity - signup.seats_taken(trip),
        "move_form": BusMoveForm(),
        "back": request.full_path.rstrip("?"),
    }
    context["move_form"].set_buses(trip)
    # htmx's own search gets the results alone; its history restore needs the whole page.
    if request.htmx and not request.htmx.history_restore_request and request.method == "GET":
        body = render_block("manage/participants.html", "results", **context)
    else:
        body = render_template("manage/participants.html", **context)
    # One URL, two bodies: caches must tell them apart.
    return body, status, {"Vary": "HX-Request"}


def _back(trip: Trip):
    """Back to the roster as it was filtered; only ever a path of this trip's roster."""
    back = request.form.get("back", "")
    roster = url_for(".participants", slug=trip.slug)
    return redirect(back if back.startswith(roster) else roster)


@bp.get("/<slug>/participants")
@staff_required
def participants(slug: str):
    return _roster_page(get_trip_or_404(slug))


@bp.route("/<slug>/participants/<int:registration_id>/edit", methods=["GET", "POST"])
@admin_required
def participant_edit(slug: str, registration_id: int):
    trip = get_trip_or_404(slug)
    registration = _registration_or_404(trip, registration_id)
    form = ParticipantForm(obj=registration if request.method == "GET" else None)
    form.set_buses(trip)
    if request.method == "GET":
        form.bus.data = str(registration.bus_id or "")
        # Phones shown the way people write them; saving normalises them again.
        form.phone.data = phones.display(registration.phone)
        form.emergency_phone.data = phones.display(registration.emergency_phone)
    if form.validate_on_submit():
        bus = db.session.get(Bus, int(form.bus.data)) if form.bus.data else None
        moving = registration.status == Status.registered and bus != registration.bus
        try:
            # A full bus is refused before anything is saved.
            if moving:
                service.ensure_room(registration, bus)
            signup.update_details(registration, form.person())
            if moving:
                service.move_to_bus(registration, bus)
        except signup.DuplicatePhone as exc:
            form.phone.errors.append(
                _(
                    "This number is already registered on this trip by %(name)s.",
                    name=exc.existing.full_name,
                )
            )
        except service.BusFull as exc:
            form.bus.errors.append(_("%(bus)s is full.", bus=exc.bus.name))
        else:
            flash(_("Details of %(name)s saved.", name=registration.full_name), "success")
            return redirect(url_for(".participants", slug=trip.slug))
    return render_template(
        "manage/participant_edit.html", trip=trip, registration=registration, form=form
    ), (422 if request.method == "POST" else 200)


@bp.route("/<slug>/participants/<int:registration_id>/cancel", methods=["GET", "POST"])
@admin_required
def participant_cancel(slug: str, registration_id: int):
    trip = get_trip_or_404(slug)
    registration = _registration_or_404(trip, registration_id)
    if request.method == "POST":
        promoted = signup.cancel(registration)
        flash(
            _("The registration of %(name)s is cancelled.", name=registration.full_name),
            "success",
        )
        if promoted:
            flash(
                _(
                    "%(name)s moved from the waitlist to the free seat. Tell them on the "
                    "trip's page.",
                    name=promoted.full_name,
                ),
                "info",
            )
        return redirect(url_for(".participants", slug=trip.slug))
    return render_template("manage/participant_cancel.html", trip=trip, registration=registration)


@bp.post("/<slug>/participants/<int:registration_id>/promote")
@admin_required
def participant_promote(slug: str, registration_id: int):
    trip = get_trip_or_404(slug)
    registration = _registration_or_404(trip, registration_id)
    try:
        service.promote(registration)
    except service.NoFreeSeat:
        flash(_("There is no free seat. Raise the capacity or cancel someone first."), "error")
        return _roster_page(trip, 409)
    except service.NotWaitlisted:
        flash(_("%(name)s is not on the waitlist.", name=registration.full_name), "error")
        return _roster_page(trip, 409)
    flash(_("%(name)s now has a seat.", name=registration.full_name), "success")
    return _back(trip)


@bp.post("/<slug>/participants/<int:registration_id>/bus")
@admin_required
def participant_bus(slug: str, registration_id: int):
    trip = get_trip_or_404(slug)
    registration = _registration_or_404(trip, registration_id)
    form = BusMoveForm()
    form.set_buses(trip)
    if not form.validate():
        flash(_("Choose one of this trip's buses."), "error")
        return _roster_page(trip, 422)
    bus = db.session.get(Bus, int(form.bus.data)) if form.bus.data else None
    try:
        service.move_to_bus(registration, bus)
    except service.BusFull as exc:
        flash(_("%(bus)s is full.", bus=exc.bus.name), "error")
        return _roster_page(trip, 409)
    except service.NotRegistered:
        flash(_("Only people with a seat can be put on a bus."), "error")
        return _roster_page(trip, 409)
    flash(
        _(
            "%(name)s is now on %(bus)s.",
            name=registration.full_name,
            bus=bus.name if bus else _("no bus"),
        ),
        "success",
    )
    return _back(trip)


# --- Export --------------------------------------------------------------------------------


@bp.get("/<slug>/participants.csv")
@staff_required
def export_csv(slug: str):
    trip = get_trip_or_404(slug)
    return _download(spreadsheets.to_csv(*export.roster_rows(trip)), trip, "csv", "text/csv")


@bp.get("/<slug>/participants.xlsx")
@staff_required
def export_xlsx(slug: str):
    trip = get_trip_or_404(slug)
    return _download(
        spreadsheets.to_xlsx(*export.roster_rows(trip), "Peserta"),
        trip,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _download(body: bytes, trip: Trip, extension: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="peserta-{trip.slug}.{extension}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Import --------------------------------------------------------------------------------


def _import_folder() -> Path:
    return Path(
        current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports"
    )


@bp.route("/<slug>/import", methods=["GET", "POST"])
@admin_required
def import_upload(slug: str):
    trip = get_trip_or_404(slug)
    form = ImportForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            error = _("Choose a file first.")
        else:
            try:
                table = importer.read_table(upload.filename, upload.read())
            except importer.ImportFileError as exc:
                error = exc.message
            else:
                job_id = importer.store_job(
                    _import_folder(), trip, current_user.id, upload.filename, table
                )
                return redirect(url_for(".import_preview", slug=trip.slug, job_id=job_id))
    return render_template(
        "manage/import.html", trip=trip, form=form, error=error, columns=importer.COLUMNS
    ), (422 if request.method == "POST" else 200)


@bp.route("/<slug>/import/<job_id>", methods=["GET", "POST"])
@admin_required
def import_preview(slug: str, job_id: str):
    trip = get_trip_or_404(slug)
    job = importer.load_job(_import_folder(), job_id, trip, current_user.id)
    if job is None:
        abort(404)
    if job.get("saved_ids") is not None:
        return _import_result(trip, job)
    status = 200
    if request.method == "POST":
        try:
            saved = importer.save_rows(trip, job["rows"])
        except importer.ImportProblems as exc:
            rows = exc.rows
            status = 409
            flash(_("Nothing was saved: the rows below have problems."), "error")
        else:
            importer.finish_job(_import_folder(), job_id, job, saved)
            flash(_("%(count)d people imported.", count=len(saved)), "success")
            return redirect(url_for(".import_preview", slug=trip.slug, job_id=job_id))
    else:
        rows = importer.check_rows(trip, job["rows"])
    return render_template(
        "manage/import_preview.html",
        trip=trip,
        job=job,
        job_id=job_id,
        # Rows with problems first: in a long file they are what the admin must find.
        rows=sorted(rows, key=lambda row: row.ok),
        problems=sum(1 for row in rows if not row.ok),
        seats=sum(1 for row in rows if row.ok and row.outcome == "seat"),
        waitlist=sum(1 for row in rows if row.ok and row.outcome == "waitlist"),
        skipped=sum(1 for row in rows if row.ok and row.outcome == "skip"),
    ), status


def _import_result(trip: Trip, job: dict):
    people = db.session.scalars(
        db.select(Registration)
        .where(Registration.id.in_(job["saved_ids"]), Registration.trip_id == trip.id)
        .order_by(Registration.id)
    ).all()
    return render_template("manage/import_result.html", trip=trip, people=people, job=job)


# --- Bursts of sign-ups from one source (kampung.manage.bursts) ------------------------------


@bp.get("/<slug>/signups")
@admin_required
def signups(slug: str):
    trip = get_trip_or_404(slug)
    return render_template(
        "manage/signups.html",
        trip=trip,
        bursts=bursts.find_bursts(trip),
        removals=bursts.removals(trip),
    )


@bp.route(
    "/<slug>/signups/<any(device, network):kind>/<int:first_id>/<int:last_id>/cancel",
    methods=["GET", "POST"],
)
@admin_required
def burst_cancel(slug: str, kind: str, first_id: int, last_id: int):
    trip = get_trip_or_404(slug)
    if request.method == "GET":
        burst = bursts.burst_of(trip, kind, first_id, last_id)
        if burst is None:
            abort(404)
        return render_template("manage/burst_cancel.html", trip=trip, burst=burst)
    try:
        removal, promoted = bursts.cancel_burst(trip, kind, first_id, last_id, current_user)
    except bursts.NothingToCancel:
        db.session.rollback()
        flash(_("These sign-ups are already cancelled."), "info")
        return redirect(url_for(".signups", slug=trip.slug), 303)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d registration cancelled.", "%(num)d registrations cancelled.", removal.cancelled
        ),
        "success",
    )
    if promoted:
        flash(
            ngettext(
                "%(num)d person moved from the waitlist to a free seat. Tell them on the "
                "trip's page.",
                "%(num)d people moved from the waitlist to the free seats. Tell them on the "
                "trip's page.",
                len(promoted),
            ),
            "info",
        )
    return redirect(url_for(".signups", slug=trip.slug), 303)
