"""The survey's answers as a spreadsheet: one row per response, a column per question; what
staff may see only (an anonymous survey's released responses, and no names)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from kampung.extensions import db
from kampung.feedback.models import CHOICE_KINDS, Answer, Kind, Question, Response, Survey
from kampung.models import Bus
from kampung.review.anonymity import response_shown
from kampung.signup.models import Registration


def export_rows(survey: Survey, locale: str = "id") -> tuple[list[str], list[list]]:
    """A header and one row per response: the person's details (named surveys) and a column
    per question."""
    questions = survey.questions
    named = not survey.anonymous
    people: dict[str, list] = {}
    person_header: list[str] = []
    if named:
        person_header = [
            _("Name"),
            _("Phone"),
            _("Kecamatan"),
            _("Kelurahan"),
            "RT",
            "RW",
            _("Bus"),
        ]
        for person in db.session.execute(
            select(
                Response.id,
                Registration.full_name,
                Registration.phone,
                Registration.kecamatan,
                Registration.kelurahan,
                Registration.rt,
                Registration.rw,
                Bus.name,
            )
            .join(Registration, Registration.id == Response.registration_id)
            .outerjoin(Bus, Bus.id == Registration.bus_id)
            .where(Response.survey_id == survey.id)
            .order_by(Registration.full_name)
        ):
            people[person[0]] = list(person[1:])
    cells: dict[str, dict[int, list]] = {}
    for response_id, qid, value_int, value_text in db.session.execute(
        select(Answer.response_id, Answer.question_id, Answer.value_int, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, response_shown(survey))
        .order_by(Answer.response_id, Answer.value_int)
    ):
        cells.setdefault(response_id, {}).setdefault(qid, []).append(
            value_text if value_text is not None else value_int
        )
    for rid in people:
        cells.setdefault(rid, {})
    order = list(people) if named else sorted(cells)
    header = person_header + [column_name(q, locale) for q in questions]
    rows = []
    for rid in order:
        answers = cells[rid]
        row = list(people.get(rid, []))
        for q in questions:
            values = answers.get(q.id, [])
            row.append(_cell(q, values, locale))
        rows.append(row)
    return header, rows


def column_name(question: Question, locale: str = "id") -> str:
    """A question as an export's column: a rating says what its 1 and 5 mean."""
    label = question.label(locale)
    if question.kind != Kind.rating:
        return label
    words = question.rating_words()
    return f"{label} (1 = {words[0]} … 5 = {words[-1]})"


def _cell(question: Question, values: list, locale: str):
    if not values:
        return ""
    if question.kind in CHOICE_KINDS:
        labels = question.option_labels(locale)
        return "; ".join(labels[v] for v in values if 0 <= v < len(labels))
    return values[0]
