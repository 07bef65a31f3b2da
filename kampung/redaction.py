"""What a log line may say about a request: its path with the secrets taken out, and never its
query string (a roster search holds a phone number). The access log (gunicorn.conf.py) and the
app's own lines (kampung.errors, werkzeug's request lines) all redact through these functions."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

from kampung.tokens import TOKEN_PATTERN

#: what a log shows in place of a secret
MARK = "<secret>"
#: /p/<access token>, /c/<check-in code>: the segment after these is a secret even when it is cut
#: short or mistyped, since most of its bits are still there
_SECRET_AFTER = frozenset({"p", "c"})
#: /e/<slug>, /manage/<slug>: a trip's slug, public, and what makes a line worth reading
_SLUG_AFTER = frozenset({"e", "manage"})
#: a path or an absolute URL inside a message ("GET /p/…?q=… HTTP/1.1", "Error handling request
#: /c/…"): what a server's own lines quote of a request
_URL_IN_TEXT = re.compile(r"(?:https?://[^\s/'\"]+)?/[^\s'\"]*")


def redact_path(path: str) -> str:
    """`path` without its query string, each segment that is or may be a secret replaced by MARK:
    /p/<token>/feedback -> /p/<secret>/feedback, /manage/<slug>/import/<job> keeps the slug."""
    segments = path.split("?", 1)[0].split("#", 1)[0].split("/")
    for i, segment in enumerate(segments):
        after = segments[i - 1] if i == 2 and segments[0] == "" else None
        if (after in _SECRET_AFTER and segment) or (
            TOKEN_PATTERN.match(segment) and after not in _SLUG_AFTER
        ):
            segments[i] = MARK
    return "/".join(segments)


def redact_url(url: str) -> str:
    """An absolute or relative URL (a Referer, a Location) with its path redacted, without its
    query string and fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MARK
    return urlunsplit((parts.scheme, parts.netloc, redact_path(parts.path), "", ""))


def redact_text(text: str) -> str:
    """Every path and URL inside `text` redacted: a server's message that quotes a request."""
    return _URL_IN_TEXT.sub(lambda match: redact_url(match[0]), text)


class RequestLineFilter(logging.Filter):
    """Redacts the request lines werkzeug's development server logs (`flask run`, the tests'
    live server)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_text(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def init_app(app) -> None:
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RequestLineFilter) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RequestLineFilter())
