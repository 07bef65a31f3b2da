"""On a phone: a staff member changes their own password, and the laptop they left logged in is
logged out; an admin creates an account and disables another."""

import re

import pytest

from tests.conftest import PASSWORD, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "kata-sandi-baru-456"
#: "Kata sandi baru *", and not "Kata sandi baru sekali lagi"
NEW_FIELD = re.compile(r"^Kata sandi baru\W*$")


def _log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/manage/")


def test_staff_member_changes_their_password_and_the_other_device_is_logged_out(
    browser, live_server, organiser
):
    # Contexts of their own: the mistyped form is answered 422, which the `page` fixture would
    # count as a console error.
    phone_context = browser.new_context(base_url=live_server, **PHONE)
    laptop_context = browser.new_context(base_url=live_server, **PHONE)
    page, laptop = phone_context.new_page(), laptop_context.new_page()
    try:
        _log_in(laptop, "organiser")
        _log_in(page, "organiser")

        page.get_by_role("link", name="Akun", exact=True).click()
        page.get_by_role("heading", name="Akun saya").wait_for()
        assert page.get_by_text("perangkat ini", exact=True).count() == 1
        page.get_by_label("Kata sandi sekarang").fill(PASSWORD)
        page.get_by_label(NEW_FIELD).fill(NEW_PASSWORD)
        page.get_by_label("Kata sandi baru sekali lagi").fill("salah-ketik-789")
        page.get_by_role("button", name="Simpan kata sandi baru").click()
        page.get_by_text("Kedua kata sandi baru tidak sama.").wait_for()
        assert axe_violations(page) == []
        screenshot(page, "auth-password-mistyped")

        page.get_by_label("Kata sandi sekarang").fill(PASSWORD)
        page.get_by_label(NEW_FIELD).fill(NEW_PASSWORD)
        page.get_by_label("Kata sandi baru sekali lagi").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Simpan kata sandi baru").click()
        page.get_by_text(
            "Kata sandi Anda sudah diganti. Perangkat lain sudah dikeluarkan (1)."
        ).wait_for()
        assert axe_violations(page) == []
        screenshot(page, "auth-password-changed")

        laptop.goto("/manage/")
        laptop.wait_for_url(re.compile(r".*/login\?next=.*"))
        laptop.get_by_role("heading", name="Masuk petugas").wait_for()

        page.goto("/manage/")
        page.get_by_role("heading", name="Perjalanan").wait_for()
    finally:
        phone_context.close()
        laptop_context.close()


def test_admin_creates_an_account_and_disables_it_on_a_phone(page, admin, organiser):
    _log_in(page, "admin")
    page.get_by_role("link", name="Akun staf").click()
    page.get_by_role("heading", name="Akun staf").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "auth-accounts")

    page.get_by_role("link", name="Akun baru").click()
    page.get_by_label("Nama pengguna").fill("dewi")
    page.get_by_label("Nama yang dilihat rekan kerja").fill("Dewi Lestari")
    page.get_by_label("Ketua forum: tinjauan umpan balik", exact=False).check()
    assert axe_violations(page) == []
    screenshot(page, "auth-account-new")
    page.get_by_role("button", name="Buat akun").click()
    page.get_by_role("heading", name="Akun dewi sudah siap").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "auth-account-password-shown")

    page.get_by_role("link", name="Kembali ke akun staf").click()
    page.get_by_role("button", name="Nonaktifkan organiser").click()
    page.get_by_text("organiser dinonaktifkan dan tidak bisa masuk lagi").wait_for()
    assert page.get_by_role("button", name="Aktifkan organiser").count() == 1
    screenshot(page, "auth-accounts-disabled")
