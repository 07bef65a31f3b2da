"""Guessing and flooding: token lookups and sign-ups are rate-limited (login is tested in
test_foundation.py); a wrong or malformed token is a plain 404 page."""

from __future__ import annotations

from kampung.tokens import new_secret
from tests.abuse.conftest import send
from tests.conftest import person

TOKEN_LIMIT = 60
SIGNUP_LIMIT = 20


def token_pages(app) -> list[str]:
    """Every page a participant's token opens, from the URL map: a new one cannot be missed."""
    return sorted(rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments)


def test_the_token_pages_are_the_personal_ones(app):
    assert token_pages(app) == [
        "/p/<token>",
        "/p/<token>/cancel",
        "/p/<token>/check",
        "/p/<token>/edit",
        "/p/<token>/feedback",
    ]


def test_token_guesses_share_one_limit_across_every_token_page(app, world, rate_limits):
    client = world["clients"]["anonymous"]
    pages = [p for p in token_pages(app) if not p.endswith("/check")]  # that one is POST only
    codes = []
    for i in range(TOKEN_LIMIT + 1):
        url = pages[i % len(pages)].replace("<token>", new_secret())
        codes.append(send(app, client, "GET", url).status_code)
    assert codes[:TOKEN_LIMIT] == [404] * TOKEN_LIMIT
    assert codes[-1] == 429
    # The owner of a real token waits too: the limit is per address, not per token.
    blocked = send(app, client, "GET", f"/p/{world['alice'].access_token}/feedback")
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.get_data(as_text=True)


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


def test_sign_ups_are_limited_per_address(app, world, rate_limits):
    client = world["clients"]["anonymous"]
    codes = []
    for i in range(SIGNUP_LIMIT + 1):
        with app.app_context():
            data = person(100 + i, consent="y", csrf_token=client.csrf_token())
        codes.append(send(app, client, "POST", f"/e/{world['slug']}", data=data).status_code)
    assert codes[:SIGNUP_LIMIT] == [303] * SIGNUP_LIMIT
    assert codes[-1] == 429
    other = send(
        app, client, "POST", f"/e/{world['slug']}", environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code != 429, "another address still signs up"
