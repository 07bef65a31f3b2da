"""The adoption dashboard's figures and the export: every count an SQL aggregate, so the page
makes the same number of queries at 67 or 10,000 commitments; Python only arranges the grouped
rows. Lists that grow with the trip (adopters, obstacles, non-respondents) come in pages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select

from kampung.adoption.models import (
    PROGRESS_LABELS,
    Commitment,
    FollowupAnswer,
    FollowupRound,
    Practice,
    Progress,
)
from kampung.extensions import db
from kampung.models import Trip
from kampung.signup.models import Registration, format_rt_rw

#: adopters named per practice, obstacles and non-respondents per page
ADOPTERS_SHOWN = 10
PAGE_SIZE = 50
#: the statuses that count as adopted (tried, or part of the RT's routine)
ADOPTED = (Progress.started, Progress.running)


def latest_status() -> Select:
    """Per commitment, the status of the latest round it was answered in."""
    query = select(
        FollowupAnswer.commitment_id,
        FollowupAnswer.status,
        func.row_number()
        .over(partition_by=FollowupAnswer.commitment_id, order_by=FollowupRound.number.desc())
        .label("n"),
    ).join(FollowupRound, FollowupRound.id == FollowupAnswer.round_id)
    ranked = query.subquery()
    return select(ranked.c.commitment_id, ranked.c.status).where(ranked.c.n == 1)


@dataclass
class Counts:
    """How many committed, and per status how many answered so in one round."""

    committed: int = 0
    by_status: Counter = field(default_factory=Counter)

    @property
    def answered(self) -> int:
        return sum(self.by_status.values())

    def share(self, count: int) -> float:
        return 100 * count / self.committed if self.committed else 0.0


@dataclass
class Person:
    name: str
    rt_rw: str
    kelurahan: str
    kecamatan: str
    status: str


@dataclass
class PracticeFigures:
    #: None for the commitments in people's own words, not linked to a named practice
    practice_id: int | None
    name: str
    committed: int = 0
    #: per round id
    rounds: dict[int, Counts] = field(default_factory=dict)
    adopters: list[Person] = field(default_factory=list)


@dataclass
class RoundRate:
    round: FollowupRound
    answered: int
    expected: int

    @property
    def percent(self) -> float:
        return 100 * self.answered / self.expected if self.expected else 0.0

    @property
    def missing(self) -> int:
        return self.expected - self.answered


def _scope(trip: Trip):
    return Commitment.trip_id == trip.id


def practice_figures(
    trip: Trip, rounds: list[FollowupRound], chosen: FollowupRound | None
) -> list[PracticeFigures]:
    """Per live practice (and the unlinked rest): committed, per round per status, and the RT
    heads who adopted it in the chosen round (the first few)."""
    figures: dict[int | None, PracticeFigures] = {
        p.id: PracticeFigures(p.id, p.name)
        for p in db.session.scalars(
            select(Practice).where(Practice.trip_id == trip.id, Practice.is_live)
        )
    }
    committed = db.session.execute(
        select(Commitment.practice_id, func.count())
        .where(_scope(trip))
        .group_by(Commitment.practice_id)
    )
    for practice_id, count in committed:
        figures.setdefault(
            practice_id, PracticeFigures(None, _("In their own words"))
        ).committed = count
    for f in figures.values():
        f.rounds = {r.id: Counts(f.committed) for r in rounds}
    per_round = db.session.execute(
        select(Commitment.practice_id, FollowupAnswer.round_id, FollowupAnswer.status, func.count())
        .join(FollowupAnswer, FollowupAnswer.commitment_id == Commitment.id)
        .where(_scope(trip))
        .group_by(Commitment.practice_id, FollowupAnswer.round_id, FollowupAnswer.status)
    )
    for practice_id, round_id, status, count in per_round:
        if practice_id in figures and round_id in figures[practice_id].rounds:
            figures[practice_id].rounds[round_id].by_status[status] = count
    if chosen is not None:
        for practice_id, person in adopters(trip, chosen):
            if practice_id in figures:
                figures[practice_id].adopters.append(person)
    ordered = sorted(
        figures.values(), key=lambda f: (f.practice_id is None, -f.committed, f.name.casefold())
    )
    return [f for f in ordered if f.practice_id is not None or f.committed]


def adopters(trip: Trip, round_: FollowupRound) -> list[tuple[int | None, Person]]:
    """Per practice, the first RT heads (by name) who said started or running in the round."""
    ranked = (
        select(
            Commitment.practice_id,
            Registration.full_name,
            Registration.rt,
            Registration.rw,
            Registration.kelurahan,
            Registration.kecamatan,
            FollowupAnswer.status,
            func.row_number()
            .over(partition_by=Commitment.practice_id, order_by=Registration.full_name)
            .label("n"),
        )
        .join(FollowupAnswer, FollowupAnswer.commitment_id == Commitment.id)
        .join(Registration, Registration.id == Commitment.registration_id)
        .where(
            _scope(trip),
            FollowupAnswer.round_id == round_.id,
            FollowupAnswer.status.in_(ADOPTED),
            Commitment.practice_id.is_not(None),
        )
        .subquery()
    )
    rows = db.session.execute(select(ranked).where(ranked.c.n <= ADOPTERS_SHOWN))
    return [
        (
            r.practice_id,
            Person(r.full_name, format_rt_rw(r.rt, r.rw), r.kelurahan, r.kecamatan, r.status),
        )
        for r in rows
    ]


def kecamatan_figures(trip: Trip, round_: FollowupRound | None) -> dict[str, Counts]:
    """Per kecamatan: committed, and per status in the chosen round."""
    figures: dict[str, Counts] = {}
    for kecamatan, count in db.session.execute(
        select(Commitment.kecamatan, func.count())
        .where(_scope(trip))
        .group_by(Commitment.kecamatan)
        .order_by(Commitment.kecamatan)
    ):
        figures[kecamatan] = Counts(count)
    if round_ is not None:
        for kecamatan, status, count in db.session.execute(
            select(Commitment.kecamatan, FollowupAnswer.status, func.count())
            .join(FollowupAnswer, FollowupAnswer.commitment_id == Commitment.id)
            .where(_scope(trip), FollowupAnswer.round_id == round_.id)
            .group_by(Commitment.kecamatan, FollowupAnswer.status)
        ):
            figures.setdefault(kecamatan, Counts()).by_status[status] = count
    return figures


def _asked(trip: Trip):
    """The people asked in a round: those with at least one commitment (none after the purge)."""
    return select(Commitment.registration_id).where(
        _scope(trip), Commitment.registration_id.is_not(None)
    )


def _answered(round_: FollowupRound):
    return (
        select(Commitment.registration_id)
        .join(FollowupAnswer, FollowupAnswer.commitment_id == Commitment.id)
        .where(FollowupAnswer.round_id == round_.id, Commitment.registration_id.is_not(None))
    )


def round_rates(trip: Trip, rounds: list[FollowupRound]) -> list[RoundRate]:
    """Per round, how many of those asked answered it: one query."""
    expected = (
        select(func.count(func.distinct(Commitment.registration_id)))
        .where(_scope(trip))
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            FollowupRound.id,
            expected,
            select(func.count(func.distinct(Commitment.registration_id)))
            .join(FollowupAnswer, FollowupAnswer.commitment_id == Commitment.id)
            .where(FollowupAnswer.round_id == FollowupRound.id)
            .correlate(FollowupRound)
            .scalar_subquery(),
        ).where(FollowupRound.trip_id == trip.id)
    )
    counts = {round_id: (asked, answered) for round_id, asked, answered in rows}
    return [RoundRate(r, counts.get(r.id, (0, 0))[1], counts.get(r.id, (0, 0))[0]) for r in rounds]


def not_answered(trip: Trip, round_: FollowupRound, page: int = 1) -> list[Registration]:
    """Who committed and has not answered the round yet, by name, a page at a time (how many in
    all: the round's RoundRate)."""
    scope = and_(Registration.id.in_(_asked(trip)), Registration.id.not_in(_answered(round_)))
    people = db.session.scalars(
        select(Registration)
        .where(scope)
        .order_by(Registration.full_name, Registration.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return list(people)


@dataclass
class Obstacle:
    text: str
    practice: str
    kecamatan: str
    round_number: int
    status: str


def obstacles(trip: Trip, search: str = "", page: int = 1) -> tuple[list[Obstacle], int]:
    """What got in the way, newest round first, those containing `search` only."""
    scope = [_scope(trip), FollowupAnswer.obstacle != ""]
    if search:
        scope.append(func.lower(FollowupAnswer.obstacle).contains(search.lower(), autoescape=True))
    total = db.session.scalar(
        select(func.count(FollowupAnswer.id))
        .join(Commitment, Commitment.id == FollowupAnswer.commitment_id)
        .where(*scope)
    )
    rows = db.session.execute(
        select(
            FollowupAnswer.obstacle,
            func.coalesce(Practice.name, Commitment.what),
            Commitment.kecamatan,
            FollowupRound.number,
            FollowupAnswer.status,
        )
        .join(Commitment, Commitment.id == FollowupAnswer.commitment_id)
        .join(FollowupRound, FollowupRound.id == FollowupAnswer.round_id)
        .outerjoin(Practice, Practice.id == Commitment.practice_id)
        .where(*scope)
        .order_by(FollowupRound.number.desc(), FollowupAnswer.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return [Obstacle(*row) for row in rows], total or 0


# --- The export -------------------------------------------------------------------------------

HEADER = [
    "full_name",
    "rt",
    "rw",
    "kelurahan",
    "kecamatan",
    "practice",
    "target_month",
    "round",
    "status",
    "obstacle",
    "note",
]


def export_rows(trip: Trip) -> tuple[list[str], list[list]]:
    """One row per commitment per round of the trip; status and the rest empty where the round
    has no answer for it (yet). One query."""
    rows = db.session.execute(
        select(
            Registration.full_name,
            Registration.rt,
            Registration.rw,
            Registration.kelurahan,
            Commitment.kecamatan,
            func.coalesce(Practice.name, Commitment.what),
            Commitment.target_month,
            FollowupRound.number,
            FollowupAnswer.status,
            FollowupAnswer.obstacle,
            FollowupAnswer.note,
        )
        .select_from(Commitment)
        .join(FollowupRound, FollowupRound.trip_id == Commitment.trip_id)
        .outerjoin(Registration, Registration.id == Commitment.registration_id)
        .outerjoin(Practice, Practice.id == Commitment.practice_id)
        .outerjoin(
            FollowupAnswer,
            and_(
                FollowupAnswer.commitment_id == Commitment.id,
                FollowupAnswer.round_id == FollowupRound.id,
            ),
        )
        .where(_scope(trip))
        .order_by(Registration.full_name, Commitment.id, FollowupRound.number)
    )
    out = []
    for name, rt, rw, kelurahan, kecamatan, practice, month, number, status, obstacle, note in rows:
        out.append(
            [
                name or "",
                f"{rt:03d}" if rt else "",
                f"{rw:03d}" if rw else "",
                kelurahan or "",
                kecamatan,
                practice,
                month.strftime("%Y-%m"),
                number,
                str(PROGRESS_LABELS[Progress(status)]) if status else "",
                obstacle or "",
                note or "",
            ]
        )
    return HEADER, out
