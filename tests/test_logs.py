"""Nothing secret is logged: no access token, check-in code or phone number reaches the access
log, the error log or the development server's lines, whatever the request carried."""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from werkzeug.serving import make_server

from kampung.extensions import db
from kampung.redaction import MARK, redact_path, redact_url
from kampung.signup.models import Registration
from kampung.signup.service import register
from tests.conftest import PASSWORD, make_user, person
from tests.server import Gunicorn, HttpSession

#: the phone the participant signs up with, as people type it; its digits are what must not leak
PHONE = "081234567890"
DIGITS = "81234567890"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/p/abcdefghijklmnopqrstuvwxyz012345/feedback", f"/p/{MARK}/feedback"),
        ("/c/abcdefghijklmnopqrstuvwxyz012345", f"/c/{MARK}"),
        # Cut short or mistyped, a secret still holds most of its bits.
        ("/p/abcdefgh", f"/p/{MARK}"),
        (
            "/manage/studi-banding-bengkulu/import/0123456789abcdef0123456789abcdef",
            f"/manage/studi-banding-bengkulu/import/{MARK}",
        ),
        (
            "/manage/studi-banding-bengkulu/participants?q=081234567890",
            "/manage/studi-banding-bengkulu/participants",
        ),
        ("/e/studi-banding-bengkulu", "/e/studi-banding-bengkulu"),
        ("/static/css/app.3f2a9c1b.css", "/static/css/app.3f2a9c1b.css"),
    ],
)
def test_paths_are_logged_without_their_secrets(path, logged):
    assert redact_path(path) == logged


def test_urls_in_headers_keep_their_host_and_lose_their_secrets():
    assert (
        redact_url("https://kampung.example/p/abcdefghijklmnopqrstuvwxyz012345?lang=en#top")
        == f"https://kampung.example/p/{MARK}"
    )
    assert redact_url("-") == "-"


def _sign_up(base: str) -> str:
    browser = HttpSession(base)
    browser.get("/e/studi-banding-bengkulu")
    status, headers, _ = browser.post_form(
        "/e/studi-banding-bengkulu",
        {
            "full_name": "Peserta Log",
            "phone": PHONE,
            "kecamatan": "Jelutung",
            "kelurahan": "Payo Lebar",
            "rt": "7",
            "rw": "3",
            "consent": "y",
        },
    )
    assert status == 303, status
    location = headers["Location"]
    token = location.rsplit("/", 1)[-1]
    # The personal page, then its stylesheet as an old browser asks for it: with a Referer.
    assert browser.get(f"/p/{token}")[0] == 200
    assert browser.get(f"/p/{token}/feedback")[0] in (200, 404)
    browser.request("/static/css/app.css", headers={"Referer": f"{base}/p/{token}?x={PHONE}"})
    return token


def _scan_and_search(base: str, code: str, slug: str, checkpoint_id: int) -> None:
    organiser = HttpSession(base)
    organiser.log_in("organiser", PASSWORD)
    assert organiser.get(f"/c/{code}")[0] == 200
    status, _, _ = organiser.post_form(f"/c/{code}", {"checkpoint": str(checkpoint_id)})
    assert status == 200, status
    organiser.get(f"/manage/{slug}/checkin/{checkpoint_id}")
    scan = {
        "code": f"{base}/c/{code}",
        "checkpoint": checkpoint_id,
        "scanned_at": datetime.now(UTC).isoformat(),
        "nonce": uuid.uuid4().hex,
        "device": "HP uji",
    }
    assert organiser.post_json("/api/checkins", [scan])[0] == 200
    # Searches by phone, as organisers type them: the scanner's and the roster's.
    assert organiser.get(f"/manage/{slug}/checkin/{checkpoint_id}?q={PHONE}")[0] == 200
    assert organiser.get(f"/manage/{slug}/participants?q={PHONE}")[0] == 200
    assert organiser.get(f"/manage/{slug}/participants?q=%2B62{DIGITS}")[0] == 200


def _send_raw(port: int, request: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        assert sock.recv(100).startswith(b"HTTP/1.1 400")


@pytest.mark.process
def test_access_log_of_sign_ups_scans_and_searches_holds_no_secret(app, trip, tmp_path):
    make_user("organiser")
    other = register(trip, person(2)).registration
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    with Gunicorn(
        app.config["SQLALCHEMY_DATABASE_URI"],
        workers=1,
        RATELIMIT_ENABLED="0",
        ACCESS_LOG=str(access_log),
        ERROR_LOG=str(error_log),
    ) as server:
        token = _sign_up(server.url)
        code = db.session.scalar(
            db.select(Registration.checkin_code).where(Registration.access_token == token)
        )
        _scan_and_search(server.url, code, trip.slug, trip.checkpoints[0].id)
        _scan_and_search(server.url, other.checkin_code, trip.slug, trip.checkpoints[0].id)
        # A request line gunicorn refuses is quoted whole in its error log.
        _send_raw(server.port, f"GET /p/{token}?q={PHONE}\u00e9 HTTP/1.1\r\n\r\n".encode())

    logged = access_log.read_text() + (error_log.read_text() if error_log.exists() else "")
    # The log is there and says what happened, with the secrets taken out.
    assert f'"GET /p/{MARK} HTTP/1.1" 200' in logged
    assert f'"POST /c/{MARK} HTTP/1.1" 200' in logged
    assert f"GET /manage/{trip.slug}/participants HTTP/1.1" in logged
    assert f"Invalid HTTP request line: 'GET /p/{MARK} HTTP/1.1'" in logged
    for secret in (token, code, other.access_token, other.checkin_code, DIGITS):
        assert secret not in logged, secret
    assert other.phone.removeprefix("+62") not in logged


def test_development_server_lines_hold_no_secret(app, trip, caplog):
    registration = register(trip, person(3)).registration
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            browser = HttpSession(f"http://127.0.0.1:{server.server_port}")
            assert browser.get(f"/p/{registration.access_token}?q={PHONE}")[0] == 200
            # The server logs the request once the answer is sent: after the client has it.
            deadline = time.monotonic() + 5
            while not _lines(caplog) and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        server.shutdown()
        thread.join(5)
    lines = _lines(caplog)
    assert any(f"/p/{MARK}" in line for line in lines), lines
    assert not any(registration.access_token in line or DIGITS in line for line in lines), lines


def _lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
