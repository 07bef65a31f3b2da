"""The person's details, one set of rules for the sign-up form, staff edits and imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from kampung import phones
from kampung.places import KECAMATAN
from kampung.signup.service import PERSON_FIELDS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PhoneField(StringField):
    """A phone as people type it; `.data` is E.164 once validated."""

    def pre_validate(self, form):
        if not self.data:
            return
        try:
            self.data = phones.normalise(self.data)
        except phones.InvalidPhone:
            raise ValidationError(
                _l("This is not a valid phone number. Write it like 0812-3456-7890.")
            ) from None


class NoLeadingZeroIntegerField(IntegerField):
    """RT and RW as numbers: '005' is 5; letters get a clear message."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            raw = valuelist[0].strip()
            if not raw.isdigit():
                self.data = None
                raise ValueError(_l("Write numbers only, e.g. 005."))
            self.data = int(raw)
        else:
            self.data = None


class PersonForm(FlaskForm):
    """The roster fields a person fills in, as PRODUCT.md names them."""

    full_name = StringField(
        _l("Full name"), filters=[_strip], validators=[DataRequired(), Length(max=120)]
    )
    phone = PhoneField(
        _l("WhatsApp number"), filters=[_strip], validators=[DataRequired(), Length(max=30)]
    )
    kecamatan = SelectField(
        _l("Kecamatan"),
        choices=[("", _l("Choose your kecamatan"))] + [(k, k) for k in KECAMATAN],
        validators=[DataRequired(message=_l("Choose one of Kota Jambi's kecamatan."))],
        validate_choice=True,
    )
    kelurahan = StringField(
        _l("Kelurahan"), filters=[_strip], validators=[DataRequired(), Length(max=80)]
    )
    rt = NoLeadingZeroIntegerField(
        _l("RT"),
        validators=[
            InputRequired(),
            NumberRange(min=1, max=999, message=_l("RT is a number from 001 to 999.")),
        ],
    )
    rw = NoLeadingZeroIntegerField(
        _l("RW"),
        validators=[
            Optional(),
            NumberRange(min=1, max=999, message=_l("RW is a number from 001 to 999.")),
        ],
    )
    role = StringField(
        _l("Position"), filters=[_strip], default="Ketua RT", validators=[Length(max=60)]
    )
    gender = SelectField(
        _l("Gender"),
        choices=[("", _l("Prefer not to say")), ("L", _l("Male")), ("P", _l("Female"))],
        validators=[Optional()],
    )
    emergency_name = StringField(
        _l("Emergency contact name"), filters=[_strip], validators=[Length(max=120)]
    )
    emergency_phone = PhoneField(
        _l("Emergency contact number"), filters=[_strip], validators=[Optional(), Length(max=30)]
    )
    notes = TextAreaField(
        _l("Health or diet notes"), filters=[_strip], validators=[Length(max=1000)]
    )

    def person(self) -> dict:
        """The validated values, ready for `service.register` or `service.update_details`."""
        data = {name: self[name].data for name in PERSON_FIELDS if name in self}
        for name in ("role", "gender", "emergency_name", "emergency_phone", "notes", "kelurahan"):
            data[name] = data.get(name) or ""
        return data
