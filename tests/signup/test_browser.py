"""Sign-up in a real Chromium at phone size, with and without JavaScript, down to the QR code
read back by zxing-cpp from a screenshot of the personal page."""

import PIL.Image
import pytest
import zxingcpp

from kampung.extensions import db
from kampung.signup.models import Registration
from tests.conftest import ARTIFACTS, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.browser

CONSENT = "Saya setuju data di atas disimpan dan digunakan panitia"


def fill_in(page, phone: str = "0812-3456-7890") -> None:
    page.get_by_label("Nama lengkap").fill("Siti Rahmawati")
    page.get_by_label("Nomor WhatsApp").fill(phone)
    page.get_by_label("Kecamatan").select_option("Jelutung")
    page.get_by_label("Kelurahan").fill("Payo Lebar")
    page.get_by_role("textbox", name="RT", exact=True).fill("005")
    page.get_by_role("textbox", name="RW", exact=True).fill("012")
    page.get_by_label(CONSENT).check()


def read_qr(page, name: str) -> str:
    """Screenshot just the QR code on the page and decode it as a phone camera would."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    qr = page.get_by_role("img", name="Kode QR untuk absen saat naik bus")
    assert qr.bounding_box()["width"] >= 280, "big enough to scan from a phone"
    qr.screenshot(path=str(path), caret="initial")
    results = zxingcpp.read_barcodes(PIL.Image.open(path))
    assert len(results) == 1
    return results[0].text


def the_registration() -> Registration:
    db.session.expire_all()
    return db.session.scalars(db.select(Registration)).one()


def test_sign_up_on_a_phone_and_show_the_qr_code(page, trip, live_server):
    page.goto("/e/studi-banding-bengkulu")
    assert axe_violations(page) == []
    screenshot(page, "signup-trip-page")
    page.get_by_label("Nomor WhatsApp").fill("0812 34")
    page.get_by_label("Nomor WhatsApp").press("Tab")
    error = page.locator("#phone-error")
    error.wait_for()
    assert "Nomor HP ini tidak valid" in error.inner_text()
    assert page.get_by_label("Nomor WhatsApp").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    screenshot(page, "signup-inline-error")

    fill_in(page)
    page.get_by_label("Nomor WhatsApp").press("Tab")
    error.wait_for(state="detached")
    # Jelutung's seven kelurahan replace the whole city's list of suggestions.
    page.wait_for_function("document.querySelectorAll('#kelurahan-list option').length === 7")
    page.get_by_role("button", name="Daftar").click()
    page.wait_for_url("**/p/**")
    assert page.get_by_text("Terdaftar: Anda mendapat kursi.").is_visible()
    registration = the_registration()
    assert read_qr(page, "signup-qr") == f"{live_server}/c/{registration.checkin_code}"
    whatsapp = page.get_by_role("link", name="Kirim tautan ke WhatsApp saya")
    assert whatsapp.get_attribute("href").startswith("https://wa.me/6281234567890?text=")
    assert axe_violations(page) == []
    screenshot(page, "signup-personal-page")

    page.get_by_role("link", name="Batalkan pendaftaran saya").click()
    assert axe_violations(page) == []
    screenshot(page, "signup-cancel-confirmation")
    page.get_by_role("link", name="Tidak, tetap terdaftar").click()
    page.get_by_role("link", name="Ubah data saya").click()
    assert page.get_by_role("textbox", name="RT", exact=True).input_value() == "005"
    assert axe_violations(page) == []


def test_sign_up_with_javascript_off(browser, live_server, trip):
    context = browser.new_context(base_url=live_server, java_script_enabled=False, **PHONE)
    try:
        page = context.new_page()
        page.goto("/e/studi-banding-bengkulu")
        fill_in(page, phone="0812 34")
        page.get_by_role("textbox", name="RT", exact=True).fill("lima")
        page.get_by_role("button", name="Daftar").click()
        summary = page.get_by_role("alert")
        assert "Mohon periksa lagi isian berikut" in summary.inner_text()
        assert "Tulis angka saja" in summary.inner_text()
        screenshot(page, "signup-nojs-errors")

        page.get_by_label("Nomor WhatsApp").fill("+62 812-3456-7890")
        page.get_by_role("textbox", name="RT", exact=True).fill("005")
        page.get_by_label(CONSENT).check()
        page.get_by_role("button", name="Daftar").click()
        page.wait_for_url("**/p/**")
        registration = the_registration()
        assert read_qr(page, "signup-nojs-qr") == f"{live_server}/c/{registration.checkin_code}"

        page.get_by_role("link", name="Batalkan pendaftaran saya").click()
        page.get_by_role("button", name="Ya, batalkan pendaftaran saya").click()
        page.get_by_text("Pendaftaran Anda sudah dibatalkan.").wait_for()
        assert page.get_by_role("img", name="Kode QR untuk absen saat naik bus").count() == 0
        screenshot(page, "signup-nojs-cancelled")
    finally:
        context.close()


def test_the_personal_page_shows_whom_to_ask_and_the_lost_link_notice_too(page, trip, browser):
    from kampung.signup.service import register
    from tests.conftest import person

    registration = register(trip, person(1, full_name="Siti Rahmawati")).registration
    page.goto(f"/p/{registration.access_token}")
    contact = page.get_by_role("region", name="Narahubung panitia")
    assert contact.get_by_text("Ibu Rina Marlina", exact=True).is_visible()
    assert contact.get_by_text("WhatsApp 0812-0000-0100").is_visible()
    button = contact.get_by_role("link", name="Kirim pesan WhatsApp ke Ibu Rina Marlina")
    assert button.get_attribute("href").startswith("https://wa.me/6281200000100?text=Halo")
    assert button.bounding_box()["height"] >= 48, "big enough to tap"
    assert axe_violations(page) == []
    contact.scroll_into_view_if_needed()
    screenshot(page, "personal-page-contact")

    # Another phone signs up with the same number: the notice names the contact person.
    other = browser.new_context(base_url=page.url.split("/p/")[0], **PHONE)
    stranger = other.new_page()
    stranger.goto("/e/studi-banding-bengkulu")
    fill_in(stranger, phone="0813-2000-0001")  # the number Siti signed up with
    stranger.get_by_role("button", name="Daftar").click()
    notice = stranger.get_by_role("alert")
    notice.get_by_text("Hubungi Ibu Rina Marlina dari panitia").wait_for()
    ask = notice.get_by_role("link", name="Minta tautan saya ke Ibu Rina Marlina")
    assert ask.get_attribute("href").startswith("https://wa.me/6281200000100?text=Halo")
    screenshot(stranger, "signup-lost-link-contact")
    other.close()
