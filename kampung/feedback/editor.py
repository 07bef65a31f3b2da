"""The admin's survey editor (/manage/<slug>/survey): open and close, anonymity, questions;
on the feedback blueprint.

It lives with the survey rather than under `manage/` because its rules are the survey's own
(a question with answers keeps its kind and its options: `service.update_question`), and the
editor and the participant's form draw the same question fields (_question_fields.html).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kampung.auth.roles import admin_required
from kampung.feedback import service
from kampung.feedback.forms import QuestionForm, SurveyForm, options_from_text, options_to_text
from kampung.feedback.models import KIND_LABELS, Question, Survey, Words
from kampung.feedback.views import bp
from kampung.lookups import trip_or_404
from kampung.review import anonymity


def _survey_or_404(slug: str) -> Survey:
    survey = service.survey_of(trip_or_404(slug))
    if survey is None:
        abort(404)
    return survey


def _question_or_404(survey: Survey, question_id: int) -> Question:
    question = survey.question(question_id)
    if question is None:
        abort(404)
    return question


def _data(form: QuestionForm) -> service.QuestionData:
    return service.QuestionData(
        kind=form.kind.data,
        text=form.text.data or "",
        text_en=form.text_en.data or "",
        required=form.required.data,
        words=form.words.data or Words.satisfaction.value,
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
            flash(error.message, "error")
            status = error.status
    return render_template(
        "feedback/edit_survey.html",
        survey=survey,
        settings=settings,
        new=new,
        has_answers=service.has_answers(survey),
        kind_labels=KIND_LABELS,
        batch=anonymity.K,
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
        locked=service.is_locked(question),
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
        flash(error.message, "error")
    return redirect(url_for(".edit_survey", slug=slug), 303)
