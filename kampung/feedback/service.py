"""The survey rules: answering (validated whole, saved whole or not at all) and editing questions.

Plain functions that know nothing of the request; each raises a `FeedbackError` with a message
for people and saves nothing when something is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from kampung.database import is_unique_violation, transaction, utcnow, whole_number
from kampung.extensions import db
from kampung.feedback import storage
from kampung.feedback.models import (
    CHOICE_KINDS,
    TEXT_KINDS,
    Answer,
    Kind,
    Mark,
    Question,
    Responded,
    Response,
    Survey,
    Words,
)
from kampung.models import Trip
from kampung.review import anonymity, tally
from kampung.signup.models import Registration
from kampung.text import clean_text

#: the longest text answer kept, in characters
TEXT_LIMITS: dict[str, int] = {Kind.short_text: 200, Kind.long_text: 2000}


class FeedbackError(Exception):
    """Something that cannot be saved; `message` says why, `errors` per question id."""

    status = 422

    def __init__(self, message: str, errors: dict[int, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class SurveyClosed(FeedbackError):
    status = 409


class AlreadyAnswered(FeedbackError):
    status = 409


class QuestionLocked(FeedbackError):
    """A change that would break answers already given."""

    status = 409


def survey_of(trip: Trip) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.trip_id == trip.id))


def has_responded(survey: Survey, registration: Registration) -> bool:
    return (
        db.session.get(Responded, {"survey_id": survey.id, "registration_id": registration.id})
        is not None
    )


def response_of(survey: Survey, registration: Registration) -> Response | None:
    """A named survey's response of this person; None in an anonymous survey, by design."""
    if survey.anonymous:
        return None
    return db.session.scalar(
        select(Response).where(
            Response.survey_id == survey.id, Response.registration_id == registration.id
        )
    )


@dataclass
class SurveyEntry:
    """What the personal page shows about the survey."""

    #: hidden, open, editable (answered, named, still open) or thanked (answered)
    state: str
    #: the personal link's token, for the link to the survey
    token: str = ""


def survey_entry(registration: Registration) -> SurveyEntry:
    survey = survey_of(registration.trip)
    if survey is None or not registration.is_seated:
        return SurveyEntry("hidden")
    answered = has_responded(survey, registration)
    is_open = survey.open_now()
    if is_open and not answered:
        state = "open"
    elif answered and is_open and not survey.anonymous:
        state = "editable"
    elif answered:
        state = "thanked"
    else:
        return SurveyEntry("hidden")
    return SurveyEntry(state, registration.access_token)


# --- Answering --------------------------------------------------------------------------------

Value = tuple[int, int | None, str | None]


def validate(survey: Survey, raw: dict[int, list[str]]) -> list[Value]:
    """The answers as (question_id, value_int, value_text) rows, or FeedbackError."""
    questions = {q.id: q for q in survey.questions}
    if set(raw) - set(questions):
        raise FeedbackError(_("This form does not match the survey. Please reload the page."))
    rows: list[Value] = []
    errors: dict[int, str] = {}
    for qid, question in questions.items():
        # Cleaned first: in an anonymous survey nobody could find a broken answer to fix it.
        multiline = question.kind == Kind.long_text
        values = [c for v in raw.get(qid, []) if (c := clean_text(v, multiline=multiline))]
        try:
            rows.extend((qid, i, t) for i, t in _parse(question, values))
        except ValueError as error:
            errors[qid] = str(error)
    if errors:
        raise FeedbackError(_("Some answers need your attention."), errors)
    return rows


def _parse(question: Question, values: list[str]) -> list[tuple[int | None, str | None]]:
    if not values:
        if question.required:
            raise ValueError(_("Please answer this question."))
        return []
    if question.kind in TEXT_KINDS:
        limit = TEXT_LIMITS[question.kind]
        if len(values) > 1:
            raise ValueError(_("Please give one answer."))
        if len(values[0]) > limit:
            raise ValueError(_("Please keep it under %(n)s characters.", n=limit))
        return [(None, values[0])]
    if question.kind != Kind.multiple and len(values) > 1:
        raise ValueError(_("Please choose one answer."))
    allowed = range(len(question.options)) if question.kind in CHOICE_KINDS else question.scale
    chosen: list[int] = []
    for value in values:
        # whole_number, not int(): "²" passes isdigit() and int() would word its own error.
        number = whole_number(value, limit=999)
        if number is None or number not in allowed:
            raise ValueError(_("Please choose one of the answers offered."))
        if number not in chosen:
            chosen.append(number)
    return [(n, None) for n in chosen]


def submit(
    survey: Survey,
    registration: Registration,
    raw: dict[int, list[str]],
    now: datetime | None = None,
) -> None:
    """Save a person's answers: a first response, or (named surveys) a change until closing."""
    now = now or utcnow()
    if registration.trip_id != survey.trip_id or not registration.is_seated:
        raise FeedbackError(_("Only participants of this trip can answer its survey."), {})
    if not survey.open_now(now):
        raise SurveyClosed(_("The survey is closed. Answers can no longer be sent or changed."))
    rows = validate(survey, raw)
    try:
        with transaction():
            if survey.anonymous:
                _add_anonymous(survey, registration, rows)
            else:
                _save_named(survey, registration, rows, now)
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        # The same person sent twice at once: the first one counts.
        raise AlreadyAnswered(_("Your answers were already received. Thank you!")) from None


def _add_anonymous(survey: Survey, registration: Registration, rows: list[Value]) -> None:
    storage.lock(survey)
    if has_responded(survey, registration):
        raise AlreadyAnswered(
            _("Your answers were already received. An anonymous response cannot be changed.")
        )
    db.session.add(Responded(survey_id=survey.id, registration_id=registration.id))
    response = Response(survey_id=survey.id)
    response.answers = [Answer(question_id=q, value_int=i, value_text=t) for q, i, t in rows]
    db.session.add(response)
    db.session.flush()
    # Before the reshuffle, so that the rewrite leaves the released rows in random-id order too.
    anonymity.release_due(survey)
    storage.reshuffle(survey)


def _save_named(
    survey: Survey, registration: Registration, rows: list[Value], now: datetime
) -> None:
    response = response_of(survey, registration)
    if response is None:
        db.session.add(Responded(survey_id=survey.id, registration_id=registration.id))
        response = Response(
            survey_id=survey.id, registration_id=registration.id, submitted_at=now, released=True
        )
        db.session.add(response)
    response.updated_at = now
    before = [(response.id, a.question_id, a.value_int) for a in response.answers]
    # Unchanged answers keep their row, and so the chair's marks on them.
    kept = {(a.question_id, a.value_int, a.value_text): a for a in response.answers}
    answers = [
        kept.pop(row)
        if row in kept
        else Answer(question_id=row[0], value_int=row[1], value_text=row[2])
        for row in rows
    ]
    gone = [a.id for a in kept.values() if a.id]
    if gone:
        db.session.execute(delete(Mark).where(Mark.answer_id.in_(gone)))
    response.answers = answers
    db.session.flush()
    tally.count_change(before, [(response.id, a.question_id, a.value_int) for a in answers])


# --- The admin's editor -----------------------------------------------------------------------


@dataclass
class QuestionData:
    kind: str
    text: str
    text_en: str = ""
    required: bool = True
    #: a rating's words (models.Words); kept, and ignored, for the other kinds
    words: str = Words.satisfaction.value
    #: [{"id": "…", "en": "…"}]
    options: list[dict] = field(default_factory=list)


def answer_count(question: Question) -> int:
    """How many answers staff may know of: in an anonymous survey, released ones only."""
    return db.session.execute(
        select(func.count()).where(
            Answer.question_id == question.id,
            anonymity.answer_shown(question.survey, Answer.response_id),
        )
    ).scalar_one()


def is_locked(question: Question) -> bool:
    """Whether answers could break when the question changes. In an anonymous survey every
    question counts as answered while responses wait for their batch, so that a refusal says
    nothing of what the waiting ones answered."""
    release = anonymity.progress(question.survey)
    return bool(answer_count(question) or (release and release.waiting))


def has_answers(survey: Survey) -> bool:
    return (
        db.session.scalar(select(Responded.registration_id).where(Responded.survey_id == survey.id))
        is not None
    )


def _check(data: QuestionData) -> None:
    if not data.text.strip():
        raise FeedbackError(_("The question needs a text."))
    if data.kind not in Kind.__members__:
        raise FeedbackError(_("Choose a kind of question."))
    if data.words not in Words.__members__:
        raise FeedbackError(_("Choose the words of the rating."))
    if data.kind in CHOICE_KINDS and len(data.options) < 2:
        raise FeedbackError(_("A choice question needs at least two options, one per line."))


def add_question(survey: Survey, data: QuestionData) -> Question:
    _check(data)
    position = len(survey.questions)
    question = Question(
        survey=survey,
        position=position,
        kind=data.kind,
        text=data.text.strip(),
        text_en=data.text_en.strip(),
        required=data.required,
        words=data.words,
        options=data.options if data.kind in CHOICE_KINDS else [],
    )
    with transaction():
        db.session.add(question)
    return question


def update_question(question: Question, data: QuestionData) -> None:
    """Change a question, refusing what would break answers given: another kind, or fewer
    options (an answer stores its option's place)."""
    if is_locked(question):
        if data.kind != question.kind:
            raise QuestionLocked(
                _("This question has answers: its kind cannot change. Add a new question instead.")
            )
        if len(data.options) < len(question.options):
            raise QuestionLocked(
                _("This question has answers: options cannot be removed, only reworded or added.")
            )
    _check(data)
    with transaction():
        question.kind = data.kind
        question.text = data.text.strip()
        question.text_en = data.text_en.strip()
        question.required = data.required
        question.words = data.words
        question.options = data.options if data.kind in CHOICE_KINDS else []


def remove_question(question: Question) -> None:
    if is_locked(question):
        raise QuestionLocked(_("This question has answers and cannot be removed."))
    survey = question.survey
    with transaction():
        survey.questions.remove(question)
        for i, q in enumerate(survey.questions):
            q.position = i


def move_question(question: Question, step: int) -> None:
    questions = list(question.survey.questions)
    i = questions.index(question)
    j = i + step
    with transaction():
        if 0 <= j < len(questions):
            questions[i].position, questions[j].position = j, i


def update_survey(
    survey: Survey,
    *,
    is_open: bool,
    anonymous: bool,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> None:
    if anonymous != survey.anonymous and has_answers(survey):
        raise QuestionLocked(
            _("Answers exist already: the survey cannot switch between anonymous and named.")
        )
    if opens_at and closes_at and closes_at <= opens_at:
        raise FeedbackError(_("The survey must close after it opens."))
    with transaction():
        survey.is_open = is_open
        survey.anonymous = anonymous
        survey.opens_at = opens_at
        survey.closes_at = closes_at


def set_open(survey: Survey, is_open: bool) -> None:
    with transaction():
        survey.is_open = is_open
