"""Checking a login's password with the same work whether or not the account exists, so that
the time a wrong login takes does not tell which usernames are real."""

from __future__ import annotations

import functools
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from kampung.auth import models
from kampung.auth.models import User
from kampung.extensions import db


@functools.cache
def _stand_in_hash(method: str) -> str:
    """A hash of a password nobody knows, made once per process with the method new accounts'
    hashes use, so that checking against it costs what a real check does."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def authenticate(username: str, password: str) -> User | None:
    """The account these credentials open, or None. One password hash is checked on every
    path: an unknown username is checked against a stand-in hash, and any other refusal (an
    account switched off) must come after the check, so that it costs the same too."""
    user = db.session.scalar(db.select(User).where(User.username == username.strip().lower()))
    stand_in = _stand_in_hash(models.PASSWORD_METHOD)
    matches = check_password_hash(user.password_hash if user else stand_in, password)
    return user if matches and user is not None else None
