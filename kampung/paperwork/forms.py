"""The admin's per-diem form: the daily rate in rupiah and the day count."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length, ValidationError

from kampung.forms import FlaskForm
from kampung.paperwork import service
from kampung.paperwork.models import MAX_DAYS

#: what each broken rule says to the admin
MESSAGES = {
    "negative": _l("The amount cannot be negative."),
    "not_a_number": _l("Write a whole number in digits, e.g. 350000 or 350.000."),
    "too_large": _l("That is more than the app accepts; check the number."),
    "zero_days": _l("At least one day."),
}


class PerDiemForm(FlaskForm):
    rate = StringField(
        _l("Daily rate (rupiah)"),
        validators=[InputRequired(_l("Write the daily rate.")), Length(max=30)],
    )
    days = StringField(_l("Days (empty: the trip's calendar days)"), validators=[Length(max=5)])

    def validate_rate(self, field) -> None:
        try:
            self.rate_value = service.parse_rupiah(field.data)
        except service.BadAmount as bad:
            raise ValidationError(MESSAGES[bad.reason]) from None

    def validate_days(self, field) -> None:
        try:
            self.days_value = service.parse_days(field.data)
        except service.BadAmount as bad:
            message = MESSAGES[bad.reason]
            if bad.reason == "too_large":
                message = _l("At most %(days)s days.", days=MAX_DAYS)
            raise ValidationError(message) from None
