"""Fixtures: the app on SQLite and on PostgreSQL (schema built by the real migrations),
staff accounts, the demo trip, and a real Chromium at phone size for browser tests."""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from werkzeug.serving import make_server

from kampung import create_app
from kampung.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "kata-sandi-uji-123"


#: the fixtures that drive Chromium: a test that uses one is a browser test
BROWSER_FIXTURES = {"browser", "context", "page", "live_server"}


def pytest_collection_modifyitems(items):
    """Browser tests are known by their fixtures, so `-m "not browser"` never misses one."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database(request, tmp_path_factory):
    """A migrated, empty database: a template file for SQLite, a database of this run's own on
    PostgreSQL (so that parallel runs do not meet)."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.db"
        _migrate(f"sqlite:///{template}")
        yield ("sqlite", template)
        return
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    server = sa.make_url(server_url)
    name = f"kampung_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    yield ("postgres", url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class KampungClient(FlaskClient):
    """The test client, able to send forms with a valid CSRF token as a browser would."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", secrets.token_hex(20))
        with self.application.test_request_context():
            session["csrf_token"] = raw
            # Flask-WTF caches the token in g, shared by every client of the test's app context.
            g.pop("csrf_token", None)
            return generate_csrf()

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def post_json(self, url: str, payload, **kwargs):
        headers = {"X-CSRFToken": self.csrf_token(), **kwargs.pop("headers", {})}
        return self.post(url, json=payload, headers=headers, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hash():
    """Hundreds of staff accounts are made and logged in: a cheap hash, not scrypt's 0.13 s
    each. A hash names its method, so the app checks these like any other."""
    from kampung.auth import models

    models.PASSWORD_METHOD = "pbkdf2:sha256:1"
    yield
    models.PASSWORD_METHOD = "scrypt"


@pytest.fixture(scope="session")
def _session_app(database, tmp_path_factory):
    """One app per database for the whole run: building one (its URL map above all) costs more
    than most tests. Each test gets it back as it was (`app`)."""
    kind, source = database
    path = None
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("db") / "kampung.db"
        url = f"sqlite:///{path}"
    else:
        url = source
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            # Set up in full, counting in a file of this run's own, then switched off: the
            # `rate_limits` fixture switches them on again (set up disabled, Flask-Limiter
            # would not register the hook that counts refusals).
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path_factory.mktemp('limits')}/limits.db",
            "SERVER_NAME": None,
        }
    )
    limiter.enabled = False
    app.test_client_class = KampungClient
    app.config["DB_KIND"] = kind
    # Flask-Limiter keeps its storage and switch on the one extension object, which a test that
    # builds an app of its own rebinds: each test starts from this app's.
    limiter_state = dict(vars(limiter))
    return app, kind, source, path, limiter_state


def _fresh_sqlite(template: Path, path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(template, path)


@pytest.fixture
def app(_session_app):
    """The app, on an empty database, its settings as created: a test may change them."""
    app, kind, source, path, limiter_state = _session_app
    config = dict(app.config)
    vars(limiter).update(limiter_state)
    with app.app_context():
        if kind == "sqlite":
            db.engine.dispose()
            _fresh_sqlite(source, path)
        yield app
        db.session.remove()
        if kind == "postgres":
            tables = [t.name for t in db.metadata.sorted_tables]
            with db.engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "TRUNCATE "
                        + ", ".join(f'"{t}"' for t in tables)
                        + " RESTART IDENTITY CASCADE"
                    )
                )
        db.engine.dispose()
    app.config.clear()
    app.config.update(config)


@pytest.fixture
def rate_limits(app):
    """Rate limits switched on (the other tests run without them), from a clean count."""
    limiter.enabled = True
    limiter.reset()
    yield limiter
    limiter.enabled = False


@pytest.fixture
def client(app) -> KampungClient:
    return app.test_client()


def make_user(role: str, username: str | None = None, name: str = ""):
    from kampung.cli import create_user

    return create_user(username or role, role, PASSWORD, name or role.title())


@pytest.fixture
def admin(app):
    return make_user("admin", name="Admin Kota")


@pytest.fixture
def organiser(app):
    return make_user("organiser", name="Rina")


@pytest.fixture
def chair(app):
    return make_user("chair", name="Ketua Forum")


def log_in(client: KampungClient, user) -> None:
    response = client.post_form("/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


@pytest.fixture
def trip(app):
    """The demo trip with nobody on it yet."""
    from kampung.demo import create_demo_trip

    return create_demo_trip(participants=0)


def person(i: int = 1, **overrides) -> dict:
    """A valid participant, different for each i."""
    data = {
        "full_name": f"Peserta Uji {i}",
        "phone": f"+62813{i + 20000000:08d}",
        "kecamatan": "Telanaipura",
        "kelurahan": "Pematang Sulur",
        "rt": 5,
        "rw": 2,
        "role": "Ketua RT",
        "gender": "L",
    }
    data.update(overrides)
    return data


# --- Browser -------------------------------------------------------------------------------


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free port of 127.0.0.1, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
    pytest.skip(f"no Chromium at {CHROMIUM}")


def poppler(tool: str) -> str:
    """A poppler-utils program (pdftoppm, pdftotext) to read the PDFs Chromium prints."""
    if path := shutil.which(tool):
        return path
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but no {tool} (apt-get install poppler-utils)")
    pytest.skip(f"no {tool} (apt-get install poppler-utils)")


CHROMIUM_ARGS = [
    "--disable-gpu",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright_session():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_session):
    executable = _chromium_or_skip()
    browser = playwright_session.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


PHONE = {
    "viewport": {"width": 360, "height": 740},
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
}


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server, **PHONE)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error"
            and "only accessible if the page is transferred via https" not in msg.text
            else None
        ),
    )
    yield page
    assert not errors, f"errors in the browser console: {errors}"


ARTIFACTS = ROOT / "test-artifacts"


def screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot to look at; returns its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # caret="initial": hiding the caret injects a style that the CSP rightly blocks.
    page.screenshot(path=str(path), full_page=True, caret="initial")
    return path


AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it stands."""
    # Evaluated through the DevTools protocol: the page's CSP rightly forbids an inline script.
    page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


#: each letter of an element's text, in the order it is written, with where it is drawn
_LETTERS = """(element) => {
  const letters = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      if (!/\\p{L}/u.test(node.data[i])) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (box.width) letters.push([node.data[i], Math.round(box.top), box.left]);
    }
  }
  return letters;
}"""


def drawn_backwards(locator) -> list[str]:
    """The letters Chromium draws to the left of the letter written before them on the same
    line: what a right-to-left override turns around in Latin text. Empty when it reads right."""
    letters = locator.evaluate(_LETTERS)
    assert letters, "no text drawn"
    return [
        f"{a}{b}"
        for (a, top_a, left_a), (b, top_b, left_b) in itertools.pairwise(letters)
        if top_a == top_b and left_b < left_a
    ]
