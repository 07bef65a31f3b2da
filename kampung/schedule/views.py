"""The rundown and announcements: organisers edit and send them (/manage/<slug>/rundown,
/announcements, /notices/<id>); participants read them and mark them read on their personal page
(/p/<token>/read/<id>) or through a schedule-only link staff sent (/j/<token>), which opens the
schedule and nothing else of the registration, and never in a staff session."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kampung.auth.roles import roles_required
from kampung.errors import render_error
from kampung.lookups import (
    child_of_trip_or_404,
    participant_link_or_refuse,
    registration_by_token_or_404,
    trip_or_404,
)
from kampung.models import Trip
from kampung.ratelimit import TOKEN_LIMIT
from kampung.schedule import reading, service
from kampung.schedule.forms import AnnouncementForm, ItemForm
from kampung.schedule.models import Notice, RundownItem
from kampung.signup.models import Registration
from kampung.staff_links import pages as sending
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose
from kampung.whatsapp import (
    contact,
    group_message,
    question_message,
    schedule_link,
    schedule_message,
    whatsapp_url,
)

bp = Blueprint("schedule", __name__)
bp.add_app_template_global(service.when_text, "rundown_when")
bp.add_app_template_global(service.day_moved, "notice_day_moved")

organiser_required = roles_required("organiser")


@bp.errorhandler(413)
def _too_large(_error):
    """A body over the form limit (a megabyte pasted) never reaches the form: say why here."""
    if request.endpoint == "schedule.announcements":
        return render_error(
            413,
            _(
                "An announcement can be at most 1,000 characters. Nothing was saved: go back, "
                "shorten it and send it again."
            ),
        )
    return render_error(413)


# --- The organisers' rundown ---------------------------------------------------------------------


@bp.get("/manage/<slug>/rundown")
@organiser_required
def rundown(slug: str):
    trip = trip_or_404(slug)
    return render_template(
        "schedule/rundown.html",
        trip=trip,
        days=service.by_day(trip, service.items_of(trip)),
        published=service.publication(trip),
        changes=service.changes_of(trip),
        counts=reading.read_counts(trip),
    )


@bp.post("/manage/<slug>/rundown/publish")
@organiser_required
def publish(slug: str):
    trip = trip_or_404(slug)
    service.publish(trip, current_user)
    flash(_("The rundown is published: participants see it on their pages."), "success")
    return redirect(url_for(".rundown", slug=trip.slug), 303)


@bp.route("/manage/<slug>/rundown/new", methods=["GET", "POST"])
@organiser_required
def item_new(slug: str):
    trip = trip_or_404(slug)
    form = ItemForm.for_trip(trip)
    if request.method == "POST":
        if not form.validate():
            return _item_page(trip, form, None, 422)
        try:
            item = service.add_item(trip, form.item(), current_user)
        except service.ScheduleError as error:
            return _item_page(trip, form, None, error.status, error.message)
        flash(_("Added: %(what)s.", what=item.what), "success")
        return redirect(url_for(".rundown", slug=trip.slug, _anchor=f"item-{item.id}"), 303)
    return _item_page(trip, form, None)


@bp.route("/manage/<slug>/rundown/<int:item_id>", methods=["GET", "POST"])
@organiser_required
def item_edit(slug: str, item_id: int):
    trip = trip_or_404(slug)
    item = child_of_trip_or_404(RundownItem, item_id, trip)
    if item.is_cancelled:
        abort(404)
    form = ItemForm.for_trip(trip, item)
    if request.method == "POST":
        if not form.validate():
            return _item_page(trip, form, item, 422)
        try:
            notice = service.change_item(item, form.item(), current_user)
        except service.ScheduleError as error:
            return _item_page(trip, form, item, error.status, error.message)
        if notice is not None:
            flash(_("Saved. Participants are shown the change until they mark it read."), "success")
        else:
            flash(_("Saved."), "success")
        return redirect(url_for(".rundown", slug=trip.slug, _anchor=f"item-{item.id}"), 303)
    return _item_page(trip, form, item)


def _item_page(
    trip: Trip, form: ItemForm, item: RundownItem | None, status: int = 200, problem: str = ""
):
    if problem:
        flash(problem, "error")
    return render_template(
        "schedule/item.html",
        trip=trip,
        form=form,
        item=item,
        published=service.publication(trip),
    ), status


@bp.post("/manage/<slug>/rundown/<int:item_id>/remove")
@organiser_required
def item_remove(slug: str, item_id: int):
    trip = trip_or_404(slug)
    item = child_of_trip_or_404(RundownItem, item_id, trip)
    what = item.what
    try:
        notice = service.remove_item(item, current_user)
    except service.ScheduleError as error:
        flash(error.message, "error")
        return redirect(url_for(".rundown", slug=trip.slug), 303)
    if notice is not None:
        flash(_("Cancelled: %(what)s. Participants are told.", what=what), "success")
    else:
        flash(_("Removed: %(what)s.", what=what), "success")
    return redirect(url_for(".rundown", slug=trip.slug), 303)


# --- Announcements and who has read what -----------------------------------------------------


@bp.route("/manage/<slug>/announcements", methods=["GET", "POST"])
@organiser_required
def announcements(slug: str):
    trip = trip_or_404(slug)
    form = AnnouncementForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                notice = service.post_announcement(trip, form.text.data, current_user)
            except service.ScheduleError as error:
                form.text.errors = [error.message]
                status = error.status
            else:
                flash(_("The announcement is on every participant's page."), "success")
                return redirect(url_for(".notice", slug=trip.slug, notice_id=notice.id), 303)
        else:
            status = 422
            # The message says how long it was; the page does not send a megabyte back.
            form.text.data = (form.text.data or "")[: service.ANNOUNCEMENT_LIMIT]
    return render_template(
        "schedule/announcements.html",
        trip=trip,
        form=form,
        notices=service.announcements_of(trip),
        counts=reading.read_counts(trip),
    ), status


@bp.get("/manage/<slug>/notices/<int:notice_id>")
@organiser_required
def notice(slug: str, notice_id: int):
    trip = trip_or_404(slug)
    notice = child_of_trip_or_404(Notice, notice_id, trip)
    missing = reading.not_read(notice)
    text = group_message(trip, notice)
    return render_template(
        "schedule/notice.html",
        trip=trip,
        notice=notice,
        count=reading.read_counts(trip).get(notice.id, reading.ReadCount(0, 0)),
        missing=missing,
        sent=staff_links.sent_to(trip, Purpose.schedule, [r.id for r in missing]),
        group_text=text,
        group_share=whatsapp_url(None, text),
    )


@bp.post("/manage/<slug>/notices/<int:notice_id>/send/<int:registration_id>")
@organiser_required
def send(slug: str, notice_id: int, registration_id: int):
    """A message for someone who has not read a notice: a new schedule-only link, recorded as
    sent by this staff member, in a ready WhatsApp message. Never the person's access link."""
    trip = trip_or_404(slug)
    notice = child_of_trip_or_404(Notice, notice_id, trip)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
    back = url_for(".notice", slug=trip.slug, notice_id=notice.id)
    if not registration.phone or not reading.is_for(notice, registration):
        abort(404)
    if notice not in reading.unread_for(registration):
        problem = _("%(name)s has read it already.", name=registration.full_name)
        return sending.refused(trip, registration, problem, back)
    return sending.reminder(
        trip,
        registration,
        Purpose.schedule,
        message=lambda token: schedule_message(registration, notice, token),
        link=schedule_link,
        back=back,
    )


# --- Participants -----------------------------------------------------------------------------


@bp.post("/p/<token>/read/<int:notice_id>")
@TOKEN_LIMIT
def mark_read(token: str, notice_id: int):
    registration = registration_by_token_or_404(token)
    _mark(registration, notice_id)
    return redirect(url_for("signup.personal", token=token, _anchor="kabar"), 303)


@bp.get("/j/<schedule_token>")
@TOKEN_LIMIT
def by_link(schedule_token: str):
    link = participant_link_or_refuse(schedule_token, Purpose.schedule)
    registration = link.registration
    schedule = reading.schedule_for(registration)
    if schedule is None:
        abort(404)
    staff_links.record_use(link, exact=True)
    trip = registration.trip
    return render_template(
        "schedule/by_link.html",
        trip=trip,
        schedule=schedule,
        schedule_token=schedule_token,
        contact=contact(trip, question_message(trip)),
    )


@bp.post("/j/<schedule_token>/read/<int:notice_id>")
@TOKEN_LIMIT
def mark_read_by_link(schedule_token: str, notice_id: int):
    link = participant_link_or_refuse(schedule_token, Purpose.schedule)
    _mark(link.registration, notice_id)
    return redirect(url_for(".by_link", schedule_token=schedule_token, _anchor="kabar"), 303)


def _mark(registration: Registration, notice_id: int) -> None:
    notice = child_of_trip_or_404(Notice, notice_id, registration.trip)
    try:
        reading.mark_read(registration, notice)
    except service.ScheduleError as error:
        abort(error.status)
