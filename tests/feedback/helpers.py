"""Small builders shared by the feedback and review tests."""

from __future__ import annotations

from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.models import Kind, Survey
from kampung.signup.service import register
from tests.conftest import person


def open_survey(trip, anonymous: bool = False) -> Survey:
    survey = service.survey_of(trip)
    survey.is_open = True
    survey.anonymous = anonymous
    db.session.commit()
    return survey


def participants(trip, n: int, start: int = 1) -> list:
    return [register(trip, person(i)).registration for i in range(start, start + n)]


def good_answers(survey: Survey, rating: int = 4, nps: int = 9, text: str = "") -> dict:
    """{question id: [values]} answering every question of the default survey."""
    answers: dict[int, list[str]] = {}
    for q in survey.questions:
        if q.kind == Kind.rating:
            answers[q.id] = [str(rating)]
        elif q.kind == Kind.nps:
            answers[q.id] = [str(nps)]
        elif q.kind in (Kind.long_text, Kind.short_text) and text:
            answers[q.id] = [text]
    return answers


def as_form(answers: dict) -> dict:
    return {f"q{qid}": values for qid, values in answers.items()}


def question(survey: Survey, kind: str):
    return next(q for q in survey.questions if q.kind == kind)
