"""gunicorn settings for `make run` and production; override any of them on the command line."""

import os

from gunicorn.glogging import Logger

from kampung.private_files import keep_private
from kampung.redaction import redact_path, redact_text, redact_url

# Before any file is opened: the access log and everything the workers write are ours alone.
keep_private()

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# Sync workers: short requests, and the database (not Python) is where writes serialise.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * os.cpu_count() if os.cpu_count() else 2))
worker_class = "sync"
timeout = 30
# A worker is replaced after this many requests (give or take the jitter, so that they are not
# replaced at once): whatever memory a large request left behind goes back to the system.
max_requests = int(os.environ.get("MAX_REQUESTS", 10000))
max_requests_jitter = max_requests // 10
graceful_timeout = 20
# Migrations run once before serving (`flask setup`), never in each worker.
preload_app = False
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = os.environ.get("ERROR_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

#: request headers that carry a secret whole: never in a log line, whatever the format asks
_SECRET_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization", "x-csrftoken"})
#: headers that carry a URL of ours: logged with the path redacted
_URL_HEADERS = frozenset({"referer", "hx-current-url", "location"})


def _redacting(level: str):
    """gunicorn's Logger.<level>, writing the message with its paths redacted."""

    def log(self, msg, *args, **kwargs):
        text = str(msg) % args if args else str(msg)
        getattr(Logger, level)(self, redact_text(text), **kwargs)

    return log


class AccessLogger(Logger):
    """The access log without secrets: paths redacted and no query strings (kampung.redaction),
    in every atom a format may name, request and response headers and the environ included."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO", ""))
        method, protocol = environ.get("REQUEST_METHOD"), environ.get("SERVER_PROTOCOL")
        atoms.update(r=f"{method} {path} {protocol}", U=path, q="", f=redact_url(atoms["f"]))
        for key in list(atoms):
            if not key.startswith("{"):
                continue
            name, kind = key[1:-2], key[-1]
            if kind == "e" or name in _SECRET_HEADERS or name == "set-cookie":
                # The environ holds the raw URI, the query string and every header again.
                del atoms[key]
            elif name in _URL_HEADERS:
                atoms[key] = redact_url(atoms[key])
        return atoms

    # gunicorn's own lines quote requests too ("Error handling request /p/…", "Invalid request
    # from ip=…: <the request line>"): every one is redacted before it is written.
    critical, error, warning = map(_redacting, ("critical", "error", "warning"))
    info, debug, exception = map(_redacting, ("info", "debug", "exception"))


logger_class = AccessLogger
