"""The SPJ papers through the test client: the daftar hadir's heading and columns, the proof
of travel, the per-diem rate (page and command), the receipt list and its spreadsheet, the
archive bundle, and no phone number on any of them."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook

from kampung.checkin import service as checkin
from kampung.checkin.models import CheckIn
from kampung.database import utcnow
from kampung.extensions import db
from kampung.paperwork import service
from kampung.paperwork.models import PerDiem
from kampung.signup.service import register
from tests.conftest import log_in, make_user, person

RATE = 350_000


@pytest.fixture
def people(trip):
    return [register(trip, person(i)).registration for i in range(5)]


@pytest.fixture
def boarded(trip, people, organiser):
    """Three people scanned at departure (a fourth scanned and undone), one only at the return."""
    departure, back = trip.checkpoints
    start = utcnow() - timedelta(hours=2)
    for i, registration in enumerate(people[:4]):
        checkin.check_in(
            registration.checkin_code,
            departure.id,
            organiser,
            scanned_at=start + timedelta(minutes=7 * i),
            device="HP Rina",
        )
    wrong = db.session.scalar(db.select(CheckIn).where(CheckIn.registration_id == people[3].id))
    checkin.undo(wrong, organiser, "Salah orang")
    checkin.check_in(people[4].checkin_code, back.id, organiser, device="HP Rina")
    return people[:3]


def _stored(trip) -> tuple | None:
    """The per-diem row as saved, to tell that a refused request saved nothing."""
    db.session.expire_all()
    row = db.session.get(PerDiem, trip.id)
    return None if row is None else (row.rate, row.days, row.updated_by_id, row.updated_at)


def _admin(client):
    log_in(client, make_user("admin", name="Admin Kota"))
    return client


def _phones(people) -> list[str]:
    """Each person's number as stored and as people write it."""
    return [
        form
        for p in people
        for form in (p.phone, "0" + p.phone[3:], p.phone[1:], p.phone[3:7] + "-")
    ]


# --- Per-diem terms -------------------------------------------------------------------------------


def test_the_default_day_count_is_the_trips_calendar_days_in_wib(trip):
    # Friday 06:00 to Sunday 21:00 WIB; the departure is Thursday 23:00 in UTC.
    trip.departs_at = datetime(2026, 1, 15, 23, 0, tzinfo=UTC)
    trip.returns_at = datetime(2026, 1, 18, 14, 0, tzinfo=UTC)
    db.session.delete(db.session.get(PerDiem, trip.id))  # the demo trip comes with a rate
    db.session.commit()
    assert service.calendar_days(trip) == 3
    assert service.terms(trip) == service.Terms(None, 3, False)
    service.set_per_diem(trip, RATE, 2)
    assert service.terms(trip) == service.Terms(RATE, 2, True)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("350000", 350_000),
        ("350.000", 350_000),
        ("Rp 350.000", 350_000),
        ("Rp350.000,-", 350_000),
        ("0", 0),
        ("1 250 000", 1_250_000),
    ],
)
def test_rupiah_is_read_as_staff_type_it(typed, amount):
    assert service.parse_rupiah(typed) == amount


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("-5000", "negative"),
        ("Rp -5.000", "negative"),
        ("tiga ratus", "not_a_number"),
        ("350.5", "not_a_number"),
        ("", "not_a_number"),
        ("²", "not_a_number"),
        ("9" * 40, "too_large"),
        ("9" * 5000, "too_large"),
        ("٣٥٠", "not_a_number"),
    ],
)
def test_a_rate_that_cannot_be_paid_is_refused(typed, reason):
    with pytest.raises(service.BadAmount) as refused:
        service.parse_rupiah(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(("typed", "days"), [("", None), ("3", 3), ("007", 7), ("60", 60)])
def test_a_day_count_is_read_as_staff_type_it(typed, days):
    assert service.parse_days(typed) == days


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("0", "zero_days"), ("61", "too_large"), ("9" * 5000, "too_large"), ("dua", "not_a_number")],
)
def test_a_day_count_that_cannot_be_paid_is_refused(typed, reason):
    with pytest.raises(service.BadAmount) as refused:
        service.parse_days(typed)
    assert refused.value.reason == reason


def test_admin_sets_the_rate_on_the_receipt_page(client, trip):
    _admin(client)
    url = f"/manage/{trip.slug}/uang-harian"
    response = client.post_form(url, {"rate": "Rp 350.000", "days": ""})
    assert response.status_code == 302
    assert service.terms(trip).rate == RATE
    page = client.get(url).get_data(as_text=True)
    assert 'value="350000"' in page
    assert "Rp 350.000" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"rate": "-350000", "days": ""}, "Jumlah tidak boleh negatif."),
        ({"rate": "tiga ratus ribu", "days": ""}, "Tulis bilangan bulat dengan angka"),
        ({"rate": "350000", "days": "dua"}, "Tulis bilangan bulat dengan angka"),
        ({"rate": "350000", "days": "-2"}, "Jumlah tidak boleh negatif."),
        ({"rate": "350000", "days": "0"}, "Paling sedikit satu hari."),
        ({"rate": "", "days": ""}, "Tulis tarif harian."),
    ],
)
def test_a_bad_rate_gets_a_message_and_saves_nothing(client, trip, form, message):
    _admin(client)
    before = _stored(trip)
    response = client.post_form(f"/manage/{trip.slug}/uang-harian", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _stored(trip) == before


def test_event_set_per_diem_from_the_shell(app, trip):
    run = app.test_cli_runner().invoke
    result = run(args=["event", "set", trip.slug, "--per-diem", "400.000"])
    assert result.exit_code == 0, result.output
    assert "Rp 400.000 a day for 3 days" in result.output
    assert service.terms(trip) == service.Terms(400_000, 3, False)
    result = run(args=["event", "set", trip.slug, "--per-diem-days", "2"])
    assert result.exit_code == 0, result.output
    assert service.terms(trip) == service.Terms(400_000, 2, True)
    for bad in ("-5000", "tiga", "1e6"):
        result = run(args=["event", "set", trip.slug, "--per-diem", bad])
        assert result.exit_code != 0, bad
        assert "whole rupiah amount" in result.output
    db.session.expire_all()
    assert service.terms(trip) == service.Terms(400_000, 2, True)


# --- The receipt list -----------------------------------------------------------------------------


def test_receipt_xlsx_total_is_days_times_rate_times_people_checked_in_at_departure(
    client, trip, people, boarded
):
    service.set_per_diem(trip, RATE, None)
    days = service.calendar_days(trip)
    response = _admin(client).get(f"/manage/{trip.slug}/uang-harian.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [row for row in sheet.iter_rows() if row[0].value is not None or row[1].value]
    body = [row for row in rows if isinstance(row[0].value, int)]
    assert [row[1].value for row in body] == sorted(p.full_name for p in boarded)
    for row in body:
        assert (row[4].value, row[5].value, row[6].value) == (days, RATE, days * RATE)
        assert "#,##0" in row[5].number_format and "#,##0" in row[6].number_format
    total = rows[-1]
    assert total[1].value == "Jumlah seluruhnya"
    assert total[6].value == days * RATE * len(boarded) == 3 * 3 * RATE
    assert isinstance(total[6].value, int)
    assert "#,##0" in total[6].number_format


def test_receipt_page_lists_only_those_checked_in_at_departure(client, trip, people, boarded):
    service.set_per_diem(trip, RATE, 2)
    page = _admin(client).get(f"/manage/{trip.slug}/uang-harian").get_data(as_text=True)
    for p in boarded:
        assert p.full_name in page
    assert people[3].full_name not in page  # undone
    assert people[4].full_name not in page  # only at the return
    assert "Jumlah seluruhnya (3 orang)" in page
    assert "2.100.000" in page  # 3 × 2 × 350.000
    assert "Pemerintah Kota Jambi" in page


def test_the_chair_reads_the_receipt_list_but_cannot_set_the_rate(client, trip, chair):
    log_in(client, chair)
    before = _stored(trip)
    url = f"/manage/{trip.slug}/uang-harian"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="rate"' not in page.get_data(as_text=True)
    assert client.get(url + ".xlsx").status_code == 200
    assert client.post_form(url, {"rate": "1"}).status_code == 403
    assert client.get(f"/manage/{trip.slug}/arsip.zip").status_code == 403
    assert _stored(trip) == before


def test_organisers_and_strangers_get_no_receipts_and_no_archive(client, trip, organiser):
    urls = [f"/manage/{trip.slug}/{p}" for p in ("uang-harian", "uang-harian.xlsx", "arsip.zip")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    log_in(client, organiser)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.get(f"/manage/{trip.slug}/bukti-perjalanan").status_code == 200


# --- Daftar hadir and proof of travel -------------------------------------------------------------


def test_daftar_hadir_has_the_spj_heading_scan_time_and_who_scanned(client, trip, boarded):
    log_in(client, make_user("organiser", "rina2", name="Rina Marlina"))
    departure = trip.checkpoints[0]
    page = client.get(
        f"/manage/{trip.slug}/checkin/{departure.id}/daftar-hadir?bus={trip.buses[0].id}"
    ).get_data(as_text=True)
    for text in ("Pemerintah Kota Jambi", "Program Kampung Bahagia", trip.title, departure.name):
        assert text in page
    assert "Bus 1" in page and "Tanda Tangan" in page and "Dipindai oleh" in page
    assert page.count(">Rina<") == 3  # the organiser fixture's name, once a boarded row
    first = boarded[0]
    checkin_row = db.session.scalar(db.select(CheckIn).where(CheckIn.registration_id == first.id))
    from kampung.i18n import wib_time

    assert wib_time(checkin_row.scanned_at) in page


def test_proof_of_travel_gives_first_and_last_scan_and_the_count(client, trip, boarded, organiser):
    log_in(client, organiser)
    page = client.get(f"/manage/{trip.slug}/bukti-perjalanan").get_data(as_text=True)
    scans = db.session.scalars(
        db.select(CheckIn.scanned_at).where(
            CheckIn.checkpoint_id == trip.checkpoints[0].id, CheckIn.undone_at.is_(None)
        )
    ).all()
    from kampung.i18n import wib_time

    assert wib_time(min(scans)) in page and wib_time(max(scans)) in page
    assert "3 / 5" in page  # departure: three of five seated
    assert "1 / 5" in page  # return
    assert "Tiba di" in page and "Berangkat dari" in page and "tanda tangan dan cap" in page
    passages = service.travel_proof(trip)
    assert [p.present for p in passages] == [3, 1]
    assert passages[0].first_at == min(scans) and passages[0].last_at == max(scans)


# --- The archive, and no phone anywhere -----------------------------------------------------------


def test_archive_bundle_holds_every_paper_as_html_and_xlsx(client, trip, people, boarded):
    service.set_per_diem(trip, RATE, None)
    response = _admin(client).get(f"/manage/{trip.slug}/arsip.zip")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    bundle = zipfile.ZipFile(io.BytesIO(response.data))
    names = {name.split("/", 1)[1] for name in bundle.namelist()}
    assert names == {
        "daftar-hadir-1-keberangkatan-jambi.html",
        "daftar-hadir-2-kepulangan-bengkulu.html",
        "daftar-hadir.xlsx",
        "bukti-perjalanan.html",
        "bukti-perjalanan.xlsx",
        "uang-harian.html",
        "uang-harian.xlsx",
        "laporan.html",
        "laporan.docx",
    }
    for name in bundle.namelist():
        body = bundle.read(name)
        if name.endswith(".html"):
            html = body.decode()
            # Stands alone: its CSS inside, nothing fetched, no script, no form.
            assert "<style>" in html and ".paper-table" in html, name
            assert "<link" not in html and "<script" not in html and "<form" not in html, name
            assert "@page" in html, name
        elif name.endswith(".docx"):
            Document(io.BytesIO(body))
        else:
            load_workbook(io.BytesIO(body))
    receipts = bundle.read(f"{trip.slug}/uang-harian.html").decode()
    assert all(p.full_name in receipts for p in boarded)
    sheet = load_workbook(io.BytesIO(bundle.read(f"{trip.slug}/uang-harian.xlsx"))).active
    assert sheet.cell(sheet.max_row, 7).value == 3 * 3 * RATE


def test_no_phone_number_on_any_paper(client, trip, people, boarded):
    service.set_per_diem(trip, RATE, None)
    _admin(client)
    departure = trip.checkpoints[0]
    pages = [
        client.get(f"/manage/{trip.slug}/checkin/{departure.id}/daftar-hadir"),
        client.get(f"/manage/{trip.slug}/bukti-perjalanan"),
        client.get(f"/manage/{trip.slug}/uang-harian"),
        client.get(f"/manage/{trip.slug}/laporan"),
    ]
    texts = [page.get_data(as_text=True) for page in pages]
    bundle = zipfile.ZipFile(io.BytesIO(client.get(f"/manage/{trip.slug}/arsip.zip").data))
    for name in bundle.namelist():
        if name.endswith(".html"):
            texts.append(bundle.read(name).decode())
        elif name.endswith(".docx"):
            document = Document(io.BytesIO(bundle.read(name)))
            texts.append(" ".join(p.text for p in document.paragraphs))
        else:
            workbook = load_workbook(io.BytesIO(bundle.read(name)))
            texts.append(
                " ".join(
                    str(cell.value)
                    for sheet in workbook
                    for row in sheet.iter_rows()
                    for cell in row
                )
            )
    assert all(people[0].full_name in text for text in texts[:1])
    for text in texts:
        for phone in _phones(people):
            assert phone not in text


def test_purge_asks_for_the_archive_first(app, trip, people, monkeypatch):
    monkeypatch.setattr("kampung.cli._at_a_terminal", lambda: True)
    trip.departs_at = utcnow() - timedelta(days=10)
    trip.returns_at = utcnow() - timedelta(days=8)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "purge", trip.slug], input="n\n")
    assert result.exit_code != 0
    assert f"/manage/{trip.slug}/arsip.zip" in result.output
    db.session.expire_all()
    assert people[0].full_name == "Peserta Uji 0"


def test_purge_without_a_terminal_reminds_and_purges(app, trip, people):
    trip.departs_at = utcnow() - timedelta(days=10)
    trip.returns_at = utcnow() - timedelta(days=8)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "purge", trip.slug])
    assert result.exit_code == 0, result.output
    assert f"/manage/{trip.slug}/arsip.zip" in result.output
    db.session.expire_all()
    assert people[0].full_name != "Peserta Uji 0"


def test_trips_page_reminds_the_admin_to_download_the_archive(client, trip):
    _admin(client)
    page = client.get("/manage/").get_data(as_text=True)
    assert "unduh arsip SPJ" in page
    assert f"/manage/{trip.slug}/arsip.zip" in page


def test_checkpoint_names_excel_refuses_still_make_a_workbook(client, trip, boarded):
    trip.checkpoints[0].name = "Rest area: KM 50 [Sarolangun] / ke-1?"
    trip.checkpoints[1].name = "Rest area: KM 50 [Sarolangun] / ke-2?"
    db.session.commit()
    bundle = zipfile.ZipFile(io.BytesIO(_admin(client).get(f"/manage/{trip.slug}/arsip.zip").data))
    workbook = load_workbook(io.BytesIO(bundle.read(f"{trip.slug}/daftar-hadir.xlsx")))
    assert len(workbook.sheetnames) == 2
    assert workbook.worksheets[0].cell(4, 1).value == trip.checkpoints[0].name
