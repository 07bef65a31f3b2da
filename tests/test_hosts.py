"""Links that travel (QR codes, WhatsApp messages, reminders, import links) never follow a host
the operator did not configure; the scanner takes the codes of every host that is ours."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from kampung import create_app
from kampung.extensions import db
from kampung.links import site_hosts
from kampung.signup.service import register
from tests.conftest import PASSWORD, make_user, person
from tests.feedback.helpers import open_survey
from tests.signup.test_views import decode_qr

PUBLIC = "https://kampung.example.go.id"


@pytest.fixture
def configure(app, monkeypatch):
    """configure(**env): the app as these environment variables set it up, on the test's
    database (the variables the test does not give are unset)."""
    made = []

    def build(**env: str):
        for name in ("PUBLIC_URL", "TRUSTED_HOSTS", "TRUSTED_PROXIES", "HOST", "PORT"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        configured = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "TESTING": True,
                "RATELIMIT_ENABLED": False,
            }
        )
        made.append(configured)
        return configured

    yield build
    for configured in made:
        with configured.app_context():
            db.engine.dispose()


def csrf_of(html: str) -> str:
    """The CSRF token a page gives its forms and htmx (the session cookie is per host, so the
    test client's own helper, bound to localhost, cannot make one for another host)."""
    return re.search(r'"X-CSRFToken": "([^"]+)"', html)[1]


def log_in_at(client, base: str, user) -> str:
    """Log in through `base`, as a browser there does; the session's CSRF token."""
    token = csrf_of(client.get("/login", base_url=base).get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
        base_url=base,
        headers={"Referer": f"{base}/login"},  # https: the CSRF check wants the same site
    )
    assert response.status_code == 302, response.status_code
    return token


def travelling_pages(trip, registration) -> list[str]:
    """Pages that carry links meant to leave the app: the personal page's WhatsApp button, the
    trip's sign-up share (their QR codes are read below). The chair's reminders are made on
    demand, by a POST: see reminder_answer()."""
    return [
        f"/p/{registration.access_token}",
        f"/manage/{trip.slug}/",
    ]


def reminder_answer(client, token, trip, registration, headers=None):
    """The chair's reminder for someone who has not answered: the ready WhatsApp message."""
    return client.post(
        f"/manage/{trip.slug}/review/remind/{registration.id}",
        data={"csrf_token": token},
        base_url=PUBLIC,
        headers={"Referer": f"{PUBLIC}/", **(headers or {})},
    )


def links_in(html: str) -> set[str]:
    """Every absolute http(s) URL in a page, WhatsApp texts unquoted."""
    return set(re.findall(r"https?://[^\s\"'<>&]+", unquote(html.replace("&amp;", "&"))))


def test_with_public_url_another_host_never_yields_a_link_to_it(configure, trip):
    configured = configure(PUBLIC_URL=PUBLIC, TRUSTED_PROXIES="1")
    registration = register(trip, person(1)).registration
    open_survey(trip)
    client = configured.test_client()
    token = log_in_at(client, PUBLIC, make_user("admin"))
    qr_pages = [f"/p/{registration.access_token}", f"/manage/{trip.slug}/qr-cards"]
    for path in [*travelling_pages(trip, registration), *qr_pages]:
        for headers in ({"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"}):
            refused = client.get(path, base_url=PUBLIC, headers=headers)
            assert refused.status_code == 400, (path, headers)
            assert "evil.example" not in refused.get_data(as_text=True)
            assert "Alamat tidak dikenal" in refused.get_data(as_text=True)
    refused = reminder_answer(client, token, trip, registration, {"Host": "evil.example"})
    assert refused.status_code == 400 and "evil.example" not in refused.get_data(as_text=True)
    answers = [client.get(path, base_url=PUBLIC) for path in travelling_pages(trip, registration)]
    answers.append(reminder_answer(client, token, trip, registration))
    for page in answers:
        assert page.status_code == 200, page.request.path
        links = links_in(page.get_data(as_text=True))
        assert any(link.startswith(f"{PUBLIC}/") for link in links), page.request.path
        assert not any("evil" in link for link in links), page.request.path
    # The QR codes name the address phones use, seen from the machine itself (127.0.0.1) too.
    code_url = f"{PUBLIC}/c/{registration.checkin_code}"
    for path in qr_pages:
        assert decode_qr(client.get(path, base_url=PUBLIC).get_data(as_text=True)) == code_url
    local = client.get(qr_pages[0], base_url="http://127.0.0.1:5000").get_data(as_text=True)
    assert decode_qr(local) == code_url


def test_without_public_url_links_follow_only_hosts_the_operator_named(configure, trip):
    configured = configure(TRUSTED_HOSTS="kampung.local, Panitia.Lan")
    registration = register(trip, person(1)).registration
    client = configured.test_client()
    page = client.get(f"/p/{registration.access_token}", base_url="http://kampung.local:5000")
    assert page.status_code == 200
    assert decode_qr(page.get_data(as_text=True)) == (
        f"http://kampung.local:5000/c/{registration.checkin_code}"
    )
    assert client.get("/", base_url="http://panitia.lan").status_code == 200
    assert client.get("/", base_url="http://evil.example").status_code == 400


def test_a_lan_address_given_as_host_is_the_address_phones_get(configure, trip, admin):
    configured = configure(HOST="192.168.1.20", PORT="5000")
    assert configured.config["PUBLIC_URL"] == "http://192.168.1.20:5000"
    registration = register(trip, person(1)).registration
    client = configured.test_client()
    for base in ("http://192.168.1.20:5000", "http://127.0.0.1:5000"):
        html = client.get(f"/p/{registration.access_token}", base_url=base).get_data(as_text=True)
        assert decode_qr(html) == f"http://192.168.1.20:5000/c/{registration.checkin_code}"
    # `make run` says where phones go (the command runs in the app context it finds).
    with configured.app_context():
        result = configured.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "phones open http://192.168.1.20:5000/" in result.output


def test_every_address_as_host_names_this_machine_to_phones(configure):
    configured = configure(HOST="0.0.0.0", PORT="8000")
    public = configured.config["PUBLIC_URL"]
    # Without a network there is no address to name: links follow the (trusted) request host.
    if public:
        host = re.fullmatch(r"http://([\d.]+):8000", public)[1]
        assert host != "0.0.0.0" and host in configured.config["TRUSTED_HOSTS"]


def test_scanner_takes_the_codes_of_every_configured_host(configure, trip):
    configured = configure(PUBLIC_URL=PUBLIC, TRUSTED_HOSTS="kampung.local")
    people = [register(trip, person(i)).registration for i in range(4)]
    checkpoint = trip.checkpoints[0]
    client = configured.test_client()
    token = log_in_at(client, PUBLIC, make_user("organiser"))
    with configured.test_request_context():
        assert site_hosts() == ["kampung.example.go.id", "kampung.local", "127.0.0.1", "localhost"]
    page = client.get(f"/manage/{trip.slug}/checkin/{checkpoint.id}", base_url=PUBLIC)
    hosts = '["kampung.example.go.id", "kampung.local", "127.0.0.1", "localhost"]'
    assert f'data-hosts="{hosts.replace(chr(34), "&#34;")}"' in page.get_data(as_text=True)
    codes = [
        f"{PUBLIC}/c/{people[0].checkin_code}",
        f"http://kampung.local:5000/c/{people[1].checkin_code}",
        f"http://localhost:5000/c/{people[2].checkin_code}",
        f"https://evil.example/c/{people[3].checkin_code}",
    ]
    scans = [
        {
            "code": code,
            "checkpoint": checkpoint.id,
            "scanned_at": datetime.now(UTC).isoformat(),
            "nonce": uuid.uuid4().hex,
            "device": "HP uji",
        }
        for code in codes
    ]
    response = client.post(
        "/api/checkins",
        json=scans,
        base_url=PUBLIC,
        headers={"X-CSRFToken": token, "Referer": f"{PUBLIC}/manage/"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    outcomes = [result["outcome"] for result in response.get_json()["results"]]
    assert outcomes == ["ok", "ok", "ok", "invalid"]
