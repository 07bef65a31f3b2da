"""Importing the RT heads: real-world CSV, XLSX, XLS and ODS files, every row checked, all or
nothing, the rows waiting in the database between preview and save."""

import io
import re
from datetime import timedelta

import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook
from sqlalchemy import func, update

from kampung import create_app, privacy
from kampung.database import utcnow
from kampung.extensions import db
from kampung.manage.import_file import COLUMNS
from kampung.manage.models import ImportJob
from kampung.signup import service as signup
from kampung.signup.models import Registration, Status
from tests.conftest import KampungClient, log_in, make_user, person
from tests.manage.conftest import client_as

HEADER = ",".join(COLUMNS)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: a sheet as old Excel and LibreOffice users type it: a blank first row, the phone as a number,
#: which drops its leading zero and comes back as a float (81234567890.0), RT and RW as numbers
TYPED = [
    [],
    ["Full Name", "Phone", "Kecamatan", "Kelurahan", "RT", "RW", "Gender"],
    ["Budi Santoso", 81234567890, "Telanaipura", "Pematang Sulur", 5, 2, "L"],
    ["Siti Aminah", "0813-3333-4444", "Jelutung", "Payo Lebar", "012", 3, "Perempuan"],
    ["Rahmat Hidayat", 6285266667777, "Kota Baru", "Paal Lima", 7, None, "pria"],
]


def people_on(trip) -> list[Registration]:
    return list(
        db.session.scalars(
            db.select(Registration).where(Registration.trip_id == trip.id).order_by(Registration.id)
        )
    )


def upload(client, trip, data: bytes, filename: str = "peserta.csv"):
    return client.post_form(
        f"/manage/{trip.slug}/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def xls_file(rows: list[list]) -> bytes:
    """An .xls as Excel 97-2003 saves it (BIFF8 in an OLE2 file); numbers are stored as floats."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Peserta")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def ods_file(rows: list[list]) -> bytes:
    """An .ods as LibreOffice Calc saves it: numbers as float cells, text as string cells."""
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Peserta")
    for row in rows:
        tr = TableRow()
        for value in row:
            if value is None:
                tr.addElement(TableCell())
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=str(value))
                cell.addElement(P(text=str(value)))
                tr.addElement(cell)
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
                tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    data = io.BytesIO()
    doc.write(data)
    return data.getvalue()


def preview(client, trip, data: bytes, filename: str = "peserta.csv"):
    response = upload(client, trip, data, filename)
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"]
    return url, client.get(url)


def test_csv_with_bom_is_previewed_then_saved_with_personal_links(client, admin, trip):
    log_in(client, admin)
    csv = (
        "\ufeff" + HEADER + "\n"
        "Budi Santoso,0812-1111-2222,Telanaipura,Pematang Sulur,005,002,Ketua RT,L,,,,,\n"
        "Siti Aminah,+62 812 3333 4444,jelutung,Payo Lebar,12,3,Ketua RT,Perempuan,,,,Bus 2,\n"
    ).encode()
    url, response = preview(client, trip, csv)
    page = response.get_data(as_text=True)
    assert "Semua baris benar: 2 orang mendapat kursi" in page
    assert people_on(trip) == []
    response = client.post_form(url)
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    budi, siti = people_on(trip)
    assert (budi.phone, budi.rt, budi.source) == ("+6281211112222", 5, "import")
    assert (siti.kecamatan, siti.gender, siti.bus.name) == ("Jelutung", "P", "Bus 2")
    # Each person's link goes out through the recorded "send" button: its answer carries it.
    send = f"/manage/{trip.slug}/participants/{budi.id}/send-link"
    assert f'action="{send}"' in page
    ready = client.post_form(send, {"back": url}).get_data(as_text=True)
    assert f"http://localhost/p/{budi.access_token}" in ready
    assert (
        "https://wa.me/6281211112222?text=Bapak%2FIbu%20Budi%20Santoso%2C%20berikut%20tautan"
        in ready
    )
    # Saving twice saves nothing more: the result page is shown again.
    client.post_form(url)
    assert len(people_on(trip)) == 2


def test_cp1252_with_semicolons_and_mixed_case_headers(client, admin, trip):
    log_in(client, admin)
    csv = (
        "Full Name;PHONE;Kecamatan;Kelurahan;RT\r\n"
        "Andr\u00e9 \u00c4gus, S.Pd;081355556666;Kota Baru;Paal Lima;7\r\n"
    ).encode("cp1252")
    url, response = preview(client, trip, csv)
    assert "Andr\u00e9 \u00c4gus, S.Pd" in response.get_data(as_text=True)
    assert client.post_form(url).status_code == 302
    assert [p.full_name for p in people_on(trip)] == ["Andr\u00e9 \u00c4gus, S.Pd"]


def test_controls_and_invisible_characters_in_cells_are_cleaned(client, admin, trip):
    """A list kept in Word and pasted into Excel: line breaks in names, zero-width spaces."""
    log_in(client, admin)
    csv = (
        "full_name\u200b,phone,kecamatan,kelurahan,rt,bus,status,notes\n"
        "Budi\x0bSantoso\u202e,0812-1111-2222,\u200bTelanaipura,Sulur\x01,5,Bus\u00a02,,"
        '"Alergi\r\nudang\x1b"\n'
        "\u2066Siti\u2069 Aminah,0813-3333-4444,Jelutung,Payo Lebar,6,,waitlisted\u200b,\n"
    ).encode()
    url, response = preview(client, trip, csv)
    page = response.get_data(as_text=True)
    assert "Semua baris benar" in page and "Budi Santoso" in page
    assert client.post_form(url).status_code == 302
    budi, siti = people_on(trip)
    assert (budi.full_name, budi.kecamatan) == ("Budi Santoso", "Telanaipura")
    assert budi.kelurahan == "Sulur"
    assert (budi.bus.name, budi.notes) == ("Bus 2", "Alergi\nudang")
    assert (siti.full_name, siti.status) == ("Siti Aminah", Status.waitlisted)


def test_xlsx_made_by_excel_is_imported(client, admin, trip):
    log_in(client, admin)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Full_Name", "Phone", "Kecamatan", "Kelurahan", "RT", "RW", "Status"])
    sheet.append(["Joko Widodo", 6281377779999, "Pasar Jambi", "Beringin", 3, 1, "waitlisted"])
    sheet.append(["Dewi Lestari", "0813-7777-0000", "Pelayangan", "Tengah", "004", None, ""])
    data = io.BytesIO()
    workbook.save(data)
    url, response = preview(client, trip, data.getvalue(), "peserta.xlsx")
    assert "1 orang mendapat kursi, 1 orang masuk daftar tunggu" in response.get_data(True)
    client.post_form(url)
    joko, dewi = people_on(trip)
    assert (joko.phone, joko.status) == ("+6281377779999", Status.waitlisted)
    assert (dewi.rt, dewi.rw, dewi.status) == (4, None, Status.registered)


@pytest.mark.parametrize(
    ("make", "filename"), [(xls_file, "peserta.xls"), (ods_file, "peserta.ods")], ids=["xls", "ods"]
)
def test_xls_and_ods_with_phones_typed_as_numbers_are_imported(client, admin, trip, make, filename):
    log_in(client, admin)
    url, response = preview(client, trip, make(TYPED), filename)
    page = " ".join(response.get_data(as_text=True).split())
    assert "Semua baris benar: 3 orang mendapat kursi" in page
    # The phone typed as a number shows as the digits typed, without a trailing .0.
    assert "Baris 3:</strong> <bdi>Budi Santoso</bdi> · 81234567890 · RT 5" in page
    assert "Baris 4:</strong> <bdi>Siti Aminah</bdi> · 0813-3333-4444 · RT 012" in page
    assert "Baris 5:</strong> <bdi>Rahmat Hidayat</bdi> · 6285266667777 · RT 7" in page
    assert client.post_form(url).status_code == 302
    budi, siti, rahmat = people_on(trip)
    assert (budi.full_name, budi.phone, budi.rt, budi.rw) == (
        "Budi Santoso",
        "+6281234567890",
        5,
        2,
    )
    assert (siti.phone, siti.rt, siti.gender) == ("+6281333334444", 12, "P")
    assert (rahmat.phone, rahmat.rw, rahmat.gender) == ("+6285266667777", None, "L")


def test_xlsx_with_missing_columns_names_them(client, admin, trip):
    log_in(client, admin)
    workbook = Workbook()
    workbook.active.append(["full_name", "phone", "rt"])
    workbook.active.append(["Budi", "081211112222", 5])
    data = io.BytesIO()
    workbook.save(data)
    response = upload(client, trip, data.getvalue(), "peserta.xlsx")
    assert response.status_code == 422
    assert "Kolom berikut tidak ada: kecamatan, kelurahan." in response.get_data(True)


def test_empty_and_unreadable_files_get_a_message(client, admin, trip):
    log_in(client, admin)
    response = upload(client, trip, b"")
    assert response.status_code == 422
    assert "Berkas kosong." in response.get_data(as_text=True)
    response = upload(client, trip, b"PK\x03\x04 not really a zip", "peserta.xlsx")
    assert response.status_code == 422
    assert "tidak bisa dibaca sebagai berkas Excel" in response.get_data(as_text=True)
    response = upload(client, trip, (HEADER + "\n").encode())
    assert "tanpa data peserta" in response.get_data(as_text=True)


def test_a_bad_row_shows_every_problem_and_saves_nothing(client, admin, trip):
    signup.register(trip, person(1, full_name="Sudah Ada"))
    log_in(client, admin)
    csv = (
        HEADER + "\n"
        "Baik Sekali,081211112222,Telanaipura,Pematang Sulur,5,,,,,,,,\n"
        "Tanpa Nomor,bukan nomor,Kecamatan Antah,Sana,RT lima,,,,,,,Bus 9,\n"
        "Kembar,0812-1111-2222,Telanaipura,Pematang Sulur,6,,,,,,,,\n"
        f"Sudah Lagi,{person(1)['phone']},Telanaipura,Pematang Sulur,6,,,,,,,,\n"
    ).encode()
    url, response = preview(client, trip, csv)
    page = response.get_data(as_text=True)
    assert "3 baris bermasalah" in page
    assert "Nomor HP ini tidak valid" in page
    assert "Pilih salah satu kecamatan di Kota Jambi." in page
    assert "Tulis angka saja" in page
    assert "tidak punya bus bernama “Bus 9”" in page
    assert "Nomor HP sama dengan baris 2 di berkas ini." in page
    assert "sudah terdaftar di perjalanan ini (Sudah Ada)" in page
    assert "Simpan" not in re.sub(r"Simpan perjalanan", "", page.split("<ol")[0])
    response = client.post_form(url)
    assert response.status_code == 409
    assert [p.full_name for p in people_on(trip)] == ["Sudah Ada"]


def test_a_phone_taken_between_preview_and_save_saves_nothing(client, admin, trip):
    log_in(client, admin)
    csv = (
        HEADER + "\n"
        "Satu,081211112222,Telanaipura,Pematang Sulur,5,,,,,,,,\n"
        "Dua,081233334444,Telanaipura,Pematang Sulur,6,,,,,,,,\n"
    ).encode()
    url, _ = preview(client, trip, csv)
    signup.register(trip, person(1, phone="+6281233334444", full_name="Lebih Cepat"))
    response = client.post_form(url)
    assert response.status_code == 409
    assert "Tidak ada yang disimpan" in response.get_data(as_text=True)
    assert [p.full_name for p in people_on(trip)] == ["Lebih Cepat"]


def test_a_full_trip_puts_imported_people_on_the_waitlist(client, admin, trip):
    trip.capacity = 1
    db.session.commit()
    log_in(client, admin)
    csv = (
        HEADER + "\n"
        "Satu,081211112222,Telanaipura,Pematang Sulur,5,,,,,,,,\n"
        "Dua,081233334444,Telanaipura,Pematang Sulur,6,,,,,,,,cancelled\n"
        "Tiga,081255556666,Telanaipura,Pematang Sulur,7,,,,,,,,\n"
    ).encode()
    url, response = preview(client, trip, csv)
    assert (
        "1 orang mendapat kursi, 1 orang masuk daftar tunggu, 1 baris batal"
        in response.get_data(True)
    )
    client.post_form(url)
    assert [(p.full_name, p.status) for p in people_on(trip)] == [
        ("Satu", Status.registered),
        ("Tiga", Status.waitlisted),
    ]


def test_another_admins_or_a_made_up_import_id_is_not_found(app, client, admin, trip):
    log_in(client, admin)
    url, _ = preview(
        client, trip, (HEADER + "\nSatu,081211112222,Jelutung,Payo Lebar,5\n").encode()
    )
    other = client_as(app, make_user("admin", "admin2"))
    assert other.get(url).status_code == 404
    assert other.post_form(url).status_code == 404
    assert people_on(trip) == []
    assert client.get(f"/manage/{trip.slug}/import/{'0' * 32}").status_code == 404
    assert client.get(f"/manage/{trip.slug}/import/..%2F..%2Fsecret_key").status_code == 404


def test_an_oversized_upload_gets_the_413_page(client, admin, trip):
    log_in(client, admin)
    response = upload(client, trip, b"x" * (5 * 1024 * 1024))
    assert response.status_code == 413
    assert "Terlalu besar" in response.get_data(as_text=True)


def test_too_many_rows_or_a_damaged_xls_are_refused_at_once(client, admin, trip):
    log_in(client, admin)
    rows = "".join(f"Orang {i},0812{i + 10000000:08d},Telanaipura,Sulur,1\n" for i in range(1001))
    response = upload(client, trip, ("full_name,phone,kecamatan,kelurahan,rt\n" + rows).encode())
    assert response.status_code == 422
    assert "Berkas berisi lebih dari 1000 baris; paling banyak 1000 baris" in response.get_data(
        True
    )
    response = upload(client, trip, OLE2 + b"\0" * 100, "peserta.xls")
    assert response.status_code == 422
    assert "tidak bisa dibaca sebagai berkas Excel" in response.get_data(as_text=True)


def test_an_import_previewed_on_one_machine_is_saved_on_another(app, client, admin, trip, tmp_path):
    """Behind a load balancer the preview and the save may land on two machines, each with an
    instance folder of its own and one database."""
    app.instance_path = str(tmp_path / "machine-a")
    other = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY")}})
    other.config.update(TESTING=True, RATELIMIT_ENABLED=False, SERVER_NAME=None)
    other.instance_path = str(tmp_path / "machine-b")
    other.test_client_class = KampungClient
    log_in(client, admin)
    url, response = preview(
        client, trip, (HEADER + "\nSatu,081211112222,Jelutung,Payo Lebar,5\n").encode()
    )
    assert "Semua baris benar: 1 orang mendapat kursi" in response.get_data(as_text=True)
    # The same browser, its session cookie and all, now served by the other machine.
    browser = other.test_client()
    cookie = client.get_cookie("session")
    browser.set_cookie(cookie.key, cookie.value)
    try:
        with other.app_context():
            assert "1 orang mendapat kursi" in browser.get(url).get_data(as_text=True)
            assert browser.post_form(url).status_code == 302
            page = browser.get(url).get_data(as_text=True)
    finally:
        with other.app_context():
            db.engine.dispose()
    assert [p.full_name for p in people_on(trip)] == ["Satu"]
    assert "1 peserta diimpor" in page
    # And back on the first machine the result page shows too.
    assert "1 peserta diimpor" in client.get(url).get_data(as_text=True)


def test_an_import_older_than_a_day_is_refused_then_deleted(client, admin, trip):
    log_in(client, admin)
    csv = (HEADER + "\nSatu,081211112222,Jelutung,Payo Lebar,5\n").encode()
    url, _ = preview(client, trip, csv)
    old_id = url.rsplit("/", 1)[1]
    db.session.execute(update(ImportJob).values(created_at=utcnow() - timedelta(days=1, minutes=1)))
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.post_form(url).status_code == 404
    assert people_on(trip) == []
    preview(client, trip, csv)
    db.session.expire_all()
    assert db.session.get(ImportJob, old_id) is None
    assert db.session.scalar(db.select(func.count()).select_from(ImportJob)) == 1


def test_a_saved_import_keeps_no_rows_and_the_purge_removes_waiting_ones(client, admin, trip):
    log_in(client, admin)
    saved_url, _ = preview(
        client, trip, (HEADER + "\nSatu,081211112222,Jelutung,Sulur,5\n").encode()
    )
    client.post_form(saved_url)
    preview(client, trip, (HEADER + "\nDua,081233334444,Jelutung,Sulur,6\n").encode())
    db.session.expire_all()
    jobs = {job.saved_at is not None: job for job in db.session.scalars(db.select(ImportJob))}
    assert jobs[True].rows == [] and len(jobs[True].saved_ids) == 1
    assert jobs[False].rows[0][1]["full_name"] == "Dua"
    trip.departs_at = utcnow() - timedelta(days=3)
    trip.returns_at = utcnow() - timedelta(days=1)
    db.session.commit()
    privacy.purge_trip(trip)
    assert db.session.scalar(db.select(func.count()).select_from(ImportJob)) == 0
