"""The base of every form in the app: each text field is cleaned (kampung.text.clean_text)
before its own filters and validators run, and each date and time must fall in a plausible
year, so no form can forget either.

Text areas keep their lines; passwords are left exactly as typed.
"""

from __future__ import annotations

import flask_wtf
import wtforms
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeField, PasswordField, StringField, TextAreaField
from wtforms.meta import DefaultMeta
from wtforms.validators import ValidationError

from kampung.text import clean_text


def _single_line(value):
    return clean_text(value) if isinstance(value, str) else value


def _multiline(value):
    return clean_text(value, multiline=True) if isinstance(value, str) else value


#: the years a trip, a survey window or a rundown item may fall in; year 1 typed into a date
#: picker would otherwise overflow when converted from WIB to UTC
YEARS = (2000, 2100)


def plausible_year(form, field) -> None:
    if field.data is not None and not YEARS[0] <= field.data.year <= YEARS[1]:
        raise ValidationError(
            _l(
                "Choose a date between the years %(first)s and %(last)s.",
                first=YEARS[0],
                last=YEARS[1],
            )
        )


class CleanTextMeta(DefaultMeta):
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField) and not isinstance(field, PasswordField):
            clean = _multiline if isinstance(field, TextAreaField) else _single_line
            field.filters = (clean, *field.filters)
        if isinstance(field, DateTimeField | DateField):
            field.validators = [*field.validators, plausible_year]
        return field


class Form(wtforms.Form):
    """For forms inside forms (FormField), which have no CSRF token of their own."""

    Meta = CleanTextMeta


class FlaskForm(flask_wtf.FlaskForm):
    class Meta(CleanTextMeta):
        pass
