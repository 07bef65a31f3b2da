"""Target months: offered from this month (WIB) on, typed as YYYY-MM."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import gettext as _

from kampung.i18n import WIB

#: a target month at most this many months ahead
MONTHS_AHEAD = 24


def first_month(now: datetime) -> date:
    today = now.astimezone(WIB).date()
    return today.replace(day=1)


def month_choices(now: datetime) -> list[date]:
    """The target months offered: this month and the next ones."""
    first = first_month(now)
    return [_add_months(first, i) for i in range(MONTHS_AHEAD + 1)]


def _add_months(day: date, n: int) -> date:
    months = day.year * 12 + day.month - 1 + n
    return date(months // 12, months % 12 + 1, 1)


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str, now: datetime) -> date:
    match = MONTH.match(value.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(_("Choose a target month."))
    month = date(int(match[1]), int(match[2]), 1)
    if month < first_month(now):
        raise ValueError(_("The target month cannot be in the past."))
    if month > _add_months(first_month(now), MONTHS_AHEAD):
        raise ValueError(_("Choose a target month within two years."))
    return month
