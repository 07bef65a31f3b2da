"""Security headers on every response: a strict CSP without inline script or style; requests
carrying characters no database stores, or JSON too deep to read, refused before any view."""

from flask import Flask, Response, request
from flask_babel import gettext as _

from kampung.errors import render_error

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: on every response: the app's own, and the static files that kampung.assets serves
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000"


def add_security_headers(response: Response) -> Response:
    """HEADERS, each unless the view set it, in one pass over the response's headers (a
    Headers.setdefault per header raised and caught an exception for each missing one)."""
    headers = response.headers
    present = {name.lower() for name, _value in headers}
    for name, value in HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)
    if response.mimetype == "text/html" and "cache-control" not in present:
        # Personal pages must not linger in shared caches or the back button of a borrowed phone.
        headers.add("Cache-Control", "no-store")
    return response


def _forbidden(text: str) -> bool:
    """A NUL, or half of a UTF-16 pair ("\\ud800" in JSON): no database can store either."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _has_forbidden(value) -> bool:
    """Whether any string in a JSON value is _forbidden; a loop, as the value may be deep."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and _forbidden(item):
            return True
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def refuse_unreadable_input():
    """No text anyone types holds a NUL or a lone surrogate, and the databases cannot store
    them (it would be a 500): refuse them in the path, the query, the form, file names and
    JSON. JSON nested deeper than Python's stack is refused too (json.loads raises
    RecursionError, not ValueError)."""
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        if request.is_json:
            try:
                payload = request.get_json(silent=True)
            except RecursionError:
                return render_error(400)
            if _has_forbidden(payload):
                texts.append("\x00")
        else:
            texts += [*request.form.keys(), *request.form.values()]
            texts += [f.filename or "" for f in request.files.values()]
    if any(_forbidden(text) for text in texts):
        return render_error(400, _("The text sent contains a character that is not allowed."))
    return None


def init_app(app: Flask) -> None:
    app.before_request(refuse_unreadable_input)
    app.after_request(add_security_headers)
    if app.config["SESSION_COOKIE_SECURE"]:

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
            return response
