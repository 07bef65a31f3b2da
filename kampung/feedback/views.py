"""The participant's survey (/p/<token>/feedback) and the admin's survey editor."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from kampung.auth.roles import admin_required
from kampung.database import whole_number
from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.forms import QuestionForm, SurveyForm, options_from_text, options_to_text
from kampung.feedback.models import KIND_LABELS, RATING_WORDS, Question, Survey
from kampung.models import Registration
from kampung.ratelimit import TOKEN_LIMIT
from kampung.tokens import looks_like_token
from kampung.trips import get_trip_or_404

bp = Blueprint("feedback", __name__)


def registration_or_404(token: str) -> Registration:
    if not looks_like_token(token):
        abort(404)
    return db.first_or_404(db.select(Registration).where(Registration.access_token == token))


def survey_entry(registration: Registration) -> dict:
    """What the personal page shows about the survey: state is hidden, open, answered
    (editable or not) or thanked (closed after answering)."""
    survey = service.survey_of(registration.trip)
    if survey is None or registration.status != "registered":
        return {"state": "hidden"}
    answered = service.has_responded(survey, registration)
    is_open = survey.open_now()
    url = url_for("feedback.answer", token=registration.access_token)
    if is_open and not answered:
        return {"state": "open", "url": url}
    if answered and is_open and not survey.anonymous:
        return {"state": "editable", "url": url}
    if answered:
        return {"state": "thanked", "url": url}
    return {"state": "hidden"}


def _raw_answers(survey: Survey) -> dict[int, list[str]]:
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
    registration = registration_or_404(token)
    survey = service.survey_of(registration.trip)
    if survey is None or registration.status != "registered":
        abort(404)
    answered = service.has_responded(survey, registration)
    is_open = survey.open_now()
    values = _previous_values(survey, registration)
    errors: dict[int, str] = {}
    status = 200
    editing = request.args.get("edit") == "1" and not survey.anonymous
    if request.method == "POST":
        values = _raw_answers(survey)
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


# --- The admin's editor ------------------------------------------------------------------------


def _survey_or_404(slug: str) -> Survey:
    survey = service.survey_of(get_trip_or_404(slug))
    if survey is None:
        abort(404)
    return survey


def _question_or_404(survey: Survey, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _data(form: QuestionForm) -> service.QuestionData:
    return service.QuestionData(
        kind=form.kind.data,
        text=form.text.data or "",
        text_en=form.text_en.data or "",
        required=form.required.data,
        options=options_from_text(form.options.data or ""),
    )


@bp.route("/manage/<slug>/survey", methods=["GET", "POST"])
@admin_required
def edit_survey(slug: str):
    survey = _survey_or_404(slug)
    settings = SurveyForm(obj=survey, prefix="s")
    new = QuestionForm(prefix="new")
    status = 200
    if request.method == "POST":
        try:
            if request.form.get("action") == "settings" and settings.validate():
                service.update_survey(
                    survey,
                    is_open=settings.is_open.data,
                    anonymous=settings.anonymous.data,
                    opens_at=settings.opens_at_utc(),
                    closes_at=settings.closes_at_utc(),
                )
                flash(_("Survey settings saved."), "success")
                return redirect(url_for(".edit_survey", slug=slug), 303)
            if request.form.get("action") == "add" and new.validate():
                service.add_question(survey, _data(new))
                flash(_("Question added."), "success")
                return redirect(url_for(".edit_survey", slug=slug), 303)
            status = 422
        except service.FeedbackError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = error.status
    return render_template(
        "feedback/edit_survey.html",
        survey=survey,
        settings=settings,
        new=new,
        has_answers=service.has_answers(survey),
        kind_labels=KIND_LABELS,
    ), status


@bp.route("/manage/<slug>/survey/questions/<int:question_id>", methods=["GET", "POST"])
@admin_required
def edit_question(slug: str, question_id: int):
    survey = _survey_or_404(slug)
    question = _question_or_404(survey, question_id)
    # Only the page's first view shows the stored question; a POST is read from the form alone.
    form = QuestionForm(obj=question if request.method == "GET" else None)
    if request.method == "GET":
        form.options.data = options_to_text(question.options)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                service.update_question(question, _data(form))
            except service.FeedbackError as error:
                db.session.rollback()
                flash(error.message, "error")
                status = error.status
            else:
                flash(_("Question saved."), "success")
                return redirect(url_for(".edit_survey", slug=slug), 303)
        else:
            status = 422
    return render_template(
        "feedback/edit_question.html",
        survey=survey,
        question=question,
        form=form,
        answers=service.answer_count(question),
    ), status


@bp.post("/manage/<slug>/survey/questions/<int:question_id>/<action>")
@admin_required
def question_action(slug: str, question_id: int, action: str):
    survey = _survey_or_404(slug)
    question = _question_or_404(survey, question_id)
    try:
        if action == "up":
            service.move_question(question, -1)
        elif action == "down":
            service.move_question(question, 1)
        elif action == "remove":
            service.remove_question(question)
            flash(_("Question removed."), "success")
        else:
            abort(404)
    except service.FeedbackError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for(".edit_survey", slug=slug), 303)
