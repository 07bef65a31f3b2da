"""The chair's and admin's side of adoption: the dashboard, its exports and reminders, the named
practices of a trip and the library across trips, and the admin's follow-up rounds. Organisers
see none of it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kampung.adoption import figures, practices, service
from kampung.adoption.models import PROGRESS_LABELS, Commitment, Practice, Progress
from kampung.adoption.views import bp
from kampung.auth.roles import admin_required, roles_required
from kampung.database import utcnow, whole_number
from kampung.downloads import spreadsheet
from kampung.extensions import db
from kampung.lookups import child_of_trip_or_404, trip_or_404
from kampung.models import Trip
from kampung.signup.models import Registration
from kampung.staff_links import pages as sending
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose
from kampung.text import clean_text
from kampung.whatsapp import followup_link, followup_reminder

chair_required = roles_required("chair")


def _chosen_round(rounds, number: int | None):
    """The round asked for, else the open one, else the last opened, else the first."""
    by_number = {r.number: r for r in rounds}
    if number in by_number:
        return by_number[number]
    opened = [r for r in rounds if r.opened_at]
    current = next((r for r in rounds if r.is_open), None)
    return current or (opened[-1] if opened else (rounds[0] if rounds else None))


@bp.get("/manage/<slug>/adoption")
@chair_required
def dashboard(slug: str):
    trip = trip_or_404(slug)
    args = request.args
    service.open_round(trip)  # a round whose day has come opens by itself
    rounds = service.rounds_of(trip)
    chosen = _chosen_round(rounds, whole_number(args.get("round", "")))
    search = clean_text(args.get("q", ""))[:100]
    rates = figures.round_rates(trip, rounds)
    missing, missing_total = [], 0
    if chosen is not None and chosen.opened_at:
        missing = figures.not_answered(trip, chosen, whole_number(args.get("page", "")) or 1)
        missing_total = next(r.missing for r in rates if r.round.id == chosen.id)
    found, found_total = figures.obstacles(trip, search, whole_number(args.get("opage", "")) or 1)
    return render_template(
        "adoption/dashboard.html",
        trip=trip,
        rounds=rounds,
        chosen=chosen,
        rates=rates,
        practices=figures.practice_figures(trip, rounds, chosen),
        kecamatan=figures.kecamatan_figures(trip, chosen),
        missing=missing,
        missing_total=missing_total,
        reminders=staff_links.sent_to(trip, Purpose.followup, [r.id for r in missing]),
        obstacles=found,
        obstacles_total=found_total,
        search=search,
        page_size=figures.PAGE_SIZE,
        labels=PROGRESS_LABELS,
        progress=Progress,
        adopters_shown=figures.ADOPTERS_SHOWN,
    )


@bp.get("/manage/<slug>/adoption.csv")
@chair_required
def export_csv(slug: str):
    trip = trip_or_404(slug)
    header, rows = figures.export_rows(trip)
    return spreadsheet(header, rows, f"{trip.slug}-adopsi.csv", _("Adoption"))


@bp.get("/manage/<slug>/adoption.xlsx")
@chair_required
def export_xlsx(slug: str):
    trip = trip_or_404(slug)
    header, rows = figures.export_rows(trip)
    return spreadsheet(header, rows, f"{trip.slug}-adopsi.xlsx", _("Adoption"))


@bp.post("/manage/<slug>/adoption/remind/<int:registration_id>")
@chair_required
def remind(slug: str, registration_id: int):
    """A reminder for someone who has not answered the open round: a new follow-up-only link,
    recorded as sent by this staff member, in a ready WhatsApp message."""
    trip = trip_or_404(slug)
    registration = child_of_trip_or_404(Registration, registration_id, trip)
    back = url_for(".dashboard", slug=trip.slug)
    if not registration.is_seated or not registration.phone:
        abort(404)
    round_ = service.open_round(trip)
    if round_ is None:
        problem = _("No follow-up round is open: a reminder would open nothing. Open it first.")
        return sending.refused(trip, registration, problem, back)
    if not service.commitments_of(registration):
        problem = _("%(name)s made no commitment.", name=registration.full_name)
        return sending.refused(trip, registration, problem, back)
    if service.answers_of(registration, round_):
        problem = _("%(name)s has answered this round already.", name=registration.full_name)
        return sending.refused(trip, registration, problem, back)
    return sending.reminder(
        trip,
        registration,
        Purpose.followup,
        message=lambda token: followup_reminder(registration, token),
        link=followup_link,
        back=back,
    )


# --- Named practices ------------------------------------------------------------------------


def _practices_page(trip: Trip, status: int = 200):
    unlinked = db.session.scalars(
        db.select(Commitment)
        .where(Commitment.trip_id == trip.id, Commitment.practice_id.is_(None))
        .order_by(Commitment.id)
        .limit(figures.PAGE_SIZE)
    ).all()
    every = db.session.scalars(
        db.select(Practice).where(Practice.trip_id == trip.id).order_by(Practice.name)
    ).all()
    return render_template(
        "adoption/practices.html",
        trip=trip,
        marks=practices.unsorted_marks(trip),
        practices=[p for p in every if p.is_live],
        merged=[p for p in every if not p.is_live],
        sources=practices.sources_of(trip),
        unlinked=unlinked,
    ), status


def _practice_of(trip: Trip, raw: str) -> Practice | None:
    number = whole_number(raw or "")
    return child_of_trip_or_404(Practice, number, trip) if number else None


@bp.route("/manage/<slug>/adoption/practices", methods=["GET", "POST"])
@chair_required
def trip_practices(slug: str):
    trip = trip_or_404(slug)
    if request.method == "GET":
        return _practices_page(trip)
    read = [whole_number(m) for m in request.form.getlist("mark")]
    marks = [m for m in read if m is not None]
    if len(marks) != len(read):
        abort(400)
    try:
        practice = practices.name_practice(
            trip,
            request.form.get("name", ""),
            marks,
            into=_practice_of(trip, request.form.get("into", "")),
        )
    except service.AdoptionError as error:
        flash(error.message, "error")
        return _practices_page(trip, 422)
    flash(_("Saved in %(name)s.", name=practice.name), "success")
    return redirect(url_for(".trip_practices", slug=trip.slug), 303)


@bp.post("/manage/<slug>/adoption/practices/<int:practice_id>")
@chair_required
def practice_action(slug: str, practice_id: int):
    """Rename a practice, or merge it into another (its commitments move there)."""
    trip = trip_or_404(slug)
    practice = child_of_trip_or_404(Practice, practice_id, trip)
    action = request.form.get("action", "")
    try:
        if action == "rename":
            practices.rename(practice, request.form.get("name", ""))
        elif action == "merge":
            into = _practice_of(trip, request.form.get("into", ""))
            if into is None:
                raise service.AdoptionError(_("Choose the practice to merge into."))
            practices.merge(practice, into)
        else:
            abort(400)
    except service.AdoptionError as error:
        flash(error.message, "error")
        return _practices_page(trip, 422)
    flash(_("Saved."), "success")
    return redirect(url_for(".trip_practices", slug=trip.slug), 303)


@bp.post("/manage/<slug>/adoption/commitments/<int:commitment_id>/practice")
@chair_required
def commitment_practice(slug: str, commitment_id: int):
    """Link a commitment written in someone's own words to one of the named practices."""
    trip = trip_or_404(slug)
    commitment = child_of_trip_or_404(Commitment, commitment_id, trip)
    try:
        practices.link_commitment(commitment, _practice_of(trip, request.form.get("practice", "")))
    except service.AdoptionError as error:
        flash(error.message, "error")
        return _practices_page(trip, 422)
    flash(_("Saved."), "success")
    return redirect(url_for(".trip_practices", slug=trip.slug), 303)


@bp.get("/manage/practices")
@chair_required
def library():
    return render_template("adoption/library.html", entries=practices.library())


# --- The admin's follow-up rounds -------------------------------------------------------------


@bp.route("/manage/<slug>/followup", methods=["GET", "POST"])
@admin_required
def rounds(slug: str):
    trip = trip_or_404(slug)
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if action == "open":
                number = whole_number(request.form.get("round", ""), limit=1000)
                chosen = service.open_followup(trip, number, utcnow())
                flash(_("Round %(n)s is open.", n=chosen.number), "success")
            elif action == "close":
                service.close_followup(trip, utcnow())
                flash(_("The follow-up round is closed."), "success")
            elif action == "days":
                read = [whole_number(d, limit=10_000) for d in request.form.getlist("days") if d]
                days = [d for d in read if d is not None]
                if len(days) != len(read):
                    raise service.AdoptionError(
                        _("Each round needs a number of days between 1 and 730.")
                    )
                service.set_round_days(trip, days)
                flash(_("Saved."), "success")
            else:
                abort(400)
        except service.AdoptionError as error:
            flash(error.message, "error")
            status = 422
        else:
            return redirect(url_for(".rounds", slug=trip.slug), 303)
    if request.method == "GET":
        service.open_round(trip)  # a round whose day has come opens by itself
    return render_template(
        "adoption/rounds.html", trip=trip, rounds=service.rounds_of(trip), now=utcnow()
    ), status
