"""The base of every form in the app: each text field is cleaned (kampung.text.clean_text)
before its own filters and validators run, so no form can forget it.

Text areas keep their lines; passwords are left exactly as typed.
"""

from __future__ import annotations

import flask_wtf
import wtforms
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.meta import DefaultMeta

from kampung.text import clean_text


def _single_line(value):
    return clean_text(value) if isinstance(value, str) else value


def _multiline(value):
    return clean_text(value, multiline=True) if isinstance(value, str) else value


class CleanTextMeta(DefaultMeta):
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField) and not isinstance(field, PasswordField):
            clean = _multiline if isinstance(field, TextAreaField) else _single_line
            field.filters = (clean, *field.filters)
        return field


class Form(wtforms.Form):
    """For forms inside forms (FormField), which have no CSRF token of their own."""

    Meta = CleanTextMeta


class FlaskForm(flask_wtf.FlaskForm):
    class Meta(CleanTextMeta):
        pass
