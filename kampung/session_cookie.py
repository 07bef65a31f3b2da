"""Flask's signed session cookie, read at less cost per request; what it accepts is unchanged.

- The serializer is made once per set of secret keys, not on every request, and an unchanged
  session skips the cookie's settings.
- A cookie whose signature this process has checked is remembered with the time it was signed
  and what it holds. The signature is a function of the cookie and the keys alone, so the next
  request with the same cookie (a phone sends the same one with every scan) is given a copy of
  what it holds, once its age is checked again against the session lifetime as itsdangerous
  checks it. A cookie never seen goes through itsdangerous as before.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: how many verified cookies a process remembers; all are forgotten when it is full
REMEMBERED = 4096


class SessionCookies(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}
        #: (serializer, cookie) -> (signed at, in seconds since the epoch; what it holds)
        self._verified: dict[tuple, tuple[int, dict]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        try:
            return self._serializers[keys]
        except KeyError:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
            return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        val = request.cookies.get(self.get_cookie_name(app))
        if not val:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get((s, val))
        if known is not None and 0 <= int(time.time()) - known[0] <= max_age:
            return self.session_class(_copy(known[1]))
        try:
            data, signed_at = s.loads(val, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(self._verified) >= REMEMBERED:
            self._verified.clear()
        self._verified[(s, val)] = (int(signed_at.timestamp()), _copy(data))
        return self.session_class(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask's, which reads the cookie's six settings before it finds that an unchanged
        session sets no cookie."""
        if session and not self.should_set_cookie(app, session):
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def _copy(value: Any) -> Any:
    """A copy of what a session holds that shares nothing mutable with it: what the session's
    tagged JSON gives back is dicts, lists and tuples of immutable values."""
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_copy(item) for item in value)
    return value
