"""Check-in forms: a stop added from the phone, a bus's coordinator."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from kampung.auth.models import User
from kampung.checkin.stops import STOP_NAME_LENGTH
from kampung.forms import FlaskForm
from kampung.models import Trip


class StopForm(FlaskForm):
    name = StringField(
        _l("Stop"),
        validators=[
            InputRequired(_l("Give the stop a name, e.g. “Naik bus: rest area Lubuk Linggau”.")),
            Length(
                max=STOP_NAME_LENGTH,
                message=_l("At most %(max)d characters.", max=STOP_NAME_LENGTH),
            ),
        ],
        render_kw={"maxlength": STOP_NAME_LENGTH, "autocomplete": "off"},
    )
    bus = SelectField(_l("For"), choices=[], validate_choice=True, validators=[], default="")

    def set_buses(self, trip: Trip) -> None:
        self.bus.choices = [SelectChoice("", _l("All buses"))] + [
            SelectChoice(str(bus.id), bus.name) for bus in trip.buses
        ]
        self.bus.validators = []


class CoordinatorForm(FlaskForm):
    organiser = SelectField(_l("Coordinator"), choices=[], validate_choice=True)

    def set_organisers(self, organisers: list[User]) -> None:
        self.organiser.choices = [SelectChoice("", _l("No coordinator"))] + [
            SelectChoice(str(user.id), user.name) for user in organisers
        ]
