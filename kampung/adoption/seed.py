"""Many made-up commitments and follow-up answers at once, in bulk inserts: for the adoption
benchmark and the scale tests."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from kampung.adoption.models import Commitment, FollowupAnswer, FollowupRound, Practice
from kampung.database import transaction
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Trip
from kampung.places import KELURAHAN_BY_KECAMATAN
from kampung.signup.models import Registration, Status
from kampung.tokens import new_secret

OWN_WORDS = ("Kebun gizi di lahan kosong", "Lomba kebersihan antar-gang", "Arisan sampah plastik")
OBSTACLES = (
    "Dana kas RT belum cukup.",
    "Warga masih sibuk panen.",
    "Belum ada tempat penampungan.",
    "",
    "",
)
STATUSES = ("not_started", "started", "started", "running")


def seed_commitments(trip: Trip, n: int, *, answered: float = 0.7, seed: int = 1) -> None:
    """n commitments by n/2 seated participants (two each, three for every fifth one), the
    trip's first round opened, and `answered` of them answered in it."""
    rng = random.Random(seed)
    practice_ids = list(
        db.session.scalars(select(Practice.id).where(Practice.trip_id == trip.id, Practice.is_live))
    )
    kecamatan = list(KELURAHAN_BY_KECAMATAN)
    base = rng.randrange(10_000_000, 80_000_000)
    people: list[dict] = []
    per_person: list[int] = []
    while sum(per_person) < n:
        per_person.append(min(3 if len(per_person) % 5 == 0 else 2, n - sum(per_person)))
    for i in range(len(per_person)):
        k = kecamatan[i % len(kecamatan)]
        people.append(
            {
                "trip_id": trip.id,
                "full_name": f"Ketua RT {i + 1:05d}",
                "phone": f"+62816{base + i:08d}",
                "kecamatan": k,
                "kelurahan": KELURAHAN_BY_KECAMATAN[k][0],
                "rt": i % 40 + 1,
                "rw": i % 12 + 1,
                "status": Status.registered,
                "access_token": new_secret(),
                "checkin_code": new_secret(),
            }
        )
    with transaction():
        ids = db.session.scalars(insert(Registration).returning(Registration.id), people).all()
        month = datetime.now(WIB).date().replace(day=1) + timedelta(days=62)
        rows = []
        for registration_id, person, count in zip(ids, people, per_person, strict=True):
            for position in range(1, count + 1):
                own = rng.random() < 0.15 or not practice_ids
                rows.append(
                    {
                        "trip_id": trip.id,
                        "registration_id": registration_id,
                        "practice_id": None if own else rng.choice(practice_ids),
                        "what": rng.choice(OWN_WORDS) if own else "",
                        "target_month": month.replace(day=1),
                        "carried_by": "Ketua RT dan pengurus",
                        "kecamatan": person["kecamatan"],
                        "position": position,
                    }
                )
        commitment_ids = db.session.scalars(insert(Commitment).returning(Commitment.id), rows).all()
        first = db.session.scalar(
            select(FollowupRound).where(FollowupRound.trip_id == trip.id, FollowupRound.number == 1)
        )
        assert first is not None, "every trip has its first round (kampung.trips)"
        opened = trip.returns_at + timedelta(days=first.days_after)
        db.session.execute(
            update(FollowupRound)
            .where(FollowupRound.id == first.id)
            .values(is_open=True, opened_at=opened)
        )
        answers = [
            {
                "commitment_id": cid,
                "round_id": first.id,
                "status": rng.choice(STATUSES),
                "obstacle": rng.choice(OBSTACLES),
                "note": "",
                "answered_at": opened,
            }
            for cid in commitment_ids[: int(len(commitment_ids) * answered)]
        ]
        for start in range(0, len(answers), 5000):
            db.session.execute(insert(FollowupAnswer), answers[start : start + 5000])
