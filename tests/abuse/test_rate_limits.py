"""Guessing and flooding, and the room that must not be taken for either: wrong tokens and
sign-ups are rate-limited per browser and per address (login is tested in test_foundation.py),
while 100 people on one Wi-Fi sign up and open their pages; a wrong token is a plain 404."""

from __future__ import annotations

from kampung.extensions import db
from kampung.models import Trip
from kampung.signup import service as signup
from kampung.tokens import new_secret
from tests.abuse.conftest import send
from tests.conftest import person

TOKEN_LIMIT = 60


def token_pages(app) -> list[str]:
    """Every page a participant's token opens, from the URL map: a new one cannot be missed."""
    return sorted(rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments)


def test_the_token_pages_are_the_personal_ones(app):
    assert token_pages(app) == [
        "/p/<token>",
        "/p/<token>/cancel",
        "/p/<token>/check",
        "/p/<token>/commitments",
        "/p/<token>/edit",
        "/p/<token>/feedback",
        "/p/<token>/followup",
        "/p/<token>/read/<int:notice_id>",
    ]


def test_token_guesses_share_one_limit_across_every_token_page(app, world, rate_limits):
    client = world["clients"]["anonymous"]
    # /check and /read/<id> take POSTs only
    pages = [p for p in token_pages(app) if not p.endswith("/check") and "/read/" not in p]
    codes = []
    for i in range(TOKEN_LIMIT + 1):
        url = pages[i % len(pages)].replace("<token>", new_secret())
        codes.append(send(app, client, "GET", url).status_code)
    assert codes[:TOKEN_LIMIT] == [404] * TOKEN_LIMIT
    assert codes[-1] == 429
    # The owner of a real token waits too once the address is over: else a right guess would
    # still be served, and the limit would stop nothing.
    blocked = send(app, client, "GET", f"/p/{world['alice'].access_token}/feedback")
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.get_data(as_text=True)


def test_a_guesser_on_the_same_address_does_not_lock_a_person_out_of_their_own_page(
    app, world, rate_limits
):
    """A carrier puts a whole city behind one address: a phone that opened its page before
    opens it again while someone on that address guesses tokens."""
    owner = app.test_client()
    own = f"/p/{world['alice'].access_token}"
    assert send(app, owner, "GET", own).status_code == 200
    guesser = world["clients"]["anonymous"]
    for _ in range(TOKEN_LIMIT):
        send(app, guesser, "GET", f"/p/{new_secret()}")
    assert send(app, guesser, "GET", f"/p/{new_secret()}").status_code == 429
    assert send(app, owner, "GET", own).status_code == 200
    assert send(app, owner, "GET", f"{own}/edit").status_code == 200
    # Its cookie opens only its own pages: another token from that phone still waits.
    assert send(app, owner, "GET", f"/p/{world['bob'].access_token}").status_code == 429


#: a well-formed guess, then malformed ones: too short, NUL, a path, too long, emoji
WRONG_TOKENS = ("A" * 32, "x", "%00", "..%2F..%2Fetc", "a" * 300, "😀" * 30)


def test_a_wrong_or_malformed_token_is_a_plain_404(app, world):
    for token in WRONG_TOKENS:
        for page in token_pages(app):
            if page.endswith("/check"):
                continue
            url = page.replace("<token>", token)
            response = send(app, world["clients"]["anonymous"], "GET", url)
            body = response.get_data(as_text=True)
            assert response.status_code in (404, 400), url
            assert "Traceback" not in body and world["alice"].full_name not in body
            assert "Halaman tidak ditemukan" in body or "Permintaan tidak dapat diproses" in body


#: the venue's Wi-Fi: one public address for the whole room
VENUE = {"REMOTE_ADDR": "203.0.113.10"}
ROOM = 100
#: what one browser may send, and one address whatever its browsers (kampung.ratelimit)
PER_BROWSER = 10
PER_ADDRESS = 150


def _sign_up(app, browser, slug: str, i: int, **fields):
    with app.app_context():
        data = person(i, consent="y", csrf_token=browser.csrf_token()) | fields
    return send(app, browser, "POST", f"/e/{slug}", data=data, environ_base=VENUE)


def test_a_room_of_100_on_one_address_signs_up_and_opens_their_pages(app, world, rate_limits):
    """The briefing: "open the link now". Each phone its own browser, all on the venue Wi-Fi,
    every fourth person sending the form once more after a typo in the number."""
    slug = world["slug"]
    pages = []
    for i in range(ROOM):
        phone = app.test_client()
        assert send(app, phone, "GET", f"/e/{slug}", environ_base=VENUE).status_code == 200
        if i % 4 == 0:
            assert _sign_up(app, phone, slug, 300 + i, phone="0812").status_code == 422, i
        answer = _sign_up(app, phone, slug, 300 + i)
        assert answer.status_code == 303, f"person {i + 1}: {answer.status_code}"
        page = send(app, phone, "GET", answer.headers["Location"], environ_base=VENUE)
        assert page.status_code == 200, f"person {i + 1} cannot open their page"
        pages.append((phone, answer.headers["Location"]))
    # Everybody opens their page again, to show the QR code to a neighbour.
    for phone, url in pages:
        assert send(app, phone, "GET", url, environ_base=VENUE).status_code == 200
    trip = world["trip"]
    with app.app_context():
        counts = db.session.get(Trip, trip.id).count_by_status()
    assert counts["registered"] + counts["waitlisted"] == ROOM + 2  # alice and bob were first


def test_a_room_opening_their_pages_never_meets_the_guessing_limit(app, world, rate_limits):
    with app.app_context():
        trip = db.session.get(Trip, world["trip"].id)
        tokens = [
            signup.register(trip, person(500 + i)).registration.access_token for i in range(ROOM)
        ]
    anonymous = world["clients"]["anonymous"]
    for token in tokens + tokens:
        assert send(app, anonymous, "GET", f"/p/{token}", environ_base=VENUE).status_code == 200


def test_one_browser_signing_up_30_times_is_stopped_well_before_the_trip_is_full(
    app, world, rate_limits
):
    phone = app.test_client()
    send(app, phone, "GET", f"/e/{world['slug']}", environ_base=VENUE)
    codes = [_sign_up(app, phone, world["slug"], 100 + i).status_code for i in range(30)]
    assert codes == [303] * PER_BROWSER + [429] * (30 - PER_BROWSER)
    # The next person in the room, on their own phone, is not held up.
    neighbour = app.test_client()
    send(app, neighbour, "GET", f"/e/{world['slug']}", environ_base=VENUE)
    assert _sign_up(app, neighbour, world["slug"], 200).status_code == 303


def test_the_address_ceiling_stops_a_flood_that_drops_its_cookies(app, world, rate_limits):
    flood = app.test_client()
    codes = []
    for i in range(PER_ADDRESS + 1):
        # Keeps its session (the CSRF token needs it) but never sends its client id back.
        flood.delete_cookie("kampung_client")
        codes.append(_sign_up(app, flood, world["slug"], 1000 + i).status_code)
    assert codes[:PER_ADDRESS] == [303] * PER_ADDRESS
    assert codes[-1] == 429
    elsewhere = send(
        app, flood, "POST", f"/e/{world['slug']}", environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert elsewhere.status_code != 429, "another address still signs up"
