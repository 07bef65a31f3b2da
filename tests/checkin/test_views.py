"""The check-in pages and the batch API, through the test client."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from kampung.checkin.models import CheckIn, ScanLog
from kampung.extensions import db
from kampung.signup.models import Registration
from kampung.signup.service import register
from tests.auth.conftest import browser_of
from tests.checkin.conftest import offline_people
from tests.conftest import log_in, make_user, person
from tests.server import csrf_from


@pytest.fixture
def people(trip):
    return [register(trip, person(i)).registration for i in range(3)]


@pytest.fixture
def staff(client, organiser):
    log_in(client, organiser)
    return client


def _scanner_url(trip, index: int = 0) -> str:
    return f"/manage/{trip.slug}/checkin/{trip.checkpoints[index].id}"


def _scan(trip, code, *, nonce=None, scanned_at=None, index=0):
    return {
        "code": code,
        "checkpoint": trip.checkpoints[index].id,
        "scanned_at": scanned_at or datetime.now(UTC).isoformat(),
        "nonce": nonce or uuid.uuid4().hex,
        "device": "B",
    }


def test_scanner_is_for_organisers_only(client, trip, chair):
    assert client.get(_scanner_url(trip)).status_code == 302
    log_in(client, chair)
    assert client.get(_scanner_url(trip)).status_code == 403
    assert client.post_json("/api/checkins", []).status_code == 403


def test_manual_code_without_javascript_shows_green_then_amber(staff, trip, people):
    url = _scanner_url(trip)
    page = staff.post_form(url, {"code": people[0].checkin_code}).get_data(as_text=True)
    assert "result-green" in page and "Peserta Uji 0" in page and "Bus 1" in page
    page = staff.post_form(url, {"code": people[0].checkin_code}).get_data(as_text=True)
    assert "result-amber" in page and "Sudah check-in pukul" in page and "oleh Rina" in page


def test_count_page_shows_present_and_missing_with_call_buttons(staff, trip, people):
    staff.post_form(_scanner_url(trip), {"code": people[0].checkin_code})
    page = staff.get(_scanner_url(trip) + "/count").get_data(as_text=True)
    assert "Hadir" in page and '<strong class="count-present">1</strong> / 3' in page
    missing = page.split('id="missing"', 1)[1].split("Baru saja hadir", 1)[0]
    assert "Peserta Uji 1" in missing and "Peserta Uji 0" not in missing
    assert f'href="tel:{people[1].phone}"' in page
    assert f'href="https://wa.me/{people[1].phone[1:]}"' in page
    # What htmx sends when the count and the missing poll (each is its own target).
    for target in ("counts", "missing"):
        fragment = staff.get(
            _scanner_url(trip) + "/count", headers={"HX-Request": "true", "HX-Target": target}
        )
        assert fragment.get_data(as_text=True).lstrip().startswith(f'<section id="{target}"')


def test_search_by_name_offers_a_check_in_button(staff, trip, people):
    response = staff.get(
        _scanner_url(trip) + "?q=uji 2",
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="search-results"')
    assert "Peserta Uji 2" in body and "Peserta Uji 1" not in body
    assert people[2].checkin_code in body


def test_qr_url_shows_nothing_to_strangers(client, trip, people):
    code = people[0].checkin_code
    page = client.get(f"/c/{code}").get_data(as_text=True)
    assert "Peserta Uji 0" not in page and "Pematang Sulur" not in page
    stranger = client.get("/c/not-a-code").get_data(as_text=True)
    assert stranger.replace("not-a-code", code) == page
    assert client.post_form(f"/c/{code}").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 0


def test_qr_url_lets_an_organiser_check_in_at_the_open_checkpoint(staff, trip, people):
    code = people[0].checkin_code
    page = staff.get(f"/c/{code}").get_data(as_text=True)
    assert "Peserta Uji 0" in page and "Keberangkatan Jambi" in page
    page = staff.post_form(f"/c/{code}", {"checkpoint": trip.checkpoints[0].id})
    assert "result-green" in page.get_data(as_text=True)
    # The departure is done: the button now offers the return.
    assert "Kepulangan Bengkulu" in staff.get(f"/c/{code}").get_data(as_text=True)
    assert staff.get("/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_api_answers_each_scan_and_counts_a_resent_nonce_once(staff, trip, people):
    first = _scan(trip, people[0].checkin_code, nonce="nonce-0001")
    batch = [
        first,
        _scan(trip, f"http://localhost/c/{people[1].checkin_code}"),
        _scan(trip, f"https://evil.example/c/{people[2].checkin_code}"),
        _scan(trip, people[0].checkin_code),
        first,
    ]
    response = staff.post_json("/api/checkins", batch)
    assert response.status_code == 200
    outcomes = [r["outcome"] for r in response.json["results"]]
    assert outcomes == ["ok", "ok", "invalid", "already", "ok"]
    assert response.json["results"][4]["replayed"] is True
    assert response.json["results"][3]["detail"].startswith("Sudah check-in pukul")
    assert db.session.scalar(db.select(db.func.count()).select_from(CheckIn)) == 2


def test_api_keeps_the_device_time_of_an_offline_scan(staff, trip, people):
    when = datetime.now(UTC) - timedelta(minutes=20)
    staff.post_json(
        "/api/checkins", [_scan(trip, people[0].checkin_code, scanned_at=when.isoformat())]
    )
    checkin = db.session.scalar(db.select(CheckIn))
    assert abs(checkin.scanned_at - when) < timedelta(seconds=1)
    assert checkin.received_at - checkin.scanned_at > timedelta(minutes=19)


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        {"scans": "x"},
        [],
        [{"code": "x"}],
        [{"code": "x", "checkpoint": "1", "nonce": "12345678", "device": ""}],
        [{"code": 5, "checkpoint": 1, "nonce": "12345678", "device": ""}],
        [{"code": "x", "checkpoint": 1, "nonce": "12345678", "device": "", "scanned_at": "nope"}],
        [{"code": "x", "checkpoint": 1, "nonce": "12345678", "scanned_at": "2026-01-01T06:00"}],
    ],
)
def test_api_refuses_a_malformed_batch_with_a_clear_error(staff, trip, payload):
    if isinstance(payload, str):
        response = staff.post(
            "/api/checkins",
            data=payload,
            content_type="application/json",
            headers={"X-CSRFToken": staff.csrf_token()},
        )
    else:
        response = staff.post_json("/api/checkins", payload)
    assert response.status_code == 400
    assert response.json["error"]
    assert db.session.scalar(db.select(db.func.count()).select_from(ScanLog)) == 0


def test_api_refuses_a_huge_batch(staff, trip):
    batch = [_scan(trip, "A" * 32) for _ in range(501)]
    response = staff.post_json("/api/checkins", batch)
    assert response.status_code == 413 and "500" in response.json["error"]


def test_api_needs_the_csrf_token(staff, trip, people):
    response = staff.post("/api/checkins", json=[_scan(trip, people[0].checkin_code)])
    assert response.status_code == 400


def test_a_csrf_token_that_worked_for_one_login_is_refused_for_another(app, staff, trip, people):
    """The CSRF check remembers tokens it has verified (kampung.csrf): still per session."""
    token = staff.csrf_token()
    sent = staff.post(
        "/api/checkins", json=[_scan(trip, people[0].checkin_code)], headers={"X-CSRFToken": token}
    )
    assert sent.status_code == 200
    other = app.test_client()
    log_in(other, make_user("organiser", "organiser2"))
    other.csrf_token()  # a raw token of its own in its session
    stolen = other.post(
        "/api/checkins", json=[_scan(trip, people[1].checkin_code)], headers={"X-CSRFToken": token}
    )
    assert stolen.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(ScanLog)) == 1


def test_each_login_pages_carry_a_token_of_its_own(app, organiser, trip, people):
    """Pages reuse a signed token per session (kampung.csrf): never another session's."""
    staff = browser_of(app, organiser)
    other = browser_of(app, make_user("organiser", "organiser2"))

    def page_token(client):
        with app.app_context():  # a request's own g, as in a server
            page = client.get(_scanner_url(trip))
            assert page.status_code == 200, page.headers.get("Location")
            return csrf_from(page.get_data(as_text=True))

    def scan(client, token):
        with app.app_context():
            body = [_scan(trip, people[0].checkin_code)]
            return client.post("/api/checkins", json=body, headers={"X-CSRFToken": token})

    mine = [page_token(staff) for _ in range(2)]
    theirs = page_token(other)
    assert mine[0] == mine[1] and theirs != mine[0]
    assert scan(other, mine[0]).status_code == 400
    assert scan(staff, mine[0]).status_code == 200


def test_roster_copy_holds_hashes_not_codes(staff, trip, people):
    staff.post_form(_scanner_url(trip), {"code": people[0].checkin_code})
    data = staff.get(_scanner_url(trip) + "/roster.json").json
    body = str(data)
    assert people[0].checkin_code not in body and people[0].access_token not in body
    entry = offline_people(data)[hashlib.sha256(people[0].checkin_code.encode()).hexdigest()[:16]]
    assert entry == {
        "here": 1,
        "name": "Peserta Uji 0",
        "rt_rw": "005/002",
        "kelurahan": "Pematang Sulur",
        "bus_id": trip.buses[0].id,
        "phone": people[0].phone,
    }
    assert data["buses"][str(trip.buses[0].id)] == "Bus 1"


def test_roster_copy_holds_only_the_seated_and_what_the_result_and_calls_need(staff, trip, people):
    people[1].cancel()
    db.session.commit()
    data = staff.get(_scanner_url(trip) + "/roster.json").json
    assert len(data["people"]) == 2
    body = str(data)
    assert "Peserta Uji 1" not in body and people[1].phone not in body
    for leaked in ("cancelled", "registered", "Telanaipura", "Ketua RT"):
        assert leaked not in body, leaked


def test_roster_copy_expires_after_the_trip_returns(staff, trip, people):
    data = staff.get(_scanner_url(trip) + "/roster.json").json
    expires = datetime.fromisoformat(data["expires_at"])
    assert data["expires_at"].endswith("Z")
    assert expires == trip.returns_at + timedelta(hours=12)
    page = staff.get(_scanner_url(trip)).get_data(as_text=True)
    assert f'data-offline-until="{data["expires_at"]}"' in page

    trip.departs_at -= timedelta(days=30)
    trip.returns_at = datetime.now(UTC) - timedelta(hours=13)
    db.session.commit()
    data = staff.get(_scanner_url(trip) + "/roster.json").json
    assert data["people"] == [] and datetime.fromisoformat(data["expires_at"]) < datetime.now(UTC)


def test_scanner_page_names_the_hosts_its_codes_may_carry(staff, trip, app):
    app.config["PUBLIC_URL"] = "https://kampung.example.go.id"
    page = staff.get(_scanner_url(trip)).get_data(as_text=True)
    hosts = ["kampung.example.go.id", "127.0.0.1", "localhost"]
    assert f'data-hosts="{json.dumps(hosts).replace(chr(34), "&#34;")}"' in page


def test_offline_page_names_the_scanners_and_nobody(staff, trip, people):
    page = staff.get(f"/manage/{trip.slug}/checkin/offline").get_data(as_text=True)
    assert "Tidak ada sinyal" in page and "Keberangkatan Jambi" in page
    assert "Peserta Uji" not in page
    assert f'href="{_scanner_url(trip)}"' in page


def test_undo_needs_a_reason_and_is_recorded(staff, trip, people):
    staff.post_form(_scanner_url(trip), {"code": people[0].checkin_code})
    checkin = db.session.scalar(db.select(CheckIn))
    url = f"/manage/{trip.slug}/checkin/undo/{checkin.id}"
    assert "Alasan" in staff.post_form(url, {"reason": ""}).get_data(as_text=True)
    assert staff.post_form(url, {"reason": "Salah pindai"}).status_code == 302
    db.session.refresh(checkin)
    assert checkin.undone_at and checkin.undo_reason == "Salah pindai"


def test_daftar_hadir_and_qr_cards_print_the_roster(staff, trip, people):
    staff.post_form(_scanner_url(trip), {"code": people[0].checkin_code})
    page = staff.get(_scanner_url(trip) + "/daftar-hadir").get_data(as_text=True)
    assert "Daftar Hadir" in page and "Tanda Tangan" in page and "Peserta Uji 2" in page
    cards = staff.get(f"/manage/{trip.slug}/qr-cards").get_data(as_text=True)
    assert cards.count('<svg class="qr" aria-hidden="true"') == 3


def test_service_worker_is_scoped_to_the_scanner(client, trip):
    response = client.get(f"/manage/{trip.slug}/checkin/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == f"/manage/{trip.slug}/checkin/"
    assert "javascript" in response.mimetype


def test_a_device_name_and_an_undo_reason_are_cleaned(staff, trip, people):
    scan = _scan(trip, people[0].checkin_code) | {"device": "\u202eHP\x0bRina\x1b[0m\u200b"}
    assert staff.post_json("/api/checkins", [scan]).status_code == 200
    form = {"code": people[1].checkin_code, "device": "HP\x01 Budi\u2069"}
    staff.post_form(_scanner_url(trip), form)
    devices = db.session.scalars(db.select(CheckIn.device).order_by(CheckIn.id)).all()
    assert devices == ["HP Rina[0m", "HP Budi"]
    assert set(db.session.scalars(db.select(ScanLog.device))) == {"HP Rina[0m", "HP Budi"}
    checkin = db.session.scalar(db.select(CheckIn).order_by(CheckIn.id))
    url = f"/manage/{trip.slug}/checkin/undo/{checkin.id}"
    assert "Alasan" in staff.post_form(url, {"reason": "\u200b\x0b"}).get_data(as_text=True)
    assert staff.post_form(url, {"reason": "Salah\x0bpindai\u202e"}).status_code == 302
    db.session.refresh(checkin)
    assert checkin.undo_reason == "Salah pindai"


def name_stored_without_the_rules(registration, name: str) -> None:
    """Written straight into the database, as a row from before these rules would be."""
    db.session.execute(
        db.update(Registration).where(Registration.id == registration.id).values(full_name=name)
    )
    db.session.commit()
    db.session.expire_all()


def test_scanner_pages_show_a_stored_override_isolated_and_removed(staff, trip, people):
    name_stored_without_the_rules(people[0], "\u202eAhmad Lubis")
    base = _scanner_url(trip)
    scanned = staff.post_form(base, {"code": people[0].checkin_code}).get_data(as_text=True)
    search = staff.get(base + "?q=Peserta").get_data(as_text=True)
    missing = staff.get(base + "/count").get_data(as_text=True)
    card = staff.get(f"/c/{people[1].checkin_code}").get_data(as_text=True)
    for body in (scanned, search, missing, card):
        assert "\u202e" not in body
    assert '<p class="result-name" data-slot="name">Ahmad Lubis</p>' in scanned
    assert "<strong><bdi>Peserta Uji 1</bdi></strong>" in search
    api = staff.post_json("/api/checkins", [_scan(trip, people[0].checkin_code)])
    assert api.json["results"][0]["person"]["name"] == "Ahmad Lubis"
    copy = staff.get(base + "/roster.json").get_json()
    assert "Ahmad Lubis" in {entry["name"] for entry in offline_people(copy).values()}
