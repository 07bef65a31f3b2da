"""The session cookie is read through kampung.session_cookie, which remembers cookies whose
signature it has checked: what it accepts stays what Flask accepts."""

from __future__ import annotations

import time

from kampung import session_cookie
from tests.auth.conftest import browser_of, copy_of, get


def test_a_remembered_cookie_still_expires_with_the_session_lifetime(app, organiser, monkeypatch):
    browser = browser_of(app, organiser)
    assert get(app, browser, "/manage/password").status_code == 200  # checked, and now remembered
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr(session_cookie.time, "time", lambda: later)
    response = get(app, browser, "/manage/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_changed_cookie_is_refused_even_after_the_real_one_was_remembered(app, organiser):
    browser = browser_of(app, organiser)
    assert get(app, browser, "/manage/password").status_code == 200
    cookie = browser.get_cookie("session")
    forged = app.test_client()
    payload, signature = cookie.value.rsplit(".", 1)
    forged.set_cookie(cookie.key, f"{payload}.{signature[::-1]}")
    response = get(app, forged, "/manage/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_each_request_gets_its_own_copy_of_a_remembered_session(app, organiser):
    browser = browser_of(app, organiser)
    thief = copy_of(app, browser)
    assert get(app, browser, "/manage/password").status_code == 200
    with app.test_request_context():
        opened = app.session_interface.open_session(app, _request_with(app, browser))
        opened["_user_id"] = "someone else"
        again = app.session_interface.open_session(app, _request_with(app, browser))
    assert again["_user_id"] != "someone else"
    assert get(app, thief, "/manage/password").status_code == 200


def _request_with(app, client):
    from flask import Request
    from werkzeug.test import EnvironBuilder

    cookie = client.get_cookie("session")
    builder = EnvironBuilder(path="/", headers={"Cookie": f"{cookie.key}={cookie.value}"})
    return Request(builder.get_environ())
