"""Database plumbing shared by every model: UTC timestamps and SQLite's settings."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

#: the largest id an Integer column holds on PostgreSQL; a bigger one fails in the driver (500)
MAX_ID = 2**31 - 1


def whole_number(text: str, limit: int = MAX_ID) -> int | None:
    """The number written in `text` with ASCII digits, at most `limit`; None for anything else
    ("²" passes str.isdigit() but not int(); 400 digits overflow SQLite and PostgreSQL)."""
    if not (isinstance(text, str) and text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    number = int(text)
    return number if number <= limit else None


class IdConverter(IntegerConverter):
    """`<int:…>` in URLs: an id beyond MAX_ID is a 404, not a driver error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime, stored without zone so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record):
    """WAL lets readers run beside the one writer; FULL sync keeps every acknowledged write
    across a power cut; the busy timeout makes concurrent writers wait instead of failing."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
