"""Hostile paths and query strings on every GET page: a plain 4xx or the page, never a 500."""

from __future__ import annotations

import itertools
from urllib.parse import quote, urljoin, urlsplit

from tests.abuse.conftest import send
from tests.conftest import PASSWORD

#: the query parameters the pages read
PARAMS = ("q", "page", "bus", "question", "kecamatan", "status", "marked", "part", "edit", "next")
#: each gave a 500 somewhere: a NUL, "²" (str.isdigit() yet not int()), 400 digits
KILLERS = ("Budi\x00", "²", "9" * 400)


def _values(w: dict) -> dict:
    return {
        "slug": w["slug"],
        "token": w["alice"].access_token,
        "link_token": w["alice_link"],
        "schedule_token": w["alice_schedule"],
        "notice_id": w["notice_id"],
        "item_id": w["item_id"],
        "followup_token": w["alice_followup"],
        "practice_id": w["practice_id"],
        "commitment_id": w["commitment_id"],
        "code": w["alice"].checkin_code,
        "checkpoint_id": w["checkpoint_id"],
        "registration_id": w["alice"].id,
        "question_id": w["question_id"],
        "checkin_id": w["checkin_id"],
        "answer_id": w["answer_id"],
        "job_id": w["import_url"].rsplit("/", 1)[1],
        "filename": "css/app.css",
        "action": "down",
        "kind": "device",
        "first_id": w["alice"].id,
        "last_id": w.get("excel", w["alice"]).id,
        "user_id": w["users"]["organiser"].id,
    }


def _get_pages(app, world) -> list[str]:
    values = _values(world)
    return [
        rule.build({arg: values[arg] for arg in rule.arguments})[1]
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static"
    ]


def test_hostile_query_strings_on_every_page(app, world):
    for killer, url in itertools.product(KILLERS, _get_pages(app, world)):
        query = "&".join(f"{name}={quote(killer)}" for name in PARAMS)
        response = send(app, world["clients"]["admin"], "GET", f"{url}?{query}")
        # A survey-, schedule- or follow-up-only link refuses every staff session (test_access.py).
        allowed = (200, 302, 303, 400, 404) + (
            (403,) if url.startswith(("/s/", "/j/", "/f/")) else ()
        )
        assert response.status_code in allowed, f"{url} -> {response.status_code}"
        assert b"Traceback" not in response.data, url


#: ids beyond what the database holds, and NULs where a slug, token or code goes
FAR_FETCHED = (
    "/manage/{slug}/participants/99999999999999999999/edit",
    "/manage/{slug}/checkin/2147483648",
    "/manage/{slug}/survey/questions/99999999999999999999",
    "/manage/{slug}/checkin/undo/9223372036854775808",
    "/p/%00",
    "/s/%00",
    "/j/%00",
    "/manage/{slug}/rundown/99999999999999999999",
    "/manage/{slug}/notices/9223372036854775808",
    "/e/%00",
    "/c/%00",
)


def test_an_id_or_token_no_database_can_hold_is_a_plain_4xx(app, world):
    for url in FAR_FETCHED:
        response = send(app, world["clients"]["admin"], "GET", url.format(slug=world["slug"]))
        assert response.status_code in (400, 404), url
        assert "Traceback" not in response.get_data(as_text=True)


def test_a_nul_is_refused_in_indonesian(app, world):
    client = world["clients"]["anonymous"]
    with app.app_context():
        data = {"full_name": "Budi\x00", "csrf_token": client.csrf_token()}
    response = send(app, client, "POST", f"/e/{world['slug']}", data=data)
    assert response.status_code == 400
    assert "Teks yang dikirim berisi karakter yang tidak diizinkan." in response.get_data(
        as_text=True
    )


#: ways to say "another site" that a browser reads as one though they start with "/"
ELSEWHERE = (
    "//evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "/\t/evil.example/",
    "/%09/evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
)


def test_login_never_sends_anyone_to_another_site(app, world):
    for target in ELSEWHERE:
        client = app.test_client()
        with app.app_context():
            data = {"username": "admin", "password": PASSWORD, "csrf_token": client.csrf_token()}
        response = send(app, client, "POST", f"/login?next={quote(target)}", data=data)
        assert response.status_code == 302, target
        location = response.headers["Location"]
        # A browser reads "\\" and a tab in a URL as "/" and nothing: they must not arrive raw.
        assert not set(location) & {"\\", "\t", "\n", "\r"}, f"{target} -> {location}"
        landing = urlsplit(urljoin("http://localhost/login", location))
        assert (landing.scheme, landing.netloc) == ("http", "localhost"), f"{target} -> {location}"
