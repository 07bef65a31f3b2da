"""The secrets that travel in links and QR codes."""

import re
import secrets

#: 24 random bytes: 192 bits, comfortably past the 128 the brief asks for
SECRET_BYTES = 24
#: what a token looks like, so malformed ones are refused before any query
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def looks_like_token(value: str) -> bool:
    return bool(TOKEN_PATTERN.match(value or ""))
