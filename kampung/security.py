"""Security headers on every response: a strict CSP without inline script or style; requests
carrying NUL characters refused before any view sees them."""

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


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        # Personal pages must not linger in shared caches or the back button of a borrowed phone.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul_bytes():
    """No text anyone types holds a NUL, and PostgreSQL cannot store one (it would be a 500):
    refuse it in the path, the query, the form, file names and JSON alike."""
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        texts += [*request.form.keys(), *request.form.values()]
        texts += [f.filename or "" for f in request.files.values()]
        if request.is_json and _has_nul(request.get_json(silent=True)):
            texts.append("\x00")
    if any("\x00" in text for text in texts):
        return render_error(400, _("The text sent contains a character that is not allowed."))
    return None


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
    if app.config["SESSION_COOKIE_SECURE"]:

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
