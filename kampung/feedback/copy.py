"""A trip's survey copied onto a new trip (kampung.trips.copy_trip): the questions and the
anonymity, closed, with no answer."""

from __future__ import annotations

from kampung.extensions import db
from kampung.feedback.models import Question, Survey
from kampung.models import Trip


def copy_survey(source: Trip, copy: Trip) -> None:
    survey = db.session.scalar(db.select(Survey).where(Survey.trip_id == source.id))
    if survey is None:
        return
    new = Survey(trip=copy, anonymous=survey.anonymous, is_open=False)
    new.questions = [
        Question(
            position=q.position,
            kind=q.kind,
            text=q.text,
            text_en=q.text_en,
            required=q.required,
            words=q.words,
            options=[dict(o) for o in q.options],
        )
        for q in survey.questions
    ]
    db.session.add(new)
