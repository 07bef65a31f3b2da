"""The demo trip's rundown: three days from Kantor Wali Kota Jambi to Bengkulu and back, dated
from the trip's departure; with people on the trip, one change and one announcement, read by
some of them, so that every schedule page shows something."""

from __future__ import annotations

import random
from datetime import time, timedelta

from sqlalchemy import Select, select

from kampung.database import transaction
from kampung.extensions import db
from kampung.i18n import WIB
from kampung.models import Trip
from kampung.schedule import reading, service
from kampung.signup.models import Registration

#: (day, start, end, place, what); day 1 is the departure day
RUNDOWN = (
    (1, "05.30", "06.00", "Halaman Kantor Wali Kota Jambi", "Kumpul dan scan QR di bus"),
    (1, "06.00", None, "Kantor Wali Kota Jambi", "Pelepasan oleh Wali Kota dan keberangkatan"),
    (1, "07.30", "08.00", "Rumah makan, Muara Bulian", "Istirahat dan sarapan"),
    (1, "11.45", "13.00", "Masjid Agung Sarolangun", "{salat} dan makan siang"),
    (1, "16.30", "17.00", "Rest area Lubuk Linggau", "Istirahat"),
    (1, "21.00", "22.00", "Hotel, Kota Bengkulu", "Tiba di hotel, pembagian kamar, makan malam"),
    (2, "06.30", "07.30", "Hotel, Kota Bengkulu", "Sarapan"),
    (2, "08.30", "09.30", "Balai Kota Bengkulu", "Penyambutan oleh Wali Kota Bengkulu"),
    (2, "09.30", "11.00", "Balai Kota Bengkulu", "Presentasi Kampung Bahagia Kota Jambi"),
    (2, "11.00", "12.30", "Balai Kota Bengkulu", "Diskusi dan tukar praktik baik antar-RT"),
    (2, "12.30", "13.30", "Balai Kota Bengkulu", "Ishoma (istirahat, salat, makan)"),
    (2, "14.00", "17.00", "Kecamatan Ratu Samban", "Kunjungan lapangan: bank sampah, kebun gizi"),
    (2, "19.00", "20.30", "Pantai Panjang", "Makan malam bersama dan ramah tamah"),
    (2, "20.45", "21.30", "Hotel, Kota Bengkulu", "Rangkuman: praktik yang dibawa pulang"),
    (3, "06.00", "07.00", "Hotel, Kota Bengkulu", "Sarapan dan check-out"),
    (3, "07.00", None, "Hotel, Kota Bengkulu", "Keberangkatan pulang ke Jambi"),
    (3, "09.30", "10.00", "Curup, Rejang Lebong", "Istirahat"),
    (3, "12.00", "13.00", "Lubuk Linggau", "Makan siang dan salat"),
    (3, "16.30", "17.00", "Sarolangun", "Istirahat"),
    (3, "18.30", "19.15", "Rumah makan, Muara Bulian", "Makan malam"),
    (3, "20.30", None, "Kantor Wali Kota Jambi", "Tiba kembali di Kantor Wali Kota Jambi"),
)  # fmt: skip

ANNOUNCEMENT = (
    "Untuk penyambutan oleh Wali Kota Bengkulu hari Sabtu, peserta memakai batik dan membawa "
    "KTP. Jangan lupa obat pribadi dan jaket: perjalanan malam di bus dingin."
)


def _clock(text: str) -> time:
    hours, minutes = text.split(".")
    return time(int(hours), int(minutes))


def add_demo_rundown(trip: Trip) -> None:
    """The rundown, published; with people on the trip, the field visit moved from 14.00 to
    15.30 (the reception ran long), an announcement, and about half of the people having
    read each."""
    first = trip.departs_at.astimezone(WIB).date()
    with transaction():
        # The trip leaves on a Friday; a demo that leaves on another day prays Zuhur.
        salat = "Salat Jumat" if first.weekday() == 4 else "Salat Zuhur"
        for day, starts, ends, place, what in RUNDOWN:
            service.add_item(
                trip,
                service.ItemInput(
                    first + timedelta(days=day - 1),
                    _clock(starts),
                    _clock(ends) if ends else None,
                    place,
                    what.format(salat=salat),
                ),
                None,
            )
        service.publish(trip, None)
    people = list(db.session.scalars(_seated(trip)))
    if not people:
        return
    visit = next(i for i in service.items_of(trip) if i.what.startswith("Kunjungan lapangan"))
    visit_day = visit.starts_at.astimezone(WIB).date()
    moved = service.ItemInput(visit_day, time(15, 30), time(18, 0), visit.place, visit.what)
    change = service.change_item(visit, moved, None)
    announcement = service.post_announcement(trip, ANNOUNCEMENT, None)
    rng = random.Random(67)
    for notice in (change, announcement):
        if notice is None:
            continue
        for person in rng.sample(people, len(people) // 2):
            reading.mark_read(person, notice)


def _seated(trip: Trip) -> Select:
    return select(Registration).where(Registration.trip_id == trip.id, Registration.is_seated)
