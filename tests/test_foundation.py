"""The app's frame: pages, languages, errors, security headers, staff login and roles."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kampung import create_app
from kampung.extensions import db
from tests.conftest import PASSWORD, KampungClient, log_in


def test_models_match_the_migrations(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"a model changed without a migration: {diff}"


def test_front_page_lists_the_open_trip_in_indonesian(client, trip):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Studi Banding Kampung Bahagia" in html
    assert 'lang="id"' in html
    assert "Daftar" in html


def test_language_switch_is_remembered(client, trip):
    assert 'lang="en"' in client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    assert 'lang="id"' in client.get("/?lang=id").get_data(as_text=True)


def test_security_headers_and_a_csp_without_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert b"<script>" not in response.data


def test_unknown_page_is_a_plain_404_in_indonesian(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, admin):
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in response.get_data(as_text=True)


def test_staff_log_in_and_out(client, admin):
    assert client.get("/manage/").status_code == 302
    log_in(client, admin)
    assert client.get("/manage/").status_code == 200
    assert client.get("/logout").status_code == 405
    assert client.post_form("/logout").status_code == 302
    assert client.get("/manage/").status_code == 302


def test_a_username_pasted_with_invisible_characters_logs_in(client, admin):
    data = {"username": "\u200bAdmin\u2069 ", "password": PASSWORD}
    assert client.post_form("/login", data).status_code == 302


def test_every_form_cleans_its_text_fields():
    """Each form of the app, today's and tomorrow's, gets kampung.text.clean_text on its text
    fields (kampung.forms), the password alone left as typed."""
    import importlib
    import pkgutil

    import wtforms

    import kampung
    from kampung.forms import CleanTextMeta

    for module in pkgutil.walk_packages(kampung.__path__, "kampung."):
        importlib.import_module(module.name)
    forms = []
    pending = [wtforms.form.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("kampung.") and cls.__module__ != "kampung.forms":
            forms.append(cls)
    assert len(forms) >= 10
    for form in forms:
        # How WTForms makes a form's Meta: from the Meta classes along its bases.
        metas = [base.__dict__["Meta"] for base in form.__mro__ if "Meta" in base.__dict__]
        assert any(issubclass(meta, CleanTextMeta) for meta in metas), form.__qualname__


def test_logout_asks_the_browser_to_forget_the_site_but_not_its_cookies(client, organiser):
    log_in(client, organiser)
    page = client.get("/manage/").get_data(as_text=True)
    assert "data-logout" in page and "/static/js/logout." in page
    response = client.post_form("/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    landing = client.get(response.headers["Location"]).get_data(as_text=True)
    # The page it lands on empties the phone too, for browsers that ignore the header.
    assert "data-logged-out" in landing and "Anda sudah keluar." in landing
    assert "/static/js/logout." in landing
    # Any later visit is an ordinary public page: no clean-up script, nothing to clear.
    assert "/static/js/logout." not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part(client, admin):
    response = client.post_form("/login", {"username": "admin", "password": "salah"})
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)


def test_login_never_redirects_to_another_host(client, admin):
    response = client.post_form(
        "/login?next=//evil.example/x", {"username": "admin", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/manage/"


def test_login_is_rate_limited(client, admin, rate_limits):
    codes = [
        client.post_form("/login", {"username": "admin", "password": "salah"}).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429


def test_login_is_limited_per_account_from_any_address(client, admin, rate_limits):
    """Wrong passwords for one account from ever new addresses: the account's own limit holds,
    however the name is typed, and another account is not held up."""
    names = ("admin", " Admin", "ADMIN ")
    codes = [
        client.post_form(
            "/login",
            {"username": names[i % 3], "password": "salah"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"},
        ).status_code
        for i in range(12)
    ]
    assert codes == [401] * 10 + [429] * 2
    other = client.post_form(
        "/login",
        {"username": "rina", "password": "salah"},
        environ_base={"REMOTE_ADDR": "198.51.100.99"},
    )
    assert other.status_code == 401


def test_cookies_are_secure_behind_https(monkeypatch, app, admin):
    monkeypatch.setenv("PUBLIC_URL", "https://kampung.example.go.id")
    secure = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": False,
        }
    )
    secure.test_client_class = KampungClient
    response = secure.test_client().post_form(
        "/login",
        {"username": "admin", "password": PASSWORD},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
