"""Staff pages of a trip: the list of trips, a trip's page and its settings. The roster and the
import are in `roster_views` and `import_views`, on the same blueprint."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kampung import phones
from kampung.auth.roles import admin_required, roles_required, staff_required
from kampung.database import utcnow
from kampung.extensions import db
from kampung.fragments import render_page
from kampung.lookups import child_of_trip_or_404, trip_or_404
from kampung.manage import service
from kampung.manage.forms import CopyTripForm, TripForm
from kampung.models import Trip
from kampung.privacy import removal_due
from kampung.signup.models import Registration
from kampung.trips import BadSlug, copy_title, copy_trip, suggested_slug
from kampung.whatsapp import seat_opened_message, signup_link, signup_message, whatsapp_url

bp = Blueprint("manage", __name__)

#: organisers tell promoted people; the chair only reads
tell_required = roles_required("organiser")


@bp.app_context_processor
def _helpers():
    return {
        "phone_display": phones.display,
        # No helper here builds an access link: only the admin's recorded sends do (send_link).
        "seat_opened_message": seat_opened_message,
    }


@bp.get("/manage/")
@staff_required
def home():
    trips = db.session.scalars(db.select(Trip).order_by(Trip.departs_at.desc())).all()
    return render_template("manage/home.html", trips=trips, removal_due=removal_due, now=utcnow())


def _trip_form_page(form: TripForm, trip: Trip | None):
    status = 422 if request.method == "POST" and form.errors else 200
    return render_page("manage/trip_form.html", status, form=form, trip=trip)


def _added_a_row(form: TripForm) -> bool:
    """The "add a bus/checkpoint" buttons post the form back with one more empty row."""
    action = request.form.get("action")
    if action == "add_bus":
        form.add_bus()
    elif action == "add_checkpoint":
        form.add_checkpoint()
    return action in ("add_bus", "add_checkpoint")


@bp.route("/manage/new", methods=["GET", "POST"])
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
    return _trip_form_page(form, None)


@bp.route("/manage/<slug>/edit", methods=["GET", "POST"])
@admin_required
def trip_edit(slug: str):
    trip = trip_or_404(slug)
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
    return _trip_form_page(form, trip)


@bp.route("/manage/<slug>/copy", methods=["GET", "POST"])
@admin_required
def trip_copy(slug: str):
    """Copy this trip for the next one: places, buses, checkpoints, the survey; no people."""
    trip = trip_or_404(slug)
    form = CopyTripForm()
    if request.method == "GET":
        form.title.data, form.slug.data = copy_title(trip), suggested_slug(trip)
    if form.validate_on_submit():
        try:
            copy = copy_trip(trip, form.slug.data, title=form.title.data)
        except BadSlug as error:
            form.slug.errors.append(error.message)
        else:
            flash(_("Trip copied, with no participants. Check its dates and title."), "success")
            return redirect(url_for(".trip_edit", slug=copy.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("manage/trip_copy.html", trip=trip, form=form), status


@bp.get("/manage/<slug>/")
@staff_required
def trip(slug: str):
    trip = trip_or_404(slug)
    return render_template(
        "manage/trip.html",
        trip=trip,
        counts=trip.count_by_status(),
        per_bus=service.bus_counts(trip),
        promoted=service.promoted_not_told(trip),
        signup_link=signup_link(trip),
        signup_share=whatsapp_url(None, signup_message(trip)),
    )


@bp.post("/manage/<slug>/participants/<int:registration_id>/told")
@tell_required
def told(slug: str, registration_id: int):
    trip = trip_or_404(slug)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
    service.mark_told(registration)
    flash(_("%(name)s is marked as told.", name=registration.full_name), "success")
    return redirect(url_for(".trip", slug=trip.slug))
