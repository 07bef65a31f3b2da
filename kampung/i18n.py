"""Language choice and the Indonesian way of writing dates, times and numbers."""

from datetime import UTC, datetime
from functools import cache, cached_property
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import Babel, Domain, format_date, format_datetime, format_decimal
from flask_babel import _get_current_context as _babel_context

#: Western Indonesia Time: every time a person reads or types is in it
WIB = ZoneInfo("Asia/Jakarta")


def select_locale() -> Locale:
    """?lang= switches and is remembered in the session; Indonesian otherwise, and in commands."""
    if not has_request_context():
        return _locale(current_app.config["BABEL_DEFAULT_LOCALE"])
    languages = current_app.config["LANGUAGES"]
    wanted = request.args.get("lang")
    if wanted in languages:
        session["lang"] = wanted
    chosen = session.get("lang")
    if not (isinstance(chosen, str) and chosen in languages):
        chosen = current_app.config["BABEL_DEFAULT_LOCALE"]
    return _locale(chosen)


@cache
def _locale(code: str) -> Locale:
    """Parsed once per language: Flask-Babel parses a name given to it on every request."""
    return Locale.parse(code)


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


class RequestDomain(Domain):
    """Flask-Babel's message domain, its translations found once per request and locale. The
    plain Domain asked for the locale and named it (str(Locale)) at every gettext to find them
    in its cache, and a page has dozens of strings (docs/PERFORMANCE.md). force_locale sets
    another locale, so the remembered translations are kept with the locale they were found
    for."""

    def get_translations(self):
        ctx = _babel_context()
        if ctx is not None:
            found = getattr(ctx, "kampung_translations", None)
            if found is not None and found[0] is getattr(ctx, "babel_locale", None):
                return found[1]
        translations = super().get_translations()
        if ctx is not None:
            ctx.kampung_translations = (ctx.babel_locale, translations)
        return translations


class RequestBabel(Babel):
    """Babel whose default domain is a RequestDomain, which templates ask directly."""

    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        app.jinja_env.install_gettext_callables(
            gettext=lambda s: self.domain_instance.get_translations().ugettext(s),
            ngettext=lambda s, p, n: self.domain_instance.get_translations().ungettext(s, p, n),
            newstyle=True,
            pgettext=lambda c, s: self.domain_instance.get_translations().upgettext(c, s),
            npgettext=lambda c, s, p, n: self.domain_instance.get_translations().unpgettext(
                c, s, p, n
            ),
        )
