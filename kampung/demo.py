"""The demo trip: Kota Jambi's Kampung Bahagia study visit to Bengkulu, with made-up people."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from kampung.adoption.models import Practice
from kampung.database import transaction
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Trip
from kampung.paperwork.service import set_per_diem
from kampung.places import KELURAHAN_BY_KECAMATAN
from kampung.rooms.service import assign_rooms
from kampung.schedule.demo import add_demo_rundown
from kampung.signup import service
from kampung.trips import create_trip

SLUG = "studi-banding-bengkulu"

_FIRST = (
    "Ahmad", "Budi", "Siti", "Dewi", "Hendra", "Rina", "Syamsul", "Nurhayati", "Joko", "Yusuf",
    "Fitri", "Agus", "Sri", "Bambang", "Rahmat", "Wati", "Imam", "Lestari", "Darmawan", "Zainal",
)  # fmt: skip
_LAST = (
    "Saputra", "Hasibuan", "Siregar", "Wijaya", "Rahman", "Lubis", "Hidayat", "Nasution",
    "Pratama", "Harahap", "Kurniawan", "Simanjuntak", "Effendi", "Syahputra", "Marpaung",
)  # fmt: skip


#: practices the chair names from the comments, offered in the participants' plans
PRACTICES = ("Bank sampah RT", "Posyandu lansia keliling", "Jadwal ronda bergilir")


def create_demo_trip(participants: int = 20, departure: date | None = None) -> Trip:
    """The trip PRODUCT.md describes, departing in 14 days so every flow is live."""
    departure = departure or (datetime.now(WIB).date() + timedelta(days=14))
    departs_at = datetime.combine(departure, time(6, 0), WIB)
    with transaction():
        trip = create_trip(
            slug=SLUG,
            title="Studi Banding Kampung Bahagia: Jambi ke Bengkulu",
            description=(
                "Kunjungan tiga hari para Ketua RT peserta Kampung Bahagia ke Kota Bengkulu: "
                "bertemu Wali Kota Bengkulu, melihat langsung praktik gotong royong warga, "
                "dan memaparkan hasil kerja RT masing-masing."
            ),
            origin="Kantor Wali Kota Jambi",
            destination="Kota Bengkulu",
            meeting_point="Halaman Kantor Wali Kota Jambi, pukul 05.30 WIB",
            # Made up, in the 0812-0000-xxxx series: never a real subscriber.
            contact_name="Ibu Rina Marlina",
            contact_phone="+6281200000100",
            departs_at=departs_at,
            returns_at=datetime.combine(departure + timedelta(days=2), time(21, 0), WIB),
            capacity=67,
            registration_open=True,
            buses=[("Bus 1", 34), ("Bus 2", 33)],
            checkpoints=["Keberangkatan Jambi", "Kepulangan Bengkulu"],
        )
        # What the chair would name from the comments; the follow-up rounds come with the trip.
        for name in PRACTICES:
            db.session.add(Practice(trip_id=trip.id, name=name))
    # A made-up daily allowance, so that the receipt list (/manage/<slug>/uang-harian) adds up.
    set_per_diem(trip, 350_000, None)
    rng = random.Random(2026)
    names: list[tuple[str, str]] = []
    for i in range(participants):
        kecamatan = rng.choice(list(KELURAHAN_BY_KECAMATAN))
        name, gender = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", rng.choice("LP")
        # Every fifth person asks to share a room with the last one of their gender before.
        mate = next((n for n, g in reversed(names) if g == gender), "") if i % 5 == 4 else ""
        names.append((name, gender))
        registration = service.register(
            trip,
            {
                "full_name": name,
                # 0812-0000-xxxx: a made-up series, never a real subscriber in the demo.
                "phone": f"+62812{i + 10000000:08d}",
                "kecamatan": kecamatan,
                "kelurahan": rng.choice(KELURAHAN_BY_KECAMATAN[kecamatan]),
                "rt": rng.randint(1, 40),
                "rw": rng.randint(1, 12),
                "role": "Ketua RT",
                "gender": gender,
                "share_with": mate,
                "emergency_name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                # the same made-up series, further on
                "emergency_phone": f"+62812{i + 10005000:08d}",
            },
            source="import",
            consent_at=datetime.now(WIB),
        ).registration
        # Both buses fill, as on the road: the roll-call per bus has something to show.
        if i % 2 and registration.bus_id is not None:
            with transaction():
                registration.bus = trip.buses[1]
    assign_rooms(trip, size=2)
    add_demo_rundown(trip)
    return trip
