"""The road's pages beside the scanner: the trip's checkpoints with "add a stop" (straight into
its scanner), each bus's coordinator (admin), and "Pindahkan ke bus ini" from a wrong-bus
result. The rules are in `stops`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kampung.auth.models import User
from kampung.checkin import stops
from kampung.checkin.forms import CoordinatorForm, StopForm
from kampung.checkin.results import describe
from kampung.checkin.views import (
    _bus,
    _checkpoint_or_404,
    _scanner_page,
    admin_required,
    bp,
    organiser_required,
)
from kampung.database import whole_number
from kampung.extensions import db
from kampung.links import site_hosts
from kampung.lookups import child_of_trip_or_404, trip_or_404
from kampung.models import Bus, Trip


@bp.get("/manage/<slug>/checkin")
@organiser_required
def checkpoints(slug: str):
    trip = trip_or_404(slug)
    form = StopForm()
    form.set_buses(trip)
    return _checkpoints_page(trip, form)


def _checkpoints_page(trip: Trip, form: StopForm, status: int = 200):
    coordinators = {}
    if current_user.role == "admin":
        coordinators = {bus.id: _coordinator_form(bus) for bus in trip.buses}
    return (
        render_template(
            "checkin/checkpoints.html", trip=trip, form=form, coordinators=coordinators
        ),
        status,
    )


def _organisers() -> list[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.role.in_(("organiser", "admin")), User.disabled_at.is_(None))
            .order_by(User.display_name, User.username)
        )
    )


def _coordinator_form(bus: Bus) -> CoordinatorForm:
    form = CoordinatorForm(organiser=str(bus.coordinator_id or ""))
    form.set_organisers(_organisers())
    return form


@bp.post("/manage/<slug>/checkin/stops")
@organiser_required
def stop_new(slug: str):
    """A stop added from the phone: named, for one bus or all, then straight into its scanner."""
    trip = trip_or_404(slug)
    form = StopForm()
    form.set_buses(trip)
    if not form.validate():
        return _checkpoints_page(trip, form, 422)
    bus = next((b for b in trip.buses if str(b.id) == form.bus.data), None)
    try:
        stop = stops.add_stop(trip, form.name.data, bus)
    except stops.StopRefused:
        form.name.errors = [_("Give the stop a name, at most 120 characters.")]
        return _checkpoints_page(trip, form, 422)
    flash(_("Stop added: %(name)s. Scan everyone back onto the bus.", name=stop.name), "success")
    return redirect(url_for(".scanner", slug=slug, checkpoint_id=stop.id))


@bp.post("/manage/<slug>/checkin/buses/<int:bus_id>/coordinator")
@admin_required
def bus_coordinator(slug: str, bus_id: int):
    trip = trip_or_404(slug)
    bus = child_of_trip_or_404(Bus, bus_id, trip)
    form = CoordinatorForm()
    form.set_organisers(_organisers())
    if not form.validate():
        flash(_("Choose one of the organisers."), "error")
        stop_form = StopForm()
        stop_form.set_buses(trip)
        return _checkpoints_page(trip, stop_form, 422)
    organiser = db.session.get(User, int(form.organiser.data)) if form.organiser.data else None
    stops.set_coordinator(bus, organiser)
    flash(
        _("%(bus)s: coordinator %(name)s.", bus=bus.name, name=organiser.name)
        if organiser
        else _("%(bus)s has no coordinator now.", bus=bus.name),
        "success",
    )
    return redirect(url_for(".checkpoints", slug=slug))


@bp.post("/manage/<slug>/checkin/<int:checkpoint_id>/move")
@organiser_required
def move(slug: str, checkpoint_id: int):
    """ "Pindahkan ke bus ini": the passenger of another bus is moved onto the scanner's bus and
    checked in, recorded; a full bus moves nobody."""
    trip, checkpoint = _checkpoint_or_404(slug, checkpoint_id)
    wanted = whole_number(request.form.get("bus", "")) or 0
    bus = next((b for b in trip.buses if b.id == wanted), None)
    if bus is None or (checkpoint.bus_id and checkpoint.bus_id != bus.id):
        flash(_("Choose one of this trip's buses."), "error")
        return _scanner_page(trip, checkpoint, _bus(trip, checkpoint), None, 422)
    try:
        result = stops.move_here(
            request.form.get("code", ""),
            checkpoint,
            bus,
            current_user,
            device=request.form.get("device", "")[:40] or _("web form"),
            site_hosts=site_hosts(),
        )
    except stops.BusFull:
        flash(_("%(bus)s is full: nobody was moved.", bus=bus.name), "error")
        return _scanner_page(trip, checkpoint, bus, None, 409)
    except stops.MoveRefused:
        flash(_("This person is not on this trip's list with a seat."), "error")
        return _scanner_page(trip, checkpoint, bus, None, 422)
    return _scanner_page(trip, checkpoint, bus, describe(result))
