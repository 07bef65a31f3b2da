"""The survey a participant answers, at /p/<token>/feedback. The admin's editor of the same
survey is in `editor`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale

from kampung.database import whole_number
from kampung.feedback import service
from kampung.feedback.models import RATING_WORDS, Survey
from kampung.lookups import registration_by_token_or_404
from kampung.ratelimit import TOKEN_LIMIT
from kampung.signup.models import Registration

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
            return redirect(url_for(".answer", token=token), 303)
    state = "form"
    if answered and not editing:
        state = "thanks"
    elif not is_open:
        state = "closed"
    return render_template(
        "feedback/answer.html",
        registration=registration,
        survey=survey,
        state=state,
        is_open=is_open,
        values=values,
        errors=errors,
        locale=str(get_locale()),
        rating_words=RATING_WORDS,
    ), status
