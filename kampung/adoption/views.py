"""The participant's side of adoption: commitments after the survey at /p/<token>/commitments,
the follow-up round at /p/<token>/followup, and the follow-up-only link staff send (/f/<token>),
which opens the round and nothing else of the registration."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from kampung.adoption import service
from kampung.adoption.forms import commitment_rows, round_answers
from kampung.adoption.models import MAX_COMMITMENTS, PROGRESS_LABELS, Progress
from kampung.adoption.months import month_choices
from kampung.database import utcnow
from kampung.lookups import participant_link_or_refuse, registration_by_token_or_404
from kampung.ratelimit import TOKEN_LIMIT
from kampung.signup.models import Registration
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose, StaffLink
from kampung.staff_links.pages import Place
from kampung.whatsapp import contact, question_message

bp = Blueprint("adoption", __name__)


@bp.app_template_filter("month_year")
def month_year(value: date) -> str:
    """A target month the Indonesian way: Maret 2027."""
    return format_date(value, "MMMM y")


@bp.route("/p/<token>/commitments", methods=["GET", "POST"])
@TOKEN_LIMIT
def commitments(token: str):
    registration = registration_by_token_or_404(token)
    personal_page = url_for("signup.personal", token=token)
    now = utcnow()
    saved = service.commitments_of(registration)
    rows = [
        service.CommitmentData(
            str(c.practice_id or ""), c.what, c.target_month.strftime("%Y-%m"), c.carried_by
        )
        for c in saved
    ]
    errors: dict = {}
    status = 200
    if request.method == "POST":
        rows = commitment_rows(request.form)
        try:
            service.save_commitments(registration, rows, now)
        except service.AdoptionError as error:
            flash(error.message, "error")
            errors, status = error.errors, error.status
        else:
            flash(_("Your plan is saved. Thank you!"), "success")
            return redirect(personal_page, 303)
    rows += [service.CommitmentData()] * (MAX_COMMITMENTS - len(rows))
    return render_template(
        "adoption/commitments.html",
        registration=registration,
        trip=registration.trip,
        rows=rows[:MAX_COMMITMENTS],
        errors=errors,
        can_commit=service.may_commit(registration, now),
        locked=service.commitments_locked(registration.trip, now),
        saved=saved,
        practices=service.live_practices(registration.trip),
        months=month_choices(now),
        personal_page=personal_page,
    ), status


@bp.route("/p/<token>/followup", methods=["GET", "POST"])
@TOKEN_LIMIT
def followup(token: str):
    registration = registration_by_token_or_404(token)
    place = Place(url_for(".followup", token=token), url_for("signup.personal", token=token))
    return _followup_page(registration, place)


@bp.route("/f/<followup_token>", methods=["GET", "POST"])
@TOKEN_LIMIT
def followup_by_link(followup_token: str):
    link = participant_link_or_refuse(followup_token, Purpose.followup)
    place = Place(url_for(".followup_by_link", followup_token=followup_token), None)
    return _followup_page(link.registration, place, link)


def _followup_page(registration: Registration, place: Place, link: StaffLink | None = None):
    if not registration.is_seated:
        abort(404)
    trip = registration.trip
    round_ = service.open_round(trip)
    mine = service.commitments_of(registration)
    given = service.answers_of(registration, round_) if round_ else {}
    values = {cid: service.AnswerData(a.status, a.obstacle, a.note) for cid, a in given.items()}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        answers = round_answers(request.form)
        if answers is None:
            abort(400)
        try:
            if round_ is None:
                raise service.RoundClosed(
                    _("This follow-up round has closed: your answers were not saved.")
                )
            service.answer_round(registration, round_, answers, utcnow())
        except service.NotYours:
            abort(404)
        except service.AdoptionError as error:
            flash(error.message, "error")
            errors, status = error.errors, error.status
            values = answers
        else:
            flash(_("Thank you! Your answers are saved."), "success")
            return redirect(place.here, 303)
    elif link is not None:
        staff_links.record_use(link, exact=True)
    name = registration.full_name if place.personal_page else ""
    return render_template(
        "adoption/followup.html",
        trip=trip,
        name=name,
        place=place,
        round=round_,
        commitments=mine,
        values=values,
        answered=bool(given),
        errors=errors,
        progress=[(p.value, PROGRESS_LABELS[p]) for p in Progress],
        contact=contact(trip, question_message(trip, name)),
    ), status
