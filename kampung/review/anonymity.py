"""What staff may see of an anonymous survey: its responses in batches of at least K.

The attack this stops: the chair watches who has answered (the response rate and the list of
who has not, which reminders need, change with each person) and reloads the answers in between;
an answer that appeared as one person moved to "answered" would be that person's. So the
answers side changes only K responses at a time: the response that makes K waiting releases
itself and the ones before it, in the transaction that adds it (`release_due`), and every
count, average, distribution, comment, mark, export and report reads released responses only
(`answer_shown`, `response_shown`), and the kept counts of kampung/review/tally.py change at
release only. Between two reloads the chair then sees K new answers and
the K (or more) people who gave them, never which is whose.

Closing releases nothing more: the remainder under K would appear on its own, and whoever knew
who answered last would read it by difference. Up to K-1 responses therefore stay hidden for
good, and the pages say how many. Inside a batch nothing orders the responses (random ids, no
time, no batch number stored), and an anonymous survey offers no breakdown by person (kecamatan,
bus, RT). A named survey shows every response as it comes: nothing here applies to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    func,
    select,
    true,
    update,
)

from kampung.extensions import db
from kampung.feedback.models import Response, Survey
from kampung.review import tally

#: the fewest responses that appear at once in an anonymous survey
K = 5


def _waiting(survey: Survey) -> ColumnElement[bool]:
    return and_(Response.survey_id == survey.id, ~Response.released)


def release_due(survey: Survey) -> bool:
    """Release an anonymous survey's waiting responses once K of them wait. Called in the
    transaction that adds a response, under the survey's lock, so that two never count the
    same waiting rows; True when a batch was released."""
    waiting = db.session.execute(select(func.count()).where(_waiting(survey))).scalar_one()
    if waiting < K:
        return False
    # Counted for the dashboard in the same step, so that the counts move a batch at a time too.
    tally.count_released(waiting_responses(survey))
    db.session.execute(update(Response).where(_waiting(survey)).values(released=True))
    return True


def waiting_responses(survey: Survey) -> Select:
    """The ids of the responses waiting for their batch: fewer than K."""
    return select(Response.id).where(_waiting(survey))


def answer_shown(survey: Survey, response_id: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """The condition that keeps an answer (by its response id) in staff's view. It looks up
    each answer's response: fine for one question's count; the summaries of all questions
    subtract the waiting responses' answers instead (review/service.summarise)."""
    if not survey.anonymous:
        return true()
    return response_id.not_in(waiting_responses(survey))


def response_shown(survey: Survey) -> SQLColumnExpression[bool]:
    """The same, for a query that has the response row at hand."""
    return Response.released if survey.anonymous else true()


@dataclass(frozen=True)
class Release:
    """How far an anonymous survey's results are shown, for the pages to say so."""

    #: responses whose answers staff see
    shown: int
    #: responses not shown yet, fewer than K
    waiting: int
    #: the survey still takes answers; once closed, the waiting ones stay hidden
    open: bool
    k: int = K

    @property
    def needed(self) -> int:
        """How many more answers release the waiting ones."""
        return self.k - self.waiting


def progress(survey: Survey) -> Release | None:
    """An anonymous survey's release, in one query; None for a named survey."""
    if not survey.anonymous:
        return None
    responses = select(func.count()).where(Response.survey_id == survey.id).scalar_subquery()
    waiting = select(func.count()).where(_waiting(survey)).scalar_subquery()
    total, waiting = db.session.execute(select(responses, waiting)).one()
    return Release(shown=total - waiting, waiting=waiting, open=survey.open_now())
