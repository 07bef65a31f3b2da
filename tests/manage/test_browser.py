"""An admin on a phone: create a trip, import a small CSV, find the people by active search."""

import pytest

from tests.conftest import PASSWORD, axe_violations, drawn_backwards, screenshot

pytestmark = pytest.mark.browser

CSV = (
    "full_name;phone;kecamatan;kelurahan;rt;rw\n"
    "Budi Santoso;0812-1111-2222;Telanaipura;Pematang Sulur;5;2\n"
    "Siti Aminah;0813-3333-4444;Jelutung;Payo Lebar;12;3\n"
)


def test_admin_creates_a_trip_imports_people_and_finds_them(page, admin, tmp_path):
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(admin.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    page.goto("/manage/")
    page.get_by_role("link", name="Perjalanan baru").click()
    page.get_by_label("Judul").fill("Studi Banding ke Padang")
    page.get_by_label("Nama tautan (slug)").fill("studi-banding-padang")
    page.get_by_label("Keberangkatan (WIB)").fill("2027-03-05T06:00")
    page.get_by_label("Kepulangan (WIB)").fill("2027-03-07T21:00")
    page.get_by_label("Kapasitas (kursi)").fill("40")
    page.get_by_label("Narahubung", exact=True).fill("Bapak Hendra Wijaya")
    page.get_by_label("Nomor WhatsApp narahubung").fill("0812-0000-0200")
    page.get_by_label("Dibuka", exact=True).check()
    page.get_by_label("Nama bus").fill("Bus A")
    page.get_by_label("Jumlah kursi").fill("40")
    page.get_by_label("Nama titik absen").fill("Keberangkatan Jambi")
    # htmx adds a second checkpoint row in place.
    page.get_by_role("button", name="Tambah titik absen").click()
    page.get_by_label("Nama titik absen").nth(1).fill("Kepulangan Padang")
    assert axe_violations(page) == []
    screenshot(page, "manage-trip-form")
    page.get_by_role("button", name="Simpan perjalanan").click()
    page.wait_for_url("**/manage/studi-banding-padang/")
    page.get_by_text("Perjalanan disimpan.").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "manage-trip")

    page.get_by_role("link", name="Impor").click()
    bad = tmp_path / "salah.csv"
    bad.write_text(CSV + "Tanpa Nomor;bukan nomor;Antah;Sana;lima;\n", encoding="utf-8")
    page.get_by_label("Berkas spreadsheet (.xlsx, .xls, .ods) atau CSV").set_input_files(str(bad))
    page.get_by_role("button", name="Periksa berkas").click()
    page.get_by_text("1 baris bermasalah").wait_for()
    assert page.get_by_role("button", name="Simpan 2 orang").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "manage-import-problems")
    page.get_by_role("link", name="Unggah berkas lain").click()
    path = tmp_path / "peserta.csv"
    path.write_text(CSV, encoding="utf-8")
    page.get_by_label("Berkas spreadsheet (.xlsx, .xls, .ods) atau CSV").set_input_files(str(path))
    page.get_by_role("button", name="Periksa berkas").click()
    page.get_by_text("Semua baris benar: 2 orang mendapat kursi").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "manage-import-preview")
    page.get_by_role("button", name="Simpan 2 orang").click()
    page.get_by_role("heading", name="2 peserta diimpor").wait_for()
    # Sending is recorded first (htmx swaps in the ready message), then WhatsApp opens.
    page.get_by_role("button", name="Kirim lewat WhatsApp Budi Santoso").click()
    assert (
        page.get_by_role("link", name="Buka WhatsApp Budi Santoso")
        .get_attribute("href")
        .startswith("https://wa.me/6281211112222?text=Bapak%2FIbu%20Budi%20Santoso")
    )
    assert page.get_by_text("Tautan dikirim 1 kali").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "manage-import-result")

    page.get_by_role("link", name="Ke daftar peserta").click()
    page.get_by_role("heading", name="Budi Santoso").wait_for()
    page.get_by_label("Cari nama, nomor HP, atau RT").press_sequentially("0813 3333")
    page.get_by_text("1 orang", exact=True).wait_for()
    assert page.get_by_role("heading", name="Budi Santoso").count() == 0
    assert page.get_by_role("heading", name="Siti Aminah").is_visible()
    assert "q=0813" in page.url
    assert axe_violations(page) == []
    screenshot(page, "manage-roster")


def test_admin_cancels_on_a_phone_and_tells_the_promoted_person(page, admin, trip):
    from kampung.extensions import db
    from kampung.signup import service as signup
    from tests.conftest import person

    trip.capacity = 1
    db.session.commit()
    signup.register(trip, person(1, full_name="Budi Santoso"))
    signup.register(trip, person(2, full_name="Siti Aminah"))
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(admin.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    page.goto(f"/manage/{trip.slug}/participants")
    page.get_by_role("link", name="Ubah Budi Santoso").click()
    assert axe_violations(page) == []
    screenshot(page, "manage-participant-edit")
    page.get_by_label("Nama lengkap").fill("Budi Santoso Putra")
    page.get_by_role("button", name="Simpan").click()
    page.get_by_text("Data Budi Santoso Putra disimpan.").wait_for()

    page.get_by_role("link", name="Batalkan Budi Santoso Putra").click()
    assert axe_violations(page) == []
    screenshot(page, "manage-participant-cancel")
    page.get_by_role("button", name="Ya, batalkan pendaftaran ini").click()
    page.get_by_text("Siti Aminah naik dari daftar tunggu").wait_for()

    page.get_by_role("link", name="Ringkasan").click()
    page.get_by_role("button", name="Kabari Siti Aminah lewat WhatsApp").click()
    tell = page.get_by_role("link", name="Buka WhatsApp Siti Aminah")
    assert tell.get_attribute("href").startswith("https://wa.me/62813")
    screenshot(page, "manage-trip-to-tell")
    page.get_by_role("button", name="Sudah dikabari Siti Aminah").click()
    page.get_by_text("Tidak ada yang perlu dikabari.").wait_for()

    # Bad input answers 4xx, which the browser logs as a console error: those pages are
    # checked by the client tests; here the upload page as an admin first sees it.
    page.get_by_role("link", name="Impor").click()
    assert axe_violations(page) == []
    screenshot(page, "manage-import")


def test_a_name_stored_with_a_right_to_left_override_reads_the_right_way(page, organiser, trip):
    """A name from before the input rules holds U+202E: on the roster it reads as written and
    the badge after it is not turned around; a genuine right-to-left name keeps its own order."""
    from sqlalchemy import update

    from kampung.extensions import db
    from kampung.signup import service as signup
    from kampung.signup.models import Registration
    from tests.conftest import person

    ahmad = signup.register(trip, person(1)).registration
    signup.register(trip, person(2, full_name="عبد الله"))
    db.session.execute(
        update(Registration)
        .where(Registration.id == ahmad.id)
        # As the migration left it: the name as stored, its key filled in beside it.
        .values(full_name="\u202eAhmad Lubis", search_name="ahmad lubis")
        .values(kelurahan="\u202ePayo Lebar")
    )
    db.session.commit()
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(organiser.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"/manage/{trip.slug}/participants")
    card = page.locator(".person").filter(has_text="Ahmad Lubis")
    assert card.get_by_role("heading").inner_text().startswith("Ahmad Lubis")
    assert drawn_backwards(card) == []
    arabic = page.locator(".person").filter(has_text="عبد الله")
    # The Arabic name runs right to left inside its <bdi>; the badge and the line after it not.
    assert drawn_backwards(arabic.locator(".badge")) == []
    assert drawn_backwards(arabic.locator("p").first) == []
    assert axe_violations(page) == []
    screenshot(page, "manage-roster-override")
    page.get_by_label("Cari nama, nomor HP, atau RT").press_sequentially("lubis")
    page.get_by_text("1 orang", exact=True).wait_for()
    assert page.get_by_role("heading", name="Ahmad Lubis").is_visible()
