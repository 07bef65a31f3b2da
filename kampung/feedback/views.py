"""The survey a participant answers: at /p/<token>/feedback from their personal page, or at
/s/<token> from a survey-only link staff sent (kampung.staff_links), which opens the survey and
nothing else of the registration. The admin's editor of the same survey is in `editor`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale

from kampung.adoption import service as commitments
from kampung.database import whole_number
from kampung.feedback import service
from kampung.feedback.models import Survey
from kampung.lookups import participant_link_or_refuse, registration_by_token_or_404
from kampung.ratelimit import TOKEN_LIMIT
from kampung.signup.models import Registration
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose, StaffLink
from kampung.staff_links.pages import Place
from kampung.whatsapp import contact, question_message

bp = Blueprint("feedback", __name__)


def _raw_answers() -> dict[int, list[str]]:
    """The form's q<id> fields as {question id: values}; a malformed or foreign id is kept
    (as -1) so that the service refuses the whole form."""
    raw: dict[int, list[str]] = {}
    for key in request.form:
        if key == "csrf_token":
            continue
        qid = whole_number(key[1:]) if key.startswith("q") else None
        qid = -1 if qid is None else qid
        raw.setdefault(qid, []).extend(request.form.getlist(key))
    return raw


def _previous_values(survey: Survey, registration: Registration) -> dict[int, list[str]]:
    response = service.response_of(survey, registration)
    values: dict[int, list[str]] = {}
    for answer in response.answers if response else []:
        value = answer.value_text if answer.value_text is not None else str(answer.value_int)
        values.setdefault(answer.question_id, []).append(value)
    return values


@bp.route("/p/<token>/feedback", methods=["GET", "POST"])
@TOKEN_LIMIT
def answer(token: str):
    registration = registration_by_token_or_404(token)
    place = Place(url_for(".answer", token=token), url_for("signup.personal", token=token))
    return _survey_page(registration, place)


@bp.route("/s/<link_token>", methods=["GET", "POST"])
@TOKEN_LIMIT
def answer_by_link(link_token: str):
    link = participant_link_or_refuse(link_token, Purpose.survey)
    place = Place(url_for(".answer_by_link", link_token=link_token), None)
    return _survey_page(link.registration, place, link)


def _survey_page(registration: Registration, place: Place, link: StaffLink | None = None):
    survey = service.survey_of(registration.trip)
    if survey is None or not registration.is_seated:
        abort(404)
    answered = service.has_responded(survey, registration)
    is_open = survey.open_now()
    values = _previous_values(survey, registration)
    errors: dict[int, str] = {}
    status = 200
    editing = request.args.get("edit") == "1" and not survey.anonymous
    if request.method == "POST":
        values = _raw_answers()
        try:
            service.submit(survey, registration, values)
        except service.FeedbackError as error:
            flash(error.message, "error")
            errors, status = error.errors, error.status
            # A second anonymous response gets the thank-you again, not a form it cannot send.
            answered = answered or isinstance(error, service.AlreadyAnswered)
            editing = not isinstance(error, service.AlreadyAnswered)
        else:
            return redirect(place.here, 303)
    elif link is not None:
        # The opening is recorded, never the answers: POSTs leave no trace on the link.
        staff_links.record_use(link, exact=not survey.anonymous)
    state = "form"
    if answered and not editing:
        state = "thanks"
    elif not is_open:
        state = "closed"
    trip = registration.trip
    # A survey-only link shows nothing of the person, not even the name.
    name = registration.full_name if place.personal_page else ""
    return render_template(
        "feedback/answer.html",
        trip=trip,
        name=name,
        place=place,
        survey=survey,
        state=state,
        is_open=is_open,
        values=values,
        errors=errors,
        locale=str(get_locale()),
        contact=contact(trip, question_message(trip, name)),
        plan_url=(
            url_for("adoption.commitments", token=registration.access_token)
            if place.personal_page and commitments.may_commit(registration)
            else None
        ),
    ), status
