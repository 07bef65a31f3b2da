"""The survey, its questions and the answers.

Anonymity by design: in an anonymous survey a `Response` has no registration and no time, and its
id and its answers' ids are random (no order to match); `Responded` says only who has answered,
with no time and no link to the response. On SQLite the answer tables have no rowid, so the
storage order is the random id's; on PostgreSQL `storage.reshuffle` rewrites them the same way.
The chair sees an anonymous survey's responses only in batches (`Response.released`), so that
watching who answered tells nobody which answer is whose: kampung/review/anonymity.py.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kampung.auth.models import User
from kampung.database import UTCDateTime, utcnow
from kampung.extensions import Model
from kampung.models import Trip
from kampung.signup.models import Registration


def random_id() -> str:
    """A primary key that reveals no order: 128 random bits as hex."""
    return uuid.uuid4().hex


class Kind(enum.StrEnum):
    rating = "rating"
    single = "single"
    multiple = "multiple"
    short_text = "short_text"
    long_text = "long_text"
    nps = "nps"


KIND_LABELS = {
    Kind.rating: _l("Rating 1 to 5"),
    Kind.single: _l("Single choice"),
    Kind.multiple: _l("Multiple choice"),
    Kind.short_text: _l("Short text"),
    Kind.long_text: _l("Long text"),
    Kind.nps: _l("Recommendation 0 to 10"),
}


class Words(enum.StrEnum):
    """The words a rating question puts under its five buttons."""

    satisfaction = "satisfaction"
    usefulness = "usefulness"
    quality = "quality"
    agreement = "agreement"


#: the words under the five rating buttons, 1 to 5, for each set a question may choose
RATING_WORDS: dict[str, tuple] = {
    Words.satisfaction: (
        _l("very dissatisfied"),
        _l("dissatisfied"),
        _l("neutral"),
        _l("satisfied"),
        _l("very satisfied"),
    ),
    Words.usefulness: (
        _l("not useful at all"),
        _l("not useful"),
        _l("fairly useful"),
        _l("useful"),
        _l("very useful"),
    ),
    Words.quality: (
        _l("very poor"),
        _l("poor"),
        _l("fair"),
        _l("good"),
        _l("very good"),
    ),
    Words.agreement: (
        _l("strongly disagree"),
        _l("disagree"),
        _l("neither agree nor disagree"),
        _l("agree"),
        _l("strongly agree"),
    ),
}

CHOICE_KINDS = (Kind.single, Kind.multiple)
TEXT_KINDS = (Kind.short_text, Kind.long_text)
SCALE_KINDS = (Kind.rating, Kind.nps)


class Survey(Model):
    """The feedback survey of one trip."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trip.id", ondelete="CASCADE"), unique=True)
    #: answers keep no link to the person; fixed once answers exist
    anonymous: Mapped[bool] = mapped_column(default=False)
    #: the admin's switch; the window below narrows it when set
    is_open: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trip: Mapped[Trip] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", order_by="Question.position", cascade="all, delete-orphan"
    )

    def question(self, question_id: int) -> Question | None:
        """One of this survey's questions by id; None for another survey's."""
        return next((q for q in self.questions if q.id == question_id), None)

    def open_now(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if not self.is_open or self.trip.purged_at:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)


class Question(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    #: order in the survey, first question first
    position: Mapped[int] = mapped_column(default=0)
    #: rating, single, multiple, short_text, long_text or nps
    kind: Mapped[str] = mapped_column(String(16))
    #: the question in Indonesian
    text: Mapped[str] = mapped_column(Text)
    #: the question in English; empty shows the Indonesian
    text_en: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=True)
    #: a rating question's words under 1 to 5 (a Words value: satisfaction, usefulness, …)
    words: Mapped[str] = mapped_column(
        String(16), default=Words.satisfaction, server_default=Words.satisfaction.value
    )
    #: choices of single/multiple questions: [{"id": "…", "en": "…"}]; an answer stores the index
    options: Mapped[list] = mapped_column(JSON, default=list)

    survey: Mapped[Survey] = relationship(back_populates="questions")

    __table_args__ = (
        CheckConstraint(
            "kind IN ('rating', 'single', 'multiple', 'short_text', 'long_text', 'nps')",
            name="kind",
        ),
    )

    def label(self, locale: str = "id") -> str:
        return self.text_en if locale == "en" and self.text_en else self.text

    def option_labels(self, locale: str = "id") -> list[str]:
        return [(o.get("en") if locale == "en" and o.get("en") else o["id"]) for o in self.options]

    def rating_words(self) -> tuple:
        """The five words under a rating's 1 to 5, in the current language."""
        return RATING_WORDS.get(self.words, RATING_WORDS[Words.satisfaction])

    @property
    def scale(self) -> range:
        """The values a rating or 0-10 answer may take."""
        return range(1, 6) if self.kind == Kind.rating else range(11)


class Response(Model):
    """One person's answers. Anonymous: no registration, no time, a random id."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    #: who answered, in a named survey only; None in an anonymous one
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    #: when first sent, in a named survey only
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when last changed, in a named survey only
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: shown to the chair: at once in a named survey, K at a time in an anonymous one
    #: (kampung/review/anonymity.py); a flag, not a batch number, so it dates nothing
    released: Mapped[bool] = mapped_column(default=False)

    registration: Mapped[Registration | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # The few responses waiting for their batch (under K a survey), as each dialect writes
        # "not released" in the queries that use it.
        Index(
            "ix_response_waiting",
            "survey_id",
            sqlite_where=sql_text("released = 0"),
            postgresql_where=sql_text("NOT released"),
        ),
        {"sqlite_with_rowid": False},
    )


class Answer(Model):
    """One value: a rating or 0-10 or choice index in value_int (a row per chosen option for
    multiple choice), or a text in value_text."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    response_id: Mapped[str] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    #: the rating (1-5), the 0-10 score or the index of the chosen option
    value_int: Mapped[int | None] = mapped_column()
    #: the text of a short or long text answer
    value_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()

    __table_args__ = (
        Index("ix_answer_question_value", "question_id", "value_int"),
        Index("ix_answer_question_response", "question_id", "response_id"),
        {"sqlite_with_rowid": False},
    )


class Responded(Model):
    """That a registration has answered a survey: for the response rate and reminders only.
    No time, no link to the response."""

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = ({"sqlite_with_rowid": False},)


class MarkKind(enum.StrEnum):
    practice = "practice"
    followup = "followup"


MARK_LABELS = {MarkKind.practice: _l("Practice to adopt"), MarkKind.followup: _l("Follow-up")}


class Mark(Model):
    """The chair's mark on a comment: a practice to adopt or something to follow up."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: deferred, so that reshuffling an anonymous survey's answers keeps the marks
    answer_id: Mapped[str] = mapped_column(
        ForeignKey("answer.id", deferrable=True, initially="DEFERRED"),
        unique=True,
    )
    #: practice or followup
    kind: Mapped[str] = mapped_column(String(16))
    #: the chair's short note, e.g. what to ask the RT
    note: Mapped[str] = mapped_column(String(500), default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answer: Mapped[Answer] = relationship()
    marked_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("kind IN ('practice', 'followup')", name="kind"),)
