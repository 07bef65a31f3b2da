"""The review's own table: the answers counted as they arrive (kampung/review/tally.py)."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from kampung.extensions import Model

#: the `value` of the row that counts the responses which answered the question at all
RESPONSES = -1


class AnswerCount(Model):
    """How many answers staff may see give one value to one question, kept up to date as
    answers arrive (named survey) or are released (anonymous survey, in batches), so that the
    dashboard reads a few rows whether 67 or 100,000 people answered."""

    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), primary_key=True
    )
    #: the rating, the 0-10 score or the chosen option's index; RESPONSES (-1) counts the
    #: responses that answered the question (a text, or one or more choices)
    value: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: how many answers gave it
    number: Mapped[int] = mapped_column(default=0)
