"""Configuration, read from the environment once when the app is created."""

import os
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

#: what a browser on the serving machine calls it: always trusted, never sent to phones
LOCAL_HOSTS = ("127.0.0.1", "localhost")
#: a HOST that listens on every address of the machine
_EVERY_ADDRESS = ("0.0.0.0", "::")


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # Written exclusively so that two workers starting at once agree on one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _lan_address() -> str | None:
    """The address other machines of the network reach this one by: the source address of the
    route out (a UDP connect sends nothing), or None without a network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed like the world, never answered
            return probe.getsockname()[0]
        except OSError:
            return None


def _public_url() -> str:
    """PUBLIC_URL; else, when gunicorn listens on an address phones can reach (HOST, which
    `make run` passes on), that address: links that travel never follow a request's Host."""
    if url := os.environ.get("PUBLIC_URL", "").strip().rstrip("/"):
        return url
    host = os.environ.get("HOST", "").strip()
    if host in _EVERY_ADDRESS:
        host = _lan_address() or ""
    if not host or host in LOCAL_HOSTS or ":" in host:
        return ""
    return f"http://{host}:{os.environ.get('PORT', '5000')}"


def _trusted_hosts(public_url: str) -> list[str]:
    """The host names requests may name (Host, X-Forwarded-Host): PUBLIC_URL's, TRUSTED_HOSTS
    (comma-separated) and this machine's own names. Any other gets a 400, so no link made from
    a request can point elsewhere."""
    hosts = [urlsplit(public_url).hostname] if public_url else []
    hosts += [h.strip().lower() for h in os.environ.get("TRUSTED_HOSTS", "").split(",")]
    hosts += LOCAL_HOSTS
    return list(dict.fromkeys(h for h in hosts if h))


def from_environment(instance_path: Path) -> dict:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'kampung.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    public_url = _public_url()
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Errors name the statement but not its values: tokens and phones stay out of the logs.
        # pool_pre_ping is added for a database server (engine_options).
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        # Empty (`make run` on 127.0.0.1): links follow the request's host, one of TRUSTED_HOSTS.
        "PUBLIC_URL": public_url,
        "TRUSTED_HOSTS": _trusted_hosts(public_url),
        # A file shared by every worker and process on this machine (kampung.ratelimit).
        "RATELIMIT_STORAGE_URI": os.environ.get(
            "RATELIMIT_STORAGE_URI", f"sqlite:///{instance_path / 'ratelimits.db'}"
        ),
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "kampung"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") != "0",
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("id", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        # A staff session unused this long is refused: a day at the bus, with the night before
        # a 06:00 departure, fits; a phone left logged in over a weekend does not.
        "STAFF_IDLE_HOURS": float(os.environ.get("STAFF_IDLE_HOURS", "12")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies whenever the app is served over HTTPS (PUBLIC_URL says so).
        "SESSION_COOKIE_SECURE": os.environ.get("PUBLIC_URL", "").startswith("https://"),
        "REMEMBER_COOKIE_SECURE": os.environ.get("PUBLIC_URL", "").startswith("https://"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https"
        if os.environ.get("PUBLIC_URL", "").startswith("https://")
        else "http",
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
    }


def engine_options(config: dict) -> dict:
    """The engine's options for the configured database. A server (PostgreSQL) gets
    pool_pre_ping: one round trip per request, and what lets the first request after a restart
    of the database succeed (tests/test_faults.py). A SQLite file has no server to lose; a ping
    there was a `SELECT 1` on every request for nothing (docs/PERFORMANCE.md)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        options.setdefault("pool_pre_ping", True)
    return options
