"""The person's details, one set of rules for the sign-up form, staff edits and imports."""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField, validators
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import TelInput, TextInput

from kampung import phones
from kampung.forms import FlaskForm
from kampung.places import KECAMATAN
from kampung.signup.service import DETAIL_FIELDS


def N_(message: str) -> str:
    """Marks a message for `make extract-messages`; it is translated where it is shown."""
    return message


#: WTForms' built-in messages a participant can meet; it ships no Indonesian catalogue,
#: so they are translated in ours (see WTFormsMessages).
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Not a valid integer value."),
    N_("Number must be between %(min)s and %(max)s."),
)


class WTFormsMessages:
    """WTForms' own messages looked up in kampung's catalogue, in the visitor's language."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class NumberRange(validators.NumberRange):
    """WTForms' NumberRange for whole numbers: its NaN check turns a number typed with hundreds
    of digits into an OverflowError (a 500) instead of the field's message."""

    def __call__(self, form, field):
        data = field.data
        if data is None or isinstance(data, float):
            return super().__call__(form, field)
        if (self.min is not None and data < self.min) or (self.max is not None and data > self.max):
            raise ValidationError(self.message)


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("Write at most %(max)d characters."))


class PhoneField(StringField):
    """A phone as people type it; `.data` is E.164 once validated."""

    widget = TelInput()

    def _value(self):
        # What the person typed stays in the box; a stored number shows as 0812-3456-7890.
        if self.raw_data:
            return self.raw_data[0]
        return phones.display(self.data) if self.data else ""

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

    # A text box with the digit keyboard: type=number would drop the leading zeros people write.
    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:03d}" if isinstance(self.data, int) else ""

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

    class Meta:
        def get_translations(self, form):
            return WTFormsMessages()

    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(), _at_most(120)],
        render_kw={"autocomplete": "name"},
    )
    phone = PhoneField(
        _l("WhatsApp number"),
        validators=[DataRequired(), _at_most(30)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    kecamatan = SelectField(
        _l("Kecamatan"),
        choices=[SelectChoice("", _l("Choose your kecamatan"))]
        + [SelectChoice(k) for k in KECAMATAN],
        validators=[DataRequired(message=_l("Choose one of Kota Jambi's kecamatan."))],
        validate_choice=True,
    )
    kelurahan = StringField(_l("Kelurahan"), validators=[DataRequired(), _at_most(80)])
    rt = NoLeadingZeroIntegerField(
        _l("RT"),
        validators=[
            InputRequired(),
            NumberRange(min=1, max=999, message=_l("RT is a number from 001 to 999.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    rw = NoLeadingZeroIntegerField(
        _l("RW"),
        validators=[
            Optional(),
            NumberRange(min=1, max=999, message=_l("RW is a number from 001 to 999.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    role = StringField(_l("Position"), default="Ketua RT", validators=[_at_most(60)])
    gender = SelectField(
        _l("Gender"),
        choices=[
            SelectChoice("", _l("Prefer not to say")),
            SelectChoice("L", _l("Male")),
            SelectChoice("P", _l("Female")),
        ],
        validators=[Optional()],
    )
    emergency_name = StringField(_l("Emergency contact name"), validators=[_at_most(120)])
    emergency_phone = PhoneField(
        _l("Emergency contact number"),
        validators=[Optional(), _at_most(30)],
        render_kw={"inputmode": "tel"},
    )
    notes = TextAreaField(_l("Health or diet notes"), validators=[_at_most(1000)])
    share_with = StringField(
        _l("Who would you like to share a room with? (optional)"),
        validators=[_at_most(120)],
        render_kw={"autocomplete": "off"},
    )

    def person(self) -> dict:
        """The validated values, ready for `service.register` or `service.update_details`."""
        data = {name: self[name].data for name in DETAIL_FIELDS if name in self}
        for name in (
            "role",
            "gender",
            "emergency_name",
            "emergency_phone",
            "notes",
            "kelurahan",
            "share_with",
        ):
            data[name] = data.get(name) or ""
        return data


class SignupForm(PersonForm):
    """The public sign-up: the person's details and their consent (UU 27/2022)."""

    consent = BooleanField(
        _l("I agree that the committee keeps and uses these details to organise this trip."),
        validators=[
            DataRequired(message=_l("Please tick the agreement: without it we cannot sign you up."))
        ],
    )
