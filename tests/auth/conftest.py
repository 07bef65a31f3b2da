"""Browsers as separate as real ones: each request in an app context of its own, so that
nothing one request loaded (the signed-in account above all) is seen by the next."""

from __future__ import annotations

import pytest
from flask import Flask

from kampung.signup import service as signup
from tests.conftest import KampungClient, log_in, person

NEW_PASSWORD = "kata-sandi-baru-456"


def get(app: Flask, client: KampungClient, url: str):
    with app.app_context():
        return client.get(url)


def post(app: Flask, client: KampungClient, url: str, data: dict | None = None):
    with app.app_context():
        return client.post_form(url, data)


def browser_of(app: Flask, user) -> KampungClient:
    """A browser in which `user` has logged in."""
    client = app.test_client()
    with app.app_context():
        log_in(client, user)
    return client


def copy_of(app: Flask, client: KampungClient) -> KampungClient:
    """Another browser holding a copy of `client`'s session cookie, as a thief would."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "the browser holds no session cookie"
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    return thief


@pytest.fixture
def trip_with_people(trip):
    for i in (1, 2):
        signup.register(trip, person(i))
    return trip


def roster_opens(app: Flask, client: KampungClient, trip) -> bool:
    """Whether this browser downloads the roster; a refusal must show none of it."""
    response = get(app, client, f"/manage/{trip.slug}/participants.csv")
    body = response.get_data(as_text=True)
    if response.status_code == 200:
        assert "Peserta Uji 1" in body
        return True
    assert response.status_code in (302, 401, 403), response.status_code
    assert "Peserta Uji" not in body and "+62813" not in body
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    return False
