"""The scanner in a real Chromium at phone size: a fake camera showing a QR code the app drew,
the offline queue, and the count and daftar hadir as people will see and print them."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from PIL import Image

from kampung.checkin.models import CheckIn, ScanLog
from kampung.extensions import db
from kampung.signup.service import register
from tests.conftest import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    PASSWORD,
    PHONE,
    _chromium_or_skip,
    axe_violations,
    drawn_backwards,
    person,
    poppler,
    screenshot,
)

pytestmark = pytest.mark.browser

#: what Chromium may log that is no fault of the page
HARMLESS = ("only accessible if the page is transferred via https", "ERR_INTERNET_DISCONNECTED")

#: what a request cut off as the network drops leaves on the console: Chromium's line, and htmx's
#: for the live count's poll that was in flight (the next poll, or the next "refresh", redraws it).
#: A poll that fails any other way is still an error: htmx reports that as htmx:responseError.
NETWORK_DROPPED = (*HARMLESS, "net::ERR_FAILED", "htmx:sendError", "htmx:afterRequest")


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JS expression (wait_for_function would need eval, which the CSP forbids)."""
    for _ in range(int(timeout * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def snap(page, name: str) -> None:
    """The viewport as the organiser sees it: the result covers the screen, whatever the scroll."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def watch_console(page, harmless=HARMLESS) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not any(h in msg.text for h in harmless)
            else None
        ),
    )
    return errors


def log_in_browser(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/manage/**")


def next_scan(page) -> None:
    """Close the result if it still covers the screen (a green one leaves by itself)."""
    button = page.get_by_role("link", name="Pindai berikutnya")
    if button.is_visible():
        button.click()


def write_y4m(qr_png, path, frames: int = 30) -> None:
    """A 640x480 Y4M stream of the QR code, centred and under half the frame's height."""
    canvas = Image.new("RGB", (640, 480), "white")
    code = Image.open(qr_png).convert("RGB").resize((200, 200), Image.NEAREST)
    canvas.paste(code, ((640 - 200) // 2, (480 - 200) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    cb, cr = cb.resize((320, 240)), cr.resize((320, 240))
    frame = b"FRAME\n" + y.tobytes() + cb.tobytes() + cr.tobytes()
    with open(path, "wb") as f:
        f.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        f.write(frame * frames)


@pytest.fixture
def seated(trip):
    return [register(trip, person(i)).registration for i in range(3)]


def test_camera_reads_a_printed_qr_card_and_shows_green(
    browser, live_server, trip, organiser, seated, playwright_session, tmp_path
):
    # The QR code as the app draws it, on the printable cards page.
    context = browser.new_context(base_url=live_server, **PHONE)
    page = context.new_page()
    log_in_browser(page, organiser)
    page.goto(f"/manage/{trip.slug}/qr-cards?bus={seated[0].bus_id}")
    card = page.locator(".qr-card").filter(has_text=seated[0].full_name).locator("svg")
    card.screenshot(path=str(tmp_path / "card.png"))
    assert axe_violations(page) == []
    screenshot(page, "checkin-qr-cards")
    context.close()
    y4m = tmp_path / "card.y4m"
    write_y4m(tmp_path / "card.png", y4m)

    camera_browser = playwright_session.chromium.launch(
        executable_path=_chromium_or_skip(),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={y4m}",
        ],
    )
    try:
        context = camera_browser.new_context(base_url=live_server, **PHONE)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors = watch_console(page)
        log_in_browser(page, organiser)
        page.goto(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}")
        result = page.locator("#result.result-green")
        result.wait_for(state="visible", timeout=15_000)
        assert "Peserta Uji 0" in result.inner_text()
        assert "BERHASIL CHECK\u2011IN" in result.inner_text()
        snap(page, "checkin-scanner-green")

        # The same card, still in front of the camera, is not sent again.
        page.wait_for_timeout(1500)
        with db.engine.connect() as conn:
            assert conn.scalar(db.select(db.func.count()).select_from(ScanLog)) == 1

        # The same person typed in by hand: amber, naming who and which device.
        next_scan(page)
        field = page.get_by_label("Kode atau tautan QR")
        field.fill(seated[0].checkin_code)
        field.press("Enter")
        amber = page.locator("#result.result-amber")
        amber.wait_for(state="visible")
        assert "Sudah check-in pukul" in amber.inner_text() and "oleh Rina" in amber.inner_text()
        snap(page, "checkin-scanner-amber")

        # A QR code of another site: red.
        page.get_by_role("link", name="Pindai berikutnya").click()
        field.fill(f"https://evil.example/c/{seated[1].checkin_code}")
        field.press("Enter")
        red = page.locator("#result.result-red")
        red.wait_for(state="visible")
        assert "situs lain" in red.inner_text()
        snap(page, "checkin-scanner-red")
        page.get_by_role("link", name="Pindai berikutnya").click()
        assert axe_violations(page) == []
        assert not errors, errors
    finally:
        camera_browser.close()


def test_offline_scans_queue_survive_a_reload_and_sync_once(context, trip, organiser, seated):
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = watch_console(page, NETWORK_DROPPED)
    log_in_browser(page, organiser)
    page.goto(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}")
    # Ready for offline: the worker controls the page, the page and the roster are on the phone.
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(page, f"localStorage.getItem('kampung-roster-{trip.checkpoints[0].id}') !== null")
    wait_until(page, "async () => !!(await caches.match(location.href))")

    context.set_offline(True)
    field = page.get_by_label("Kode atau tautan QR")
    for reg in [*seated, seated[0]]:
        page.wait_for_timeout(300)  # device times a little apart, as at a real bus door
        field.fill(reg.checkin_code)
        field.press("Enter")
        page.locator("#result").get_by_text("Belum terkirim").wait_for(state="visible")
    assert "result-amber" in page.locator("#result").get_attribute("class")
    assert page.locator("#queue-count").inner_text() == "4"
    snap(page, "checkin-scanner-offline")

    page.reload()
    assert page.locator("#queue-count").inner_text() == "4"
    assert "Luring" in page.locator("#net-status").inner_text()
    # Long enough offline that only the device's own time can date a check-in before it came.
    page.wait_for_timeout(1500)

    context.set_offline(False)
    wait_until(page, "document.getElementById('queue-count').textContent === '0'", 20)
    assert page.locator("#sync-results li").count() == 4
    assert "ganda" in page.locator("#sync-results").inner_text()
    screenshot(page, "checkin-scanner-synced")

    db.session.rollback()
    checkins = db.session.scalars(db.select(CheckIn)).all()
    assert sorted(c.registration_id for c in checkins) == sorted(r.id for r in seated)
    logs = db.session.scalars(db.select(ScanLog).order_by(ScanLog.scanned_at)).all()
    assert [log.outcome for log in logs] == ["ok", "ok", "ok", "already"]
    assert len({log.nonce for log in logs}) == 4
    for checkin in checkins:
        # The device's own time, at least 1.5 s before the server received the queue.
        assert checkin.received_at - checkin.scanned_at > timedelta(seconds=1)
    assert not errors, errors


def test_count_page_and_daftar_hadir_on_a_phone_and_on_paper(
    page, trip, organiser, seated, tmp_path
):
    from kampung.checkin import service

    service.check_in(seated[0].checkin_code, trip.checkpoints[0].id, organiser, device="HP B")
    log_in_browser(page, organiser)
    base = f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}"
    page.goto(base + "/count")
    assert "1 / 3" in page.locator("#live-count").inner_text()
    assert (
        page.get_by_role("link", name="Telepon Peserta Uji 1")
        .get_attribute("href")
        .startswith("tel:+62")
    )
    assert axe_violations(page) == []
    screenshot(page, "checkin-count")

    page.goto(base + "/daftar-hadir")
    assert page.get_by_role("columnheader", name="Tanda Tangan").count() == 1
    assert axe_violations(page) == []
    screenshot(page, "checkin-daftar-hadir")
    pdf = ARTIFACTS / "checkin-daftar-hadir.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    subprocess.run(
        [
            poppler("pdftoppm"),
            "-png",
            "-r",
            "60",
            str(pdf),
            str(ARTIFACTS / "checkin-daftar-hadir-pdf"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "checkin-daftar-hadir-pdf-1.png").exists()


def test_names_stored_with_a_right_to_left_override_read_the_right_way(
    page, trip, organiser, seated
):
    """Names from before the input rules hold U+202E: the scanner's answer, the list of the
    missing and the search results show them as written, and what follows is not reversed."""
    from sqlalchemy import update

    from kampung.signup.models import Registration

    for reg, name in zip(seated, ("Ahmad Lubis", "Siti Rahmawati"), strict=False):
        db.session.execute(
            update(Registration)
            .where(Registration.id == reg.id)
            .values(full_name=f"\u202e{name}", kelurahan="\u202ePayo Lebar")
        )
    db.session.commit()
    log_in_browser(page, organiser)
    page.goto(f"/manage/{trip.slug}/checkin/{trip.checkpoints[0].id}")
    field = page.get_by_label("Kode atau tautan QR")
    field.fill(seated[0].checkin_code)
    field.press("Enter")
    result = page.locator("#result.result-green")
    result.wait_for(state="visible")
    assert result.locator(".result-name").inner_text() == "Ahmad Lubis"
    assert drawn_backwards(result) == []
    snap(page, "checkin-scanner-override")
    page.get_by_role("link", name="Pindai berikutnya").click()
    missing = page.locator(".missing li").filter(has_text="Siti Rahmawati")
    assert drawn_backwards(missing) == []
    page.get_by_label("Nama, nomor telepon, atau RT").fill("005")
    hit = page.locator(".search-hit").filter(has_text="Siti Rahmawati")
    hit.wait_for()
    assert drawn_backwards(hit) == []
    screenshot(page, "checkin-scanner-override-lists")
