"""Many made-up responses at once, in bulk inserts: for the review benchmark and scale tests."""

from __future__ import annotations

import random

from sqlalchemy import insert

from kampung.database import transaction
from kampung.extensions import db
from kampung.feedback.models import (
    CHOICE_KINDS,
    Answer,
    Kind,
    Responded,
    Response,
    Survey,
    random_id,
)
from kampung.places import KELURAHAN_BY_KECAMATAN
from kampung.review import tally
from kampung.review.anonymity import K
from kampung.signup.models import Registration, Status
from kampung.tokens import new_secret

COMMENTS = (
    "Bank sampah dikelola warga dan hasilnya untuk kas RT.",
    "Jadwal ronda malam yang ditempel di pos kamling.",
    "Kebun gizi di lahan kosong bersama ibu-ibu PKK.",
    "Bus berangkat terlambat, mohon lebih tepat waktu.",
    "Makanan cukup, tetapi air minum kurang.",
)


def seed_responses(survey: Survey, n: int, *, missing: int = 0, seed: int = 1) -> None:
    """n registered participants who answered every question, plus `missing` who did not."""
    rng = random.Random(seed)
    trip_id = survey.trip_id
    kecamatan = list(KELURAHAN_BY_KECAMATAN)
    bus_ids: list[int | None] = [b.id for b in survey.trip.buses] or [None]
    base = rng.randrange(10_000_000, 80_000_000)
    people = []
    for i in range(n + missing):
        k = kecamatan[i % len(kecamatan)]
        people.append(
            {
                "trip_id": trip_id,
                "full_name": f"Peserta {i + 1:05d}",
                "phone": f"+62815{base + i:08d}",
                "kecamatan": k,
                "kelurahan": KELURAHAN_BY_KECAMATAN[k][0],
                "rt": i % 40 + 1,
                "rw": i % 12 + 1,
                "status": Status.registered,
                "bus_id": bus_ids[i % len(bus_ids)],
                "access_token": new_secret(),
                "checkin_code": new_secret(),
            }
        )
    ids = db.session.scalars(insert(Registration).returning(Registration.id), people).all()
    answering = ids[:n]
    db.session.execute(
        insert(Responded), [{"survey_id": survey.id, "registration_id": r} for r in answering]
    )
    responses, answers = [], []
    # As if they had answered one by one: all released but, when anonymous, a remainder under K.
    released = n - n % K if survey.anonymous else n
    for i, registration_id in enumerate(answering):
        rid = random_id()
        responses.append(
            {
                "id": rid,
                "survey_id": survey.id,
                "registration_id": None if survey.anonymous else registration_id,
                "released": i < released,
            }
        )
        for q in survey.questions:
            answers.extend(_answers(q, rid, rng))
    with transaction():
        db.session.execute(insert(Response), responses)
        for start in range(0, len(answers), 5000):
            db.session.execute(insert(Answer), answers[start : start + 5000])
        # Inserted in bulk, past the rules that keep the dashboard's counts: counted afresh.
        tally.rebuild(survey)


def _answers(question, response_id: str, rng: random.Random) -> list[dict]:
    row = {"id": None, "response_id": response_id, "question_id": question.id, "value_text": None}
    if question.kind == Kind.rating:
        values = [rng.choice((3, 4, 4, 5, 5))]
    elif question.kind == Kind.nps:
        values = [rng.randint(5, 10)]
    elif question.kind in CHOICE_KINDS:
        count = 1 if question.kind == Kind.single else rng.randint(1, len(question.options))
        values = rng.sample(range(len(question.options)), count)
    else:
        return [row | {"id": random_id(), "value_int": None, "value_text": rng.choice(COMMENTS)}]
    return [row | {"id": random_id(), "value_int": v} for v in values]
