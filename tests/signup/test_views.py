"""The public pages: the trip page and its form without JavaScript, inline checks, the personal
page, edit and cancel, and every bad input a stranger can send."""

import re
from datetime import timedelta

import PIL.Image
import PIL.ImageDraw
import pytest
import zxingcpp

from kampung.database import utcnow
from kampung.extensions import db
from kampung.signup import service
from kampung.signup.models import Registration, Status
from tests.conftest import person

TRIP_URL = "/e/studi-banding-bengkulu"


def form(**overrides) -> dict:
    """What a person types into the sign-up form."""
    data = {
        "full_name": "Siti Rahmawati",
        "phone": "0812-3456-7890",
        "kecamatan": "Jelutung",
        "kelurahan": "Payo Lebar",
        "rt": "005",
        "rw": "012",
        "role": "Ketua RT",
        "gender": "P",
        "emergency_name": "Budi",
        "emergency_phone": "0813 1111 2222",
        "notes": "",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def registrations() -> list[Registration]:
    return list(db.session.scalars(db.select(Registration).order_by(Registration.id)))


def sign_up(client, **overrides):
    return client.post_form(TRIP_URL, form(**overrides))


def decode_qr(html: str) -> str:
    """Draw the page's SVG QR code (unit squares in one path) and read it with zxing-cpp."""
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    scale = 8
    image = PIL.Image.new("L", (size * scale, size * scale), 255)
    draw = PIL.ImageDraw.Draw(image)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        x, y = int(x) * scale, int(y) * scale
        draw.rectangle([x, y, x + scale - 1, y + scale - 1], fill=0)
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0].text


def test_trip_page_shows_the_trip_and_the_form_in_indonesian(client, trip):
    html = client.get(TRIP_URL).get_data(as_text=True)
    assert "Studi Banding Kampung Bahagia" in html
    assert "WIB" in html and "Halaman Kantor Wali Kota Jambi" in html
    assert "Masih tersedia 67 dari 67 kursi." in html
    assert 'type="tel"' in html and 'autocomplete="tel"' in html
    assert re.search(r'<input[^>]*id="rt"[^>]*inputmode="numeric"', html)
    assert html.count("<option value=") >= 11 + 3
    assert '<datalist id="kelurahan-list">' in html and 'list="kelurahan-list"' in html
    assert "Undang-Undang Nomor 27 Tahun 2022" in html
    assert 'style="' not in html and '="None"' not in html


def test_sign_up_without_javascript_leads_to_the_personal_page(client, trip):
    response = sign_up(client)
    assert response.status_code == 303
    [registration] = registrations()
    assert response.headers["Location"] == f"/p/{registration.access_token}"
    assert (registration.phone, registration.rt, registration.rw) == ("+6281234567890", 5, 12)
    assert registration.emergency_phone == "+6281311112222"
    assert registration.consent_at is not None
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Terdaftar: Anda mendapat kursi." in html and "Bus 1" in html
    assert decode_qr(html) == f"http://localhost/c/{registration.checkin_code}"
    assert registration.access_token not in decode_qr(html)
    assert 'style="' not in html
    assert "{# feedback entry #}" not in html


def test_qr_code_holds_the_public_url_when_configured(app, client, trip):
    app.config["PUBLIC_URL"] = "https://kampung.jambikota.go.id"
    registration = service.register(trip, person(1)).registration
    html = client.get(f"/p/{registration.access_token}").get_data(as_text=True)
    assert decode_qr(html) == f"https://kampung.jambikota.go.id/c/{registration.checkin_code}"
    link = f"https://kampung.jambikota.go.id/p/{registration.access_token}"
    assert "https://wa.me/6281320000001?text=" in html
    assert link.replace(":", "%3A").replace("/", "%2F") in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "A" * 121, "Paling banyak 120 karakter."),
        ("full_name", "", "Bagian ini wajib diisi."),
        ("kecamatan", "Kebayoran Baru", "Pilihan tidak dikenal. Silakan pilih dari daftar."),
        ("rt", "5a", "Tulis angka saja, misalnya 005."),
        ("rt", "1000", "RT berupa angka dari 001 sampai 999."),
        ("phone", "bukan nomor", "Nomor HP ini tidak valid. Tulis seperti 0812-3456-7890."),
        ("phone", "0812", "Nomor HP ini tidak valid. Tulis seperti 0812-3456-7890."),
        ("notes", "x" * 1001, "Paling banyak 1000 karakter."),
        ("consent", None, "Mohon centang persetujuan ini"),
    ],
)
def test_bad_input_is_refused_in_indonesian_and_saves_nothing(client, trip, field, value, message):
    response = sign_up(client, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "Mohon periksa lagi isian berikut" in html
    assert registrations() == []


def test_controls_and_invisible_characters_are_cleaned_from_a_sign_up(client, trip):
    """Pasted from Word or a chat: line breaks, a tab, bidi and zero-width characters."""
    response = sign_up(
        client,
        full_name="\u202eBudi\x0bSan\u200btoso\x01 ",
        kelurahan="Payo\u00a0 Lebar\u2069",
        role="Ketua\tRT",
        emergency_name="Andi\x1b[0m",
        notes="Alergi udang\r\nTidak makan pedas\x0c",
    )
    assert response.status_code == 303
    [registration] = registrations()
    assert registration.full_name == "Budi Santoso"
    assert registration.kelurahan == "Payo Lebar"
    assert registration.role == "Ketua RT"
    assert registration.emergency_name == "Andi[0m"
    assert registration.notes == "Alergi udang\nTidak makan pedas"


def test_a_name_of_invisible_characters_only_is_refused(client, trip):
    response = sign_up(client, full_name="\u200b\u202e\x0b\u2060")
    assert response.status_code == 422
    assert "Bagian ini wajib diisi." in response.get_data(as_text=True)
    assert registrations() == []


def test_inline_check_answers_with_the_field_block_only(client, trip):
    response = client.post_form(
        f"{TRIP_URL}/check",
        form(phone="12ab"),
        headers={"HX-Request": "true", "HX-Trigger-Name": "phone"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.strip().startswith('<div class="field has-error" id="field-phone">')
    assert "Nomor HP ini tidak valid" in html and "<html" not in html
    typed = client.post_form(
        f"{TRIP_URL}/check", form(), headers={"HX-Request": "true", "HX-Trigger-Name": "phone"}
    )
    assert 'value="0812-3456-7890"' in typed.get_data(as_text=True), "kept as typed"
    ok = client.post_form(
        f"{TRIP_URL}/check", form(), headers={"HX-Request": "true", "HX-Trigger-Name": "rt"}
    )
    assert 'class="field" id="field-rt"' in ok.get_data(as_text=True)
    assert registrations() == []


def test_inline_check_refuses_unknown_fields_and_plain_requests(client, trip):
    headers = {"HX-Request": "true", "HX-Trigger-Name": "csrf_token"}
    assert client.post_form(f"{TRIP_URL}/check", form(), headers=headers).status_code == 400
    assert client.post_form(f"{TRIP_URL}/check", form()).status_code == 400


def test_full_trip_puts_the_next_person_on_the_waitlist_and_says_where(client, trip):
    trip.capacity = 1
    db.session.commit()
    service.register(trip, person(1))
    assert "Semua kursi sudah terisi" in client.get(TRIP_URL).get_data(as_text=True)
    response = sign_up(client)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dalam daftar tunggu: urutan ke-1." in html
    assert "<svg" not in html, "no ticket without a seat"
    assert registrations()[-1].status == Status.waitlisted


def test_post_after_registration_closed_is_refused(client, trip):
    page = client.get(TRIP_URL)
    assert page.status_code == 200
    trip.registration_open = False
    db.session.commit()
    response = sign_up(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Pendaftaran sudah ditutup" in html and "Tidak ada data yang disimpan" in html
    assert 'name="full_name"' not in html
    assert registrations() == []


def test_same_phone_from_another_browser_shows_nothing_of_the_first(app, client, trip):
    assert sign_up(client).status_code == 303
    [first] = registrations()
    stranger = app.test_client()
    response = sign_up(stranger, full_name="Orang Lain", kelurahan="Kasang")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nomor ini sudah terdaftar untuk perjalanan ini" in html
    # The trip's contact person, whom the stranger can ask; nothing of the first registration.
    assert "Hubungi Ibu Rina Marlina dari panitia" in html
    assert first.access_token not in html and "Buka halaman saya" not in html
    assert "Payo Lebar" not in html.split("<datalist")[0]
    assert len(registrations()) == 1


def test_same_phone_from_the_same_browser_offers_its_own_page(client, trip):
    token = sign_up(client).headers["Location"].removeprefix("/p/")
    response = sign_up(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f'href="/p/{token}"' in html and "Buka halaman saya" in html


def test_forged_remember_cookie_opens_nothing(app, client, trip):
    sign_up(client)
    stranger = app.test_client()
    stranger.set_cookie("kampung_mine", '["x"].forged')
    html = sign_up(stranger).get_data(as_text=True)
    assert "Buka halaman saya" not in html


@pytest.mark.parametrize("suffix", ["", "/edit", "/cancel"])
@pytest.mark.parametrize("token", ["abc", "..%2F..%2Fetc", "A" * 32, "x" * 200])
def test_unknown_or_malformed_token_is_a_plain_404(client, trip, token, suffix):
    response = client.get(f"/p/{token}{suffix}")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_oversized_body_is_refused_with_413(client, trip):
    response = sign_up(client, notes="x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert registrations() == []


def test_edit_own_details_until_registration_closes(client, trip):
    token = sign_up(client).headers["Location"].removeprefix("/p/")
    page = client.get(f"/p/{token}/edit").get_data(as_text=True)
    assert 'value="0812-3456-7890"' in page and 'value="005"' in page
    response = client.post_form(f"/p/{token}/edit", form(full_name="Siti R.", rt="7", consent=None))
    assert response.status_code == 303
    assert registrations()[0].full_name == "Siti R." and registrations()[0].rt == 7
    bad = client.post_form(f"/p/{token}/edit", form(rt="tujuh", consent=None))
    assert bad.status_code == 422 and "Tulis angka saja" in bad.get_data(as_text=True)
    trip.registration_open = False
    db.session.commit()
    closed = client.post_form(f"/p/{token}/edit", form(full_name="Terlambat", consent=None))
    assert closed.status_code == 303
    assert "Pendaftaran sudah ditutup" in client.get(f"/p/{token}").get_data(as_text=True)
    assert registrations()[0].full_name == "Siti R."


def test_cancel_asks_first_then_gives_the_seat_to_the_waitlist(client, trip):
    trip.capacity = 1
    db.session.commit()
    token = sign_up(client).headers["Location"].removeprefix("/p/")
    waiting = service.register(trip, person(2)).registration
    confirm = client.get(f"/p/{token}/cancel")
    assert confirm.status_code == 200
    assert "Ya, batalkan pendaftaran saya" in confirm.get_data(as_text=True)
    assert registrations()[0].status == Status.registered
    response = client.post_form(f"/p/{token}/cancel")
    assert response.status_code == 303
    html = client.get(f"/p/{token}").get_data(as_text=True)
    assert "Dibatalkan." in html and "<svg" not in html
    db.session.refresh(waiting)
    assert waiting.status == Status.registered


def test_edit_page_checks_fields_inline_too(client, trip):
    token = sign_up(client).headers["Location"].removeprefix("/p/")
    edit = client.get(f"/p/{token}/edit").get_data(as_text=True)
    assert f'data-hx-post="/p/{token}/check"' in edit
    response = client.post_form(
        f"/p/{token}/check",
        form(rw="dua belas", consent=None),
        headers={"HX-Request": "true", "HX-Trigger-Name": "rw"},
    )
    assert "Tulis angka saja" in response.get_data(as_text=True)
    assert client.post_form(f"/p/{'B' * 32}/check", form()).status_code == 404


def test_cancel_is_closed_once_the_bus_has_left(client, trip):
    token = sign_up(client).headers["Location"].removeprefix("/p/")
    trip.departs_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert "Batalkan pendaftaran saya" not in client.get(f"/p/{token}").get_data(as_text=True)
    response = client.post_form(f"/p/{token}/cancel")
    assert response.status_code == 303
    assert registrations()[0].status == Status.registered


def test_trip_page_says_when_registration_opens(client, trip):
    trip.registration_opens_at = utcnow() + timedelta(days=2)
    db.session.commit()
    html = client.get(TRIP_URL).get_data(as_text=True)
    assert "Pendaftaran dibuka pada" in html and 'name="full_name"' not in html


def test_cancel_without_csrf_token_is_refused(client, trip):
    token = sign_up(client).headers["Location"].removeprefix("/p/")
    assert client.post(f"/p/{token}/cancel").status_code == 400
    assert registrations()[0].status == Status.registered


def test_sign_up_is_rate_limited_per_browser(client, trip, rate_limits):
    client.get(TRIP_URL)
    codes = [sign_up(client, phone="salah").status_code for _ in range(11)]
    assert codes[:10] == [422] * 10 and codes[10] == 429


def test_token_lookups_are_rate_limited(client, trip, rate_limits):
    codes = [client.get(f"/p/{'A' * 32}").status_code for _ in range(61)]
    assert codes[:60] == [404] * 60 and codes[60] == 429
