"""The chair's review: response rate, per-question summaries, comments, marks and exports.

Every count is an SQL aggregate, so a page makes the same number of queries at 10 or 10,000
responses; Python only arranges the few grouped rows. Everything about the answers of an
anonymous survey reads its released responses only (kampung/review/anonymity.py); who has
answered is shown as it happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Row, Select, case, delete, func, literal, or_, select, union_all

from kampung.auth.models import StaffMember
from kampung.database import transaction, utcnow, whole_number
from kampung.extensions import db
from kampung.feedback.models import (
    CHOICE_KINDS,
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
from kampung.review import tally
from kampung.review.anonymity import response_shown
from kampung.review.models import RESPONSES
from kampung.signup.models import Registration, Status
from kampung.text import clean_text

#: the most people the dashboard lists as not answered yet, for reminders
REMINDER_LIST = 200
#: comments shown per page
PAGE_SIZE = 50
#: a filtered list is counted up to this many ("more than 1,000"), never further
COUNT_LIMIT = 1000


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
    #: 0-10 questions only: how many would highly recommend (9-10) and how many would not (0-6)
    promoters: int = 0
    detractors: int = 0

    @property
    def unsure(self) -> int:
        """Those in between (7-8) on a 0-10 question."""
        return self.answered - self.promoters - self.detractors


@dataclass
class Rate:
    answered: int
    invited: int

    @property
    def percent(self) -> float:
        return 100 * self.answered / self.invited if self.invited else 0.0


def response_rate(survey: Survey) -> Rate:
    """Who has answered (the Responded rows) out of the trip's registered participants. Counted
    as every answer less those of people who no longer hold a seat (few), so that each count
    reads one index range instead of joining every answer to its registration."""
    responded = select(func.count()).where(Responded.survey_id == survey.id).scalar_subquery()
    unseated = (
        select(func.count())
        .select_from(Registration)
        .join(
            Responded,
            (Responded.survey_id == survey.id) & (Responded.registration_id == Registration.id),
        )
        # The statuses without a seat, named, so that the index finds them among the seated.
        .where(
            Registration.trip_id == survey.trip_id,
            Registration.status.in_([s for s in Status if s != Status.registered]),
        )
        .scalar_subquery()
    )
    invited = (
        select(func.count())
        .where(Registration.trip_id == survey.trip_id, Registration.is_seated)
        .scalar_subquery()
    )
    row = db.session.execute(select(responded, unseated, invited)).one()
    return Rate(answered=row[0] - row[1], invited=row[2])


def not_answered(survey: Survey, rate: Rate | None = None) -> list[Registration]:
    """Who holds a seat and has not answered, by name, at most REMINDER_LIST of them; no query
    at all once everyone has answered (`rate`, when the caller has it)."""
    if rate is not None and rate.answered >= rate.invited:
        return []
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
            .order_by(Registration.full_name, Registration.id)
            .limit(REMINDER_LIST)
        )
    )


def summarise(survey: Survey, locale: str = "id") -> list[QuestionSummary]:
    """Per question: how many answered, the average and the distribution, from the counts kept
    as answers arrive (kampung/review/tally.py): one query at any number of responses."""
    counts = tally.read(survey.questions)
    summaries = []
    for q in survey.questions:
        answered = counts[q.id, RESPONSES]
        summary = QuestionSummary(question=q, answered=answered)
        by_value = {v: n for (qid, v), n in counts.items() if qid == q.id and v != RESPONSES}
        if q.kind in SCALE_KINDS:
            given = sum(by_value.values())
            total = sum(v * n for v, n in by_value.items())
            summary.average = total / given if given else None
            words = q.rating_words() if q.kind == Kind.rating else None
            values = reversed(q.scale) if q.kind == Kind.rating else q.scale
            summary.buckets = [
                _bucket(f"{v} {words[v - 1]}" if words else str(v), by_value.get(v, 0), answered)
                for v in values
            ]
        if q.kind == Kind.nps:
            summary.promoters = sum(c for v, c in by_value.items() if v >= 9)
            summary.detractors = sum(c for v, c in by_value.items() if v <= 6)
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
    #: where the page starts: after this (question id, response id), the last of the page before
    after: tuple[int, str] | None = None

    @property
    def narrowed(self) -> bool:
        """Whether some comments are left out (the question alone leaves out none of its own)."""
        return bool(self.search or self.kecamatan or self.bus_id or self.marked)


@dataclass
class CommentPage:
    rows: Sequence[Row]
    #: how many comments match in all, up to COUNT_LIMIT + 1 when narrowed by a filter
    total: int
    #: the `after` of the next page, None on the last
    next_after: str | None

    @property
    def total_is_lower_bound(self) -> bool:
        return self.total > COUNT_LIMIT

    def __iter__(self):
        """Unpacks as (rows, total), as callers of comments() did before pages had a cursor."""
        return iter((self.rows, self.total))


def _comments_query(survey: Survey, f: CommentFilter) -> Select:
    named = not survey.anonymous
    columns = [
        Answer.id.label("answer_id"),
        Answer.question_id,
        Answer.response_id,
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
    if f.marked:
        # The few marked answers, found by their ids, rather than every answer looked up.
        kinds = [f.marked] if f.marked in MarkKind.__members__ else list(MarkKind)
        query = query.where(Answer.id.in_(select(Mark.answer_id).where(Mark.kind.in_(kinds))))
    return query


def comments(survey: Survey, f: CommentFilter) -> CommentPage:
    """One page of text answers matching the filter: question by question in the survey's order,
    within a question in the order of the (question, response) index, which says nothing of who
    answered when. A page starts after the last one's final comment (keyset), so that the
    hundredth page costs what the first does."""
    questions = [q for q in survey.questions if q.kind in TEXT_KINDS]
    if f.question_id:
        questions = [q for q in questions if q.id == f.question_id]
    if f.after:
        ids = [q.id for q in questions]
        questions = questions[ids.index(f.after[0]) :] if f.after[0] in ids else []
    query = _comments_query(survey, f)
    # Per question, at most a page from the index where the page starts; then the first page
    # of those, in question order: one statement, each part reading only what the page needs.
    parts = []
    for q in questions:
        part = query.where(Answer.question_id == q.id)
        if f.after and f.after[0] == q.id:
            part = part.where(Answer.response_id > f.after[1])
        parts.append(select(part.order_by(Answer.response_id).limit(PAGE_SIZE + 1).subquery()))
    rows: Sequence[Row] = []
    if parts:
        pages = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
        rows = db.session.execute(
            select(pages)
            .order_by(pages.c.position, pages.c.question_id, pages.c.response_id)
            .limit(PAGE_SIZE + 1)
        ).all()
    next_after = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_after = f"{rows[-1].question_id}-{rows[-1].response_id}"
    return CommentPage(rows=rows, total=_count(survey, f), next_after=next_after)


def _count(survey: Survey, f: CommentFilter) -> int:
    """How many comments match: the kept counts when nothing is filtered out (texts are never
    stored empty), else a count that stops past COUNT_LIMIT."""
    questions = [
        q for q in survey.questions if q.kind in TEXT_KINDS and f.question_id in (None, q.id)
    ]
    if not f.narrowed:
        counts = tally.read(questions)
        return sum(counts[q.id, RESPONSES] for q in questions)
    matching = (
        _comments_query(survey, f)
        .where(Answer.question_id.in_([q.id for q in questions]))
        .limit(COUNT_LIMIT + 1)
    )
    return db.session.execute(select(func.count()).select_from(matching.subquery())).scalar_one()


def parse_after(value: str) -> tuple[int, str] | None:
    """A page's start as the link carries it, "<question id>-<response id>"; None if malformed."""
    question, _sep, response = value.partition("-")
    number = whole_number(question)
    if number is None or len(response) > 32 or not (response.isascii() and response.isalnum()):
        return None
    return number, response


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
