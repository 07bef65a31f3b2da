"""CSRF on every state change, as Flask-WTF checks it, at less cost per request.

Three differences from CSRFProtect, none in what is accepted:
- the token is read from the X-CSRFToken header (htmx and the scanner send it) before the form,
  so that a JSON request is not parsed as a form only to find no token there;
- a signed token this process has verified is remembered with the raw token it carries. Without
  a time limit (WTF_CSRF_TIME_LIMIT is None) the signature check is a function of the token and
  the secret key alone, so the next request with the same token compares the remembered raw
  token with its own session's instead of checking the signature again. A token never seen, or
  any token when a time limit is set, goes through Flask-WTF's own validate_csrf;
- likewise the signed token a page carries (`csrf_token()` in templates) is signed once per
  session's raw token and reused: without a time limit an older signature is as good.
"""

from __future__ import annotations

import hmac

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, generate_csrf, logger, same_origin, validate_csrf
from wtforms import ValidationError

#: how many verified tokens a process remembers (a page render makes one; a phone reuses its
#: page's token for every scan); all are forgotten when it is full
REMEMBERED = 4096


class CSRF(CSRFProtect):
    def __init__(self, app: Flask | None = None) -> None:
        #: (secret key, signed token) -> the raw token it carries
        self._verified: dict[tuple, str] = {}
        #: (secret key, raw token) -> a signed token carrying it
        self._signed: dict[tuple, str] = {}
        super().__init__(app)

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = self.page_token
        app.context_processor(lambda: {"csrf_token": self.page_token})

    def page_token(self) -> str:
        """generate_csrf(), signed once per raw token when tokens do not expire."""
        config = current_app.config
        field_name = config["WTF_CSRF_FIELD_NAME"]
        raw = session.get(field_name)
        if raw is None or config["WTF_CSRF_TIME_LIMIT"] is not None:
            return generate_csrf()
        key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
        token = self._signed.get(key)
        if token is None:
            # Flask-WTF keeps the request's token in g: remembered only when signed just now,
            # so that it carries this raw token
            fresh = field_name not in g
            token = generate_csrf()
            if fresh and session.get(field_name) == raw:
                if len(self._signed) >= REMEMBERED:
                    self._signed.clear()
                self._signed[key] = token
        return token

    def _get_csrf_token(self):
        for header_name in current_app.config["WTF_CSRF_HEADERS"]:
            if token := request.headers.get(header_name):
                return token
        return super()._get_csrf_token()

    def _validate(self, token) -> None:
        config = current_app.config
        if not token or config["WTF_CSRF_TIME_LIMIT"] is not None:
            validate_csrf(token)
            return
        field_name = config["WTF_CSRF_FIELD_NAME"]
        key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, token)
        raw = self._verified.get(key)
        if raw is None:
            validate_csrf(token)  # raises unless signed by us and equal to the session's
            if len(self._verified) >= REMEMBERED:
                self._verified.clear()
            self._verified[key] = session[field_name]
            return
        if field_name not in session:
            raise ValidationError("The CSRF session token is missing.")
        if not hmac.compare_digest(session[field_name], raw):
            raise ValidationError("The CSRF tokens do not match.")

    def protect(self, apply_exemptions=False):
        """CSRFProtect.protect (Flask-WTF 1.3), with _validate for validate_csrf."""
        if apply_exemptions:
            if not request.endpoint:
                return
            if self._is_exempt():
                return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            self._validate(self._get_csrf_token())
        except ValidationError as e:
            logger.info(e.args[0])
            self._error_response(e.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            good_referrer = f"https://{request.host}/"
            if not same_origin(request.referrer, good_referrer):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # mark this request as CSRF valid
