"""The answers counted as they arrive, for the dashboard, the report and the comments page.

Reading a few counted rows costs the same at 67 or 100,000 responses, where a GROUP BY over
every answer grows with them (260 ms for 900,000 answers on SQLite). The counts change in the
transaction that changes the answers: a named response adds its answers and takes back those it
replaced (`count_change`); an anonymous survey's answers are counted only when their batch is
released (`count_released`, kampung/review/anonymity.py), so that the counts move K responses at
a time like everything else staff see. `rebuild` counts afresh from the answers (bulk seeding,
and the tests' check that the kept counts agree).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from kampung.extensions import db
from kampung.feedback.models import Answer, Question, Response, Survey
from kampung.review.models import RESPONSES, AnswerCount

#: one answer as counted: (response id, question id, value_int)
Counted = tuple[str, int, int | None]


def counts_of(answers: Iterable[Counted]) -> Counter:
    """{(question id, value): how many}, with (question id, RESPONSES) the responses that
    answered the question at all (once each, even with several choices)."""
    answers = list(answers)
    counts: Counter = Counter()
    for _response, question_id in {(r, q) for r, q, _v in answers}:
        counts[question_id, RESPONSES] += 1
    for _response, question_id, value in answers:
        if value is not None:
            counts[question_id, value] += 1
    return counts


def add(counts: Counter) -> None:
    """Add `counts` (negative ones take away) to the kept counts. In key order, so that two
    transactions adding at once lock the rows in the same order and never deadlock."""
    rows = [
        {"question_id": q, "value": v, "number": n} for (q, v), n in sorted(counts.items()) if n
    ]
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(AnswerCount)
    statement = statement.on_conflict_do_update(
        index_elements=["question_id", "value"],
        set_={"number": AnswerCount.number + statement.excluded["number"]},
    )
    db.session.execute(statement, rows)


def count_change(before: Iterable[Counted], after: Iterable[Counted]) -> None:
    """A named response changed from `before` to `after` (empty before its first sending)."""
    change = counts_of(after)
    change.subtract(counts_of(before))
    add(change)


def count_released(responses) -> None:
    """Count the answers of `responses` (a select of response ids) as they are released."""
    add(
        counts_of(
            db.session.execute(
                select(Answer.response_id, Answer.question_id, Answer.value_int).where(
                    Answer.response_id.in_(responses)
                )
            ).all()
        )
    )


def read(questions: list[Question]) -> Counter:
    """The kept counts of `questions`: {(question id, value): how many}, in one query."""
    if not questions:
        return Counter()
    rows = db.session.execute(
        select(AnswerCount.question_id, AnswerCount.value, AnswerCount.number).where(
            AnswerCount.question_id.in_([q.id for q in questions])
        )
    )
    return Counter({(q, v): n for q, v, n in rows if n})


def rebuild(survey: Survey) -> None:
    """Count a survey's shown answers afresh, replacing the kept counts. Does not commit."""
    from kampung.review.anonymity import response_shown

    question_ids = [q.id for q in survey.questions]
    db.session.execute(delete(AnswerCount).where(AnswerCount.question_id.in_(question_ids)))
    shown = (
        select(Answer.question_id, Answer.response_id, Answer.value_int)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, response_shown(survey))
        .subquery()
    )
    counts: Counter = Counter()
    for question_id, value, number in db.session.execute(
        select(shown.c.question_id, shown.c.value_int, func.count())
        .where(shown.c.value_int.is_not(None))
        .group_by(shown.c.question_id, shown.c.value_int)
    ):
        counts[question_id, value] = number
    for question_id, number in db.session.execute(
        select(shown.c.question_id, func.count(func.distinct(shown.c.response_id))).group_by(
            shown.c.question_id
        )
    ):
        counts[question_id, RESPONSES] = number
    add(counts)
