"""Configuration, read from the environment once when the app is created."""

import os
import secrets
from pathlib import Path


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


def from_environment(instance_path: Path) -> dict:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'kampung.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Without it, PUBLIC_URL follows the request's own host.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").rstrip("/"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
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
