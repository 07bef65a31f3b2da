"""gzip for the app's own answers (pages, htmx fragments, JSON) when the client takes it.

A WSGI wrapper rather than an after_request hook, so that it sees each response as it leaves,
whatever the other hooks did. Static files arrive precompressed from kampung.assets; a body
without a length (streamed), a download (attachment) and a partial answer pass unchanged.
"""

from __future__ import annotations

import gzip

from flask import Flask
from werkzeug.http import parse_accept_header

#: the text formats the app answers with; everything else is left as it is
TYPES = {"text/html", "application/json", "text/plain", "text/css", "text/javascript"}
#: below this a body fits in one packet compressed or not: compressing it only costs time
MIN_SIZE = 1024
#: above this a body is not held in memory to be compressed (no page comes near it)
MAX_SIZE = 8 * 1024 * 1024
LEVEL = 6


def _takes_gzip(environ: dict) -> bool:
    if environ.get("REQUEST_METHOD") == "HEAD":  # no body to compress
        return False
    accepted = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))
    quality = {value.lower(): q for value, q in accepted}
    return quality.get("gzip", quality.get("*", 0)) > 0


def _untouchable(status: str, headers: dict[str, str]) -> bool:
    """Answers that must leave exactly as they are, for every client (headers: lower-case)."""
    return (
        headers.get("content-type", "").split(";", 1)[0].strip().lower() not in TYPES
        or "content-encoding" in headers
        or headers.get("content-disposition", "").lower().startswith("attachment")
        or "no-transform" in headers.get("cache-control", "").lower()
        or status[:3] in ("204", "206", "304")
    )


def _sized(headers: dict[str, str]) -> bool:
    """Only a body whose length is known: one without is streamed, and stays streamed."""
    length = headers.get("content-length", "")
    return length.isdigit() and MIN_SIZE <= int(length) <= MAX_SIZE


def _replace(header_list: list, name: str, value: str) -> list:
    return [(k, v) for k, v in header_list if k.lower() != name.lower()] + [(name, value)]


class Compress:
    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response):
        held: dict = {}
        calling = True

        def respond(status: str, header_list: list, exc_info=None):
            headers = {name.lower(): value for name, value in header_list}
            if not _untouchable(status, headers):
                # The answer depends on Accept-Encoding, compressed this time or not.
                vary = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
                if "accept-encoding" not in {v.lower() for v in vary}:
                    header_list = _replace(
                        header_list, "Vary", ", ".join([*vary, "Accept-Encoding"])
                    )
                # Held only when answered during the call: a body that starts the response once
                # iterated is streamed by nature.
                if calling and exc_info is None and _sized(headers) and _takes_gzip(environ):
                    held.update(status=status, headers=header_list, etag=headers.get("etag"))
                    held["written"] = []
                    return held["written"].append
            held.clear()
            return start_response(status, header_list, exc_info)

        body = self.app(environ, respond)
        calling = False
        if not held:
            return body
        try:
            data = b"".join([*held["written"], *body])
        finally:
            if hasattr(body, "close"):
                body.close()
        header_list = held["headers"]
        packed = gzip.compress(data, compresslevel=LEVEL, mtime=0)
        if len(packed) < len(data):
            data = packed
            header_list = _replace(header_list, "Content-Encoding", "gzip")
            etag = held["etag"]
            if etag and not etag.startswith("W/"):  # a strong ETag names these exact bytes
                header_list = _replace(header_list, "ETag", "W/" + etag)
        start_response(held["status"], _replace(header_list, "Content-Length", str(len(data))))
        return [data]


def init_app(app: Flask) -> None:
    # Flask's documented way to add WSGI middleware, which mypy takes for overwriting a method.
    app.wsgi_app = Compress(app.wsgi_app)  # type: ignore[method-assign]
