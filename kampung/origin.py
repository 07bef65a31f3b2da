"""Where a request comes from: this browser's client id and the network address, as keyed hashes.

A room on the venue Wi-Fi shares one address, so the limits also count per client: a random id
that the sign-up page gives each browser in a signed cookie. Sign-ups record both as keyed
hashes (never the address or the id itself), so staff can see a burst from one source.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import current_app, make_response, request
from itsdangerous import BadSignature, URLSafeSerializer

#: the browser's own random id, signed; a browser that drops it is counted by its address only
CLIENT_COOKIE = "kampung_client"
CLIENT_AGE = 400 * 24 * 3600
#: 16 hex digits (64 bits) of HMAC-SHA256: enough to tell a trip's sources apart, short to store
HASH_LENGTH = 16


@dataclass(frozen=True)
class Origin:
    """Where a sign-up came from, as keyed hashes."""

    #: the network address (a room on one Wi-Fi, or a carrier's shared address)
    network: str | None
    #: the browser's client id; None when it sent none
    device: str | None


def keyed_hash(value: str) -> str:
    """A short HMAC of `value` under a key derived from SECRET_KEY: the same in every worker,
    and no way back to the address or id without the key."""
    secret = current_app.config["SECRET_KEY"].encode()
    key = hmac.new(secret, b"kampung-origin", hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:HASH_LENGTH]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="client-id")


def client_id() -> str | None:
    """This browser's client id, when its cookie carries one this app signed."""
    raw = request.cookies.get(CLIENT_COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def address() -> str:
    return request.remote_addr or "127.0.0.1"


def of_request() -> Origin:
    client = client_id()
    return Origin(network=keyed_hash(address()), device=keyed_hash(client) if client else None)


def gives_client_id(view: Callable) -> Callable:
    """Decorates a view whose answer gives the browser a client id when it has none yet."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if client_id() is None:
            response.set_cookie(
                CLIENT_COOKIE,
                _serializer().dumps(secrets.token_urlsafe(16)),
                max_age=CLIENT_AGE,
                httponly=True,
                samesite="Lax",
                secure=current_app.config["SESSION_COOKIE_SECURE"],
                path="/",
            )
        return response

    return wrapper
