"""The chair's review: response rate, per-question summaries, comments, marks and exports.

Every count is an SQL aggregate, so a page makes the same number of queries at 10 or 10,000
responses; Python only arranges the few grouped rows. Everything about the answers of an
anonymous survey reads its released responses only (kampung/review/anonymity.py); who has
answered is shown as it happens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Row, Select, case, delete, func, literal, or_, select, true

from kampung.auth.models import StaffMember
from kampung.database import transaction, utcnow
from kampung.extensions import db
from kampung.feedback.models import (
    CHOICE_KINDS,
    RATING_WORDS,
    SCALE_KINDS,
    TEXT_KINDS,
    Answer,
    Kind,
    Mark,
    MarkKind,
    Question,
    Responded,
    Response,
    Survey,
)
from kampung.models import Bus
from kampung.review.anonymity import response_shown, waiting_responses
from kampung.signup.models import Registration
from kampung.text import clean_text

#: comments shown per page
PAGE_SIZE = 50


@dataclass
class Bucket:
    label: str
    count: int
    #: percent of those who answered the question, 0-100
    share: float


@dataclass
class QuestionSummary:
    question: Question
    #: how many responses answered this question
    answered: int = 0
    average: float | None = None
    buckets: list[Bucket] = field(default_factory=list)
    #: promoters (9-10) minus detractors (0-6), in percent points; 0-10 questions only
    nps: float | None = None
    promoters: int = 0
    detractors: int = 0


@dataclass
class Rate:
    answered: int
    invited: int

    @property
    def percent(self) -> float:
        return 100 * self.answered / self.invited if self.invited else 0.0


def response_rate(survey: Survey) -> Rate:
    """Who has answered (the Responded rows) out of the trip's registered participants."""
    answered = (
        select(func.count())
        .select_from(Responded)
        .join(Registration, Registration.id == Responded.registration_id)
        .where(Responded.survey_id == survey.id, Registration.is_seated)
        .scalar_subquery()
    )
    invited = (
        select(func.count())
        .where(Registration.trip_id == survey.trip_id, Registration.is_seated)
        .scalar_subquery()
    )
    row = db.session.execute(select(answered, invited)).one()
    return Rate(answered=row[0], invited=row[1])


def not_answered(survey: Survey) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.trip_id == survey.trip_id,
                Registration.is_seated,
                ~select(Responded.registration_id)
                .where(
                    Responded.survey_id == survey.id,
                    Responded.registration_id == Registration.id,
                )
                .exists(),
            )
            .order_by(Registration.full_name)
        )
    )


@dataclass
class _Tally:
    """Grouped counts over some answers, by question id: how many answered, how many values and
    their sum (for the average), and by (question id, value) how many gave it."""

    answered: Counter = field(default_factory=Counter)
    values: Counter = field(default_factory=Counter)
    sums: Counter = field(default_factory=Counter)
    by_value: Counter = field(default_factory=Counter)

    def __sub__(self, other: _Tally) -> _Tally:
        result = _Tally()
        for name in ("answered", "values", "sums", "by_value"):
            counter = Counter(getattr(self, name))
            counter.subtract(getattr(other, name))
            setattr(result, name, counter)
        return result


def _tally(questions: list[Question], responses: Select | None = None) -> _Tally:
    """Three grouped queries over every answer to `questions`, reading only the (question,
    value) and (question, response) indexes; or over the answers of a few `responses`, found
    by the response index."""
    multiple = [q.id for q in questions if q.kind == Kind.multiple]
    every = Answer.question_id.in_([q.id for q in questions]) if responses is None else true()
    only = true() if responses is None else Answer.response_id.in_(responses)
    tally = _Tally()
    # One row per answer, except multiple choice (a row per option): count(*) is the number
    # who answered, text answers included (empty ones are never stored).
    for qid, rows, values, total in db.session.execute(
        select(
            Answer.question_id,
            func.count(),
            func.count(Answer.value_int),
            func.sum(Answer.value_int),
        )
        .where(every, only)
        .group_by(Answer.question_id)
    ):
        tally.answered[qid], tally.values[qid], tally.sums[qid] = rows, values, total or 0
    for qid, answered in db.session.execute(
        select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
        .where(Answer.question_id.in_(multiple), only)
        .group_by(Answer.question_id)
    ):
        tally.answered[qid] = answered
    for qid, value, count in db.session.execute(
        select(Answer.question_id, Answer.value_int, func.count())
        .where(every, only, Answer.value_int.is_not(None))
        .group_by(Answer.question_id, Answer.value_int)
    ):
        tally.by_value[qid, value] = count
    return tally


def summarise(survey: Survey, locale: str = "id") -> list[QuestionSummary]:
    """Per question: how many answered, the average and the distribution."""
    questions = survey.questions
    tally = _tally(questions)
    if survey.anonymous:
        # All answers less those of the few responses waiting for their batch (fewer than K):
        # a filter on every answer would look up each one's response.
        tally -= _tally(questions, waiting_responses(survey))
    summaries = []
    for q in questions:
        answered = tally.answered[q.id]
        summary = QuestionSummary(question=q, answered=answered)
        by_value = {v: c for (qid, v), c in tally.by_value.items() if qid == q.id and c}
        if q.kind in SCALE_KINDS:
            given = tally.values[q.id]
            summary.average = tally.sums[q.id] / given if given else None
            words = RATING_WORDS if q.kind == Kind.rating else None
            values = reversed(q.scale) if q.kind == Kind.rating else q.scale
            summary.buckets = [
                _bucket(f"{v} {words[v - 1]}" if words else str(v), by_value.get(v, 0), answered)
                for v in values
            ]
        if q.kind == Kind.nps:
            summary.promoters = sum(c for v, c in by_value.items() if v >= 9)
            summary.detractors = sum(c for v, c in by_value.items() if v <= 6)
            if answered:
                summary.nps = 100 * (summary.promoters - summary.detractors) / answered
        if q.kind in CHOICE_KINDS:
            summary.buckets = [
                _bucket(label, by_value.get(i, 0), answered)
                for i, label in enumerate(q.option_labels(locale))
            ]
        summaries.append(summary)
    return summaries


def _bucket(label: str, count: int, answered: int) -> Bucket:
    return Bucket(label=label, count=count, share=100 * count / answered if answered else 0.0)


# --- Comments and marks ------------------------------------------------------------------------


@dataclass
class CommentFilter:
    search: str = ""
    question_id: int | None = None
    kecamatan: str = ""
    bus_id: int | None = None
    #: "practice", "followup", "any" (marked at all) or "" (everything)
    marked: str = ""
    page: int = 1


def _comments_query(survey: Survey, f: CommentFilter) -> Select:
    named = not survey.anonymous
    columns = [
        Answer.id.label("answer_id"),
        Answer.question_id,
        Answer.value_text.label("text"),
        Mark.kind.label("mark"),
        Mark.note.label("note"),
        Question.position,
    ]
    if named:
        columns += [
            Registration.full_name,
            Registration.rt,
            Registration.rw,
            Registration.kelurahan,
            Registration.kecamatan,
            Bus.name.label("bus"),
        ]
    query = (
        select(*columns)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(Mark, Mark.answer_id == Answer.id)
        .where(
            Question.survey_id == survey.id,
            Question.kind.in_([k.value for k in TEXT_KINDS]),
            Answer.value_text != "",
            response_shown(survey),
        )
    )
    if named:
        query = query.join(Registration, Registration.id == Response.registration_id).outerjoin(
            Bus, Bus.id == Registration.bus_id
        )
    if f.search:
        pattern = "%" + f.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Answer.value_text.ilike(pattern, escape="\\"),
                Mark.note.ilike(pattern, escape="\\"),
            )
        )
    if f.question_id:
        query = query.where(Answer.question_id == f.question_id)
    # No breakdown by person in an anonymous survey: a kecamatan of one would name its author.
    if named and f.kecamatan:
        query = query.where(Registration.kecamatan == f.kecamatan)
    if named and f.bus_id:
        query = query.where(Registration.bus_id == f.bus_id)
    if f.marked in ("practice", "followup"):
        query = query.where(Mark.kind == f.marked)
    elif f.marked == "any":
        query = query.where(Mark.id.is_not(None))
    return query


def comments(survey: Survey, f: CommentFilter) -> tuple[Sequence[Row], int]:
    """One page of text answers matching the filter, and how many match in all."""
    query = _comments_query(survey, f)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    order = [Question.position] if survey.anonymous else [Question.position, Registration.full_name]
    rows = db.session.execute(
        query.order_by(*order, Answer.id).limit(PAGE_SIZE).offset((max(f.page, 1) - 1) * PAGE_SIZE)
    ).all()
    return rows, total


def comment(survey: Survey, answer_id: str):
    return db.session.execute(
        _comments_query(survey, CommentFilter()).where(Answer.id == answer_id)
    ).one_or_none()


class MarkError(Exception):
    pass


def set_mark(survey: Survey, answer_id: str, kind: str, note: str, by: StaffMember) -> None:
    """Mark a comment as a practice to adopt or a follow-up; kind "" removes the mark."""
    if comment(survey, answer_id) is None:
        raise MarkError(_("This comment does not exist."))
    note = clean_text(note)
    if len(note) > 500:
        raise MarkError(_("Please keep the note under 500 characters."))
    if kind and kind not in MarkKind.__members__:
        raise MarkError(_("Choose practice to adopt or follow-up."))
    with transaction():
        existing = db.session.scalar(select(Mark).where(Mark.answer_id == answer_id))
        if not kind:
            db.session.execute(delete(Mark).where(Mark.answer_id == answer_id))
        elif existing:
            existing.kind, existing.note, existing.marked_by_id = kind, note, by.id
            existing.marked_at = utcnow()
        else:
            db.session.add(Mark(answer_id=answer_id, kind=kind, note=note, marked_by_id=by.id))


def marked(survey: Survey) -> list:
    """The marked comments, practices first, in question order."""
    query = _comments_query(survey, CommentFilter(marked="any"))
    practices_first = case((Mark.kind == MarkKind.practice, literal(0)), else_=literal(1))
    return list(
        db.session.execute(query.order_by(practices_first, Question.position, Answer.id)).all()
    )


# --- Export -------------------------------------------------------------------------------------


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
    header = person_header + [q.label(locale) for q in questions]
    rows = []
    for rid in order:
        answers = cells[rid]
        row = list(people.get(rid, []))
        for q in questions:
            values = answers.get(q.id, [])
            row.append(_cell(q, values, locale))
        rows.append(row)
    return header, rows


def _cell(question: Question, values: list, locale: str):
    if not values:
        return ""
    if question.kind in CHOICE_KINDS:
        labels = question.option_labels(locale)
        return "; ".join(labels[v] for v in values if 0 <= v < len(labels))
    return values[0]
