"""The organisers' forms: a rundown item, an announcement."""

from __future__ import annotations

import re
from datetime import date, time

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from kampung.forms import FlaskForm
from kampung.i18n import WIB
from kampung.models import Trip
from kampung.schedule.models import RundownItem
from kampung.schedule.service import (
    ANNOUNCEMENT_LIMIT,
    PLACE_LIMIT,
    WHAT_LIMIT,
    ItemInput,
    trip_days,
)
from kampung.signup.forms import _at_most

#: 06.00, 6.00, 06:00 (what <input type="time"> sends)
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[.:]([0-5]\d)$")


def parse_clock(value: str) -> time | None:
    match = _CLOCK.match(value or "")
    return time(int(match[1]), int(match[2])) if match else None


def _clock(_form, field) -> None:
    if field.data and parse_clock(field.data) is None:
        raise ValidationError(_l("Write the time as hours and minutes, e.g. 14.30."))


class ItemForm(FlaskForm):
    day = SelectField(
        _l("Day"), validators=[DataRequired(message=_l("Choose one of the days of the trip."))]
    )
    starts = StringField(
        _l("Starts at"),
        validators=[DataRequired(message=_l("Give the start time, e.g. 14.30.")), _clock],
        render_kw={"type": "time"},
    )
    ends = StringField(_l("Ends at"), validators=[Optional(), _clock], render_kw={"type": "time"})
    what = StringField(
        _l("What happens"),
        validators=[DataRequired(message=_l("Say what happens.")), _at_most(WHAT_LIMIT)],
    )
    place = StringField(_l("Place"), validators=[_at_most(PLACE_LIMIT)])

    @classmethod
    def for_trip(cls, trip: Trip, item: RundownItem | None = None) -> ItemForm:
        """The form with the trip's days to choose from, filled with the item when given."""
        form = cls()
        form.day.choices = [
            SelectChoice(
                day.isoformat(),
                _l("Day %(n)d · %(date)s", n=n, date=format_date(day, "EEEE, d MMMM")),
            )
            for n, day in enumerate(trip_days(trip), start=1)
        ]
        if item is not None and not form.is_submitted():
            starts = item.starts_at.astimezone(WIB)
            form.day.data = starts.date().isoformat()
            form.starts.data = starts.strftime("%H:%M")
            form.ends.data = item.ends_at.astimezone(WIB).strftime("%H:%M") if item.ends_at else ""
            form.what.data = item.what
            form.place.data = item.place
        return form

    def item(self) -> ItemInput:
        """The validated values for the service."""
        starts = parse_clock(self.starts.data)
        assert starts is not None, "validate() refuses a form without a start time"
        return ItemInput(
            day=date.fromisoformat(self.day.data),
            starts=starts,
            ends=parse_clock(self.ends.data) if self.ends.data else None,
            place=self.place.data or "",
            what=self.what.data or "",
        )


class AnnouncementForm(FlaskForm):
    text = TextAreaField(
        _l("Announcement"),
        validators=[
            DataRequired(message=_l("Write the announcement first.")),
            Length(
                max=ANNOUNCEMENT_LIMIT,
                message=_l(
                    "An announcement can be at most 1,000 characters: this one has %(length)d."
                ),
            ),
        ],
        render_kw={"rows": 5, "maxlength": ANNOUNCEMENT_LIMIT},
    )
