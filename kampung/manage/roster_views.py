"""The trip's roster for staff: search and filters, and the admin's changes to a person (edit,
cancel, a seat, another bus), with the exports."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kampung import phones
from kampung.auth.roles import admin_required, staff_required
from kampung.checkin.roster import last_checkpoints
from kampung.downloads import spreadsheet
from kampung.extensions import db
from kampung.fragments import render_page
from kampung.lookups import back_to, child_of_trip_or_404, trip_or_404
from kampung.manage import export, service
from kampung.manage.forms import BusMoveForm, ParticipantForm
from kampung.manage.views import bp
from kampung.models import Bus, Trip
from kampung.places import KECAMATAN
from kampung.rooms import service as rooms
from kampung.rooms.models import Room
from kampung.rooms.views import room_problem
from kampung.signup import service as signup
from kampung.signup.models import Registration, Status
from kampung.staff_links import pages as sending
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose
from kampung.whatsapp import link_message, personal_link, promoted_message, whatsapp_url


def _roster_page(trip: Trip, status: int = 200):
    wanted = service.RosterFilter.from_args(request.args)
    move_form = BusMoveForm()
    move_form.set_buses(trip)
    result = service.roster(trip, wanted)
    # Only the admin sends access links, so only the admin's roster says who was sent one.
    is_admin = current_user.has_role("admin")
    return render_page(
        "manage/participants.html",
        status,
        trip=trip,
        wanted=wanted,
        result=result,
        links_sent=(
            staff_links.sent_to(trip, Purpose.access, (p.id for p in result.people))
            if is_admin
            else {}
        ),
        kecamatan_options=[(name, name) for name in KECAMATAN],
        bus_options=[(str(bus.id), bus.name) for bus in trip.buses] + [("none", _("No bus"))],
        statuses=[
            (Status.registered, _("Registered")),
            (Status.waitlisted, _("Waitlisted")),
            (Status.cancelled, _("Cancelled")),
        ],
        free_seats=trip.capacity - signup.seats_taken(trip),
        move_form=move_form,
        last_seen=last_checkpoints(trip.id, (p.id for p in result.people)),
        back=request.full_path.rstrip("?"),
    )


def _back(trip: Trip):
    """Back to the roster as it was filtered."""
    return redirect(back_to(url_for(".participants", slug=trip.slug)))


@bp.get("/manage/<slug>/participants")
@staff_required
def participants(slug: str):
    return _roster_page(trip_or_404(slug))


@bp.route("/manage/<slug>/participants/<int:registration_id>/edit", methods=["GET", "POST"])
@admin_required
def participant_edit(slug: str, registration_id: int):
    trip = trip_or_404(slug)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
    form = ParticipantForm(obj=registration if request.method == "GET" else None)
    form.set_buses(trip)
    if request.method == "GET" or not form.room.raw_data:
        # A form without the room (a waitlisted person's) keeps the room as it is.
        form.room.data = str(registration.room_id or "")
    if request.method == "GET":
        form.bus.data = str(registration.bus_id or "")
        # Phones shown the way people write them; saving normalises them again.
        form.phone.data = phones.display(registration.phone)
        form.emergency_phone.data = phones.display(registration.emergency_phone)
    if form.validate_on_submit():
        bus = db.session.get(Bus, int(form.bus.data)) if form.bus.data else None
        room = db.session.get(Room, int(form.room.data)) if form.room.data else None
        try:
            service.edit_participant(registration, form.person(), bus, room)
        except signup.DuplicatePhone as exc:
            form.phone.errors.append(
                _(
                    "This number is already registered on this trip by %(name)s.",
                    name=exc.existing.full_name,
                )
            )
        except service.BusFull as exc:
            form.bus.errors.append(_("%(bus)s is full.", bus=exc.bus.name))
        except rooms.RoomError as exc:
            form.room.errors.append(room_problem(exc))
        else:
            flash(_("Details of %(name)s saved.", name=registration.full_name), "success")
            return redirect(url_for(".participants", slug=trip.slug))
    return render_template(
        "manage/participant_edit.html", trip=trip, registration=registration, form=form
    ), (422 if request.method == "POST" else 200)


@bp.route("/manage/<slug>/participants/<int:registration_id>/cancel", methods=["GET", "POST"])
@admin_required
def participant_cancel(slug: str, registration_id: int):
    trip = trip_or_404(slug)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
    if request.method == "GET":
        return render_template(
            "manage/participant_cancel.html", trip=trip, registration=registration
        )
    promoted = signup.cancel(registration)
    flash(_("The registration of %(name)s is cancelled.", name=registration.full_name), "success")
    if promoted:
        flash(
            _(
                "%(name)s moved from the waitlist to the free seat. Tell them on the trip's page.",
                name=promoted.full_name,
            ),
            "info",
        )
    return redirect(url_for(".participants", slug=trip.slug))


@bp.post("/manage/<slug>/participants/<int:registration_id>/promote")
@admin_required
def participant_promote(slug: str, registration_id: int):
    trip = trip_or_404(slug)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
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


@bp.post("/manage/<slug>/participants/<int:registration_id>/bus")
@admin_required
def participant_bus(slug: str, registration_id: int):
    trip = trip_or_404(slug)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
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


#: what the admin's message says around the access link
LINK_MESSAGES = {"link": link_message, "promoted": promoted_message}


@bp.post("/manage/<slug>/participants/<int:registration_id>/send-link")
@admin_required
def send_link(slug: str, registration_id: int):
    """The admin sends a person their access link (again): recorded, then a ready message."""
    trip = trip_or_404(slug)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
    # Back to the page the button was on: the roster, the trip's page or the import's result.
    back = back_to(url_for(".trip", slug=trip.slug))
    if not registration.is_active or not registration.phone:
        problem = _(
            "%(name)s has no active registration with a number: there is no link to send.",
            name=registration.full_name,
        )
        return sending.refused(trip, registration, problem, back)
    message = LINK_MESSAGES.get(request.form.get("message", ""), link_message)
    staff_links.record_access_sent(registration, current_user)
    return sending.ready(
        trip,
        registration,
        whatsapp=whatsapp_url(registration.phone, message(registration)),
        link=personal_link(registration),
        kind="link",
        sent=staff_links.sent_to(trip, Purpose.access, [registration.id]).get(registration.id),
        back=back,
    )


@bp.get("/manage/<slug>/participants.csv")
@staff_required
def export_csv(slug: str):
    trip = trip_or_404(slug)
    return spreadsheet(*export.roster_rows(trip), f"peserta-{trip.slug}.csv", "Peserta")


@bp.get("/manage/<slug>/participants.xlsx")
@staff_required
def export_xlsx(slug: str):
    trip = trip_or_404(slug)
    return spreadsheet(*export.roster_rows(trip), f"peserta-{trip.slug}.xlsx", "Peserta")
