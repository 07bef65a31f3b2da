"""Language choice and the Indonesian way of writing dates, times and numbers."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal

#: Western Indonesia Time: every time a person reads or types is in it
WIB = ZoneInfo("Asia/Jakarta")


def select_locale() -> str:
    """?lang= switches and is remembered in the session; Indonesian otherwise, and in commands."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    wanted = request.args.get("lang")
    if wanted in languages:
        session["lang"] = wanted
    chosen = session.get("lang")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def wib_datetime(value: datetime | None) -> str:
    """'Jumat, 16 Januari 2026 06.00 WIB'."""
    if value is None:
        return ""
    return f"{format_datetime(value, 'EEEE, d MMMM y HH.mm')} WIB"


def wib_date(value: datetime | None) -> str:
    return "" if value is None else format_date(value, "EEEE, d MMMM y")


def wib_time(value: datetime | None) -> str:
    """'06.12': the same in every language, so no locale is needed (an amber scan shows it)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(WIB).strftime("%H.%M")


def number(value) -> str:
    return format_decimal(value)


def register_filters(app) -> None:
    app.jinja_env.filters.update(
        wib_datetime=wib_datetime, wib_date=wib_date, wib_time=wib_time, number=number
    )
