"""Rooms for staff: the trip's rooms with who sleeps where, a new room, the automatic
assignment, moving a person by hand, and the lists for the hotel. Organisers and admins."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from kampung.auth.roles import roles_required
from kampung.downloads import spreadsheet
from kampung.extensions import db
from kampung.lookups import back_to, child_of_trip_or_404, trip_or_404
from kampung.models import Trip
from kampung.rooms import service
from kampung.rooms.forms import AssignForm, RoomForm, RoomMoveForm
from kampung.rooms.models import Room
from kampung.signup.models import Registration

bp = Blueprint("rooms", __name__)

#: the road is the organisers' (PRODUCT.md); an admin may do everything
road_required = roles_required("organiser")


@bp.context_processor
def _helpers():
    return {"gender_word": gender_word}


def gender_word(gender: str) -> str:
    return {"L": _("Men"), "P": _("Women")}.get(gender, "")


def room_problem(error: service.RoomError) -> str:
    """What a refused move says, in the staff member's words."""
    if isinstance(error, service.RoomFull):
        return _("%(room)s is full: choose another room.", room=error.room.name)
    if isinstance(error, service.OtherGender):
        return _("%(room)s is for the other gender: choose another room.", room=error.room.name)
    return _("Only people with a seat can be given a room.")


def _rooms_page(trip: Trip, status: int = 200, new_room_form: RoomForm | None = None):
    placed, seated = service.occupancy(trip)
    return render_template(
        "rooms/rooms.html",
        trip=trip,
        rooms=service.rooms_of(trip),
        unplaced=service.unplaced(trip),
        placed=placed,
        seated=seated,
        new_room_form=new_room_form or RoomForm(),
        assign_form=AssignForm(),
    ), status


@bp.get("/manage/<slug>/rooms")
@road_required
def rooms(slug: str):
    return _rooms_page(trip_or_404(slug))


@bp.post("/manage/<slug>/rooms/new")
@road_required
def add(slug: str):
    trip = trip_or_404(slug)
    form = RoomForm()
    if not form.validate():
        flash(_("The room was not added: check the fields marked below."), "error")
        return _rooms_page(trip, 422, form)
    try:
        room = service.add_room(trip, form.name.data, form.capacity.data, form.gender.data)
    except service.RoomNameTaken:
        form.name.errors.append(_("This trip already has a room of that name."))
        return _rooms_page(trip, 409, form)
    flash(_("%(room)s added.", room=room.name), "success")
    return redirect(url_for(".rooms", slug=trip.slug), 303)


@bp.post("/manage/<slug>/rooms/assign")
@road_required
def assign(slug: str):
    trip = trip_or_404(slug)
    form = AssignForm()
    if not form.validate():
        flash(_("Choose how many people share a new room."), "error")
        return _rooms_page(trip, 422)
    done = service.assign_rooms(trip, int(form.size.data))
    flash(
        ngettext("%(num)d person got a room.", "%(num)d people got a room.", len(done.placed))
        + " "
        + ngettext("%(num)d room made.", "%(num)d rooms made.", len(done.rooms_made)),
        "success",
    )
    if done.without_gender:
        flash(
            _(
                "Without a gender, no room was chosen for: %(names)s. Fill in their gender, "
                "or place them by hand.",
                names=", ".join(p.full_name for p in done.without_gender),
            ),
            "warning",
        )
    return redirect(url_for(".rooms", slug=trip.slug), 303)


def _choose_page(trip: Trip, registration: Registration, form: RoomMoveForm, status: int = 200):
    return render_template(
        "rooms/choose.html",
        trip=trip,
        registration=registration,
        choices=service.rooms_for(registration),
        form=form,
        back=_back(trip),
    ), status


def _back(trip: Trip) -> str:
    """Back to the page the person came from (the roster as filtered, or the rooms page)."""
    trip_pages = url_for("manage.trip", slug=trip.slug)
    back = back_to(trip_pages)
    return url_for(".rooms", slug=trip.slug) if back == trip_pages else back


@bp.route("/manage/<slug>/participants/<int:registration_id>/room", methods=["GET", "POST"])
@road_required
def move(slug: str, registration_id: int):
    """A person's room chosen by hand (or no room): the rooms that can take them, then the move."""
    trip = trip_or_404(slug)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
    form = RoomMoveForm()
    form.set_rooms(service.room_list(trip))
    if request.method == "GET":
        form.room.data = str(registration.room_id or "")
        return _choose_page(trip, registration, form)
    if not form.validate():
        form.room.errors[:] = [_("Choose one of this trip's rooms.")]
        return _choose_page(trip, registration, form, 422)
    room = db.session.get(Room, int(form.room.data)) if form.room.data else None
    try:
        service.move_to_room(registration, room)
    except service.RoomError as exc:
        form.room.errors.append(room_problem(exc))
        return _choose_page(trip, registration, form, 409)
    if room is None:
        flash(_("%(name)s has no room now.", name=registration.full_name), "success")
    else:
        flash(
            _("%(name)s is now in %(room)s.", name=registration.full_name, room=room.name),
            "success",
        )
    return redirect(_back(trip), 303)


@bp.get("/manage/<slug>/rooms/print")
@road_required
def rooming_list(slug: str):
    """The rooming list for the hotel, to print (A4)."""
    trip = trip_or_404(slug)
    rows = service.rooming_rows(trip)
    groups: dict[str, list[list[str]]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    return render_template("rooms/print.html", trip=trip, groups=groups, total=len(rows))


@bp.get("/manage/<slug>/rooms.csv")
@road_required
def export_csv(slug: str):
    trip = trip_or_404(slug)
    rows = service.rooming_rows(trip)
    return spreadsheet(service.ROOM_COLUMNS, rows, f"kamar-{trip.slug}.csv", "Kamar")


@bp.get("/manage/<slug>/rooms.xlsx")
@road_required
def export_xlsx(slug: str):
    trip = trip_or_404(slug)
    rows = service.rooming_rows(trip)
    return spreadsheet(service.ROOM_COLUMNS, rows, f"kamar-{trip.slug}.xlsx", "Kamar")
