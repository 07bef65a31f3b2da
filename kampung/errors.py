"""Every error is a plain page in the visitor's language: never a stack trace."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)

from kampung.extensions import db
from kampung.redaction import redact_path


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Request not understood"),
            _("Something in what was sent is not right. Please go back and try again."),
        ),
        401: (_("Please log in"), _("This page is for staff only.")),
        403: (_("Not allowed"), _("Your account may not open this page.")),
        404: (
            _("Page not found"),
            _("The link may be wrong or no longer valid. Check the link you received."),
        ),
        405: (_("Not allowed"), _("This page cannot be used this way.")),
        409: (
            _("Already changed"),
            _("Someone changed this at the same moment. Please reload and try again."),
        ),
        413: (
            _("Too large"),
            _("What was sent is too large. Please send a smaller file or shorter text."),
        ),
        429: (_("Too many attempts"), _("Please wait a minute and try again.")),
        500: (_("Something went wrong"), _("Our mistake. Please try again in a moment.")),
        503: (_("Temporarily unavailable"), _("Please try again in a moment.")),
    }


def unknown_host() -> bool:
    """Whether the request named a host the app does not serve (TRUSTED_HOSTS): Flask then has
    no URL adapter, so its error page is one that builds no URL and says only that."""
    return isinstance(request.routing_exception, SecurityError)


#: the paths of personal links: a 404 there is most often a link lost or mistyped
PERSONAL_PATHS = ("/p/", "/s/", "/j/")


def render_error(code: int, detail: str | None = None, database_down: bool = False):
    titles = _messages()
    title, text = titles.get(code, titles[500 if code >= 500 else 400])
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return {"error": title, "detail": detail or text}, code
    if unknown_host():
        return render_template("errors/unknown_host.html"), code
    page = render_template(
        "errors/error.html",
        code=code,
        title=title,
        text=detail or text,
        database_down=database_down,
        # The token is unknown, so is the trip and its contact person: a general line.
        lost_link=code == 404 and request.path.startswith(PERSONAL_PATHS),
    )
    return page, code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(
            400,
            _("The form expired or was sent from elsewhere. Please reload the page and try again."),
        )

    @app.errorhandler(SecurityError)
    def _unknown_host(error: SecurityError):
        # For the operator: the address phones use is missing from PUBLIC_URL or TRUSTED_HOSTS.
        app.logger.warning(
            "refused a request for the host %r: set PUBLIC_URL or add it to TRUSTED_HOSTS",
            request.environ.get("HTTP_HOST", "")[:100],
        )
        return render_error(400)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError):
        # The database restarting or out of reach: say "try again", the pool reconnects by itself.
        app.logger.warning(
            "database unavailable on %s %s: %s", request.method, redact_path(request.path), error
        )
        db.session.rollback()
        return render_error(ServiceUnavailable.code, database_down=True)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        app.logger.exception("unhandled error on %s %s", request.method, redact_path(request.path))
        db.session.rollback()
        return render_error(InternalServerError.code)
