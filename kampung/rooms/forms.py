"""Staff forms for rooms: a new room, the automatic assignment, a person's room."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from kampung.forms import FlaskForm
from kampung.rooms.models import Room
from kampung.rooms.service import MAX_CAPACITY
from kampung.signup.forms import NumberRange, WTFormsMessages

GENDER_CHOICES = [
    SelectChoice("", _l("Men or women")),
    SelectChoice("L", _l("Men only")),
    SelectChoice("P", _l("Women only")),
]


class RoomForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return WTFormsMessages()

    name = StringField(
        _l("Room name"),
        validators=[
            DataRequired(message=_l("Write the room's name, e.g. Kamar 12.")),
            Length(max=60, message=_l("Write at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    capacity = IntegerField(
        _l("Beds"),
        default=2,
        validators=[
            InputRequired(message=_l("How many people sleep in this room?")),
            NumberRange(
                min=1,
                max=MAX_CAPACITY,
                message=_l("A room has 1 to %(max)d beds.", max=MAX_CAPACITY),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    gender = SelectField(_l("For"), choices=GENDER_CHOICES, default="", validate_choice=True)


class AssignForm(FlaskForm):
    size = SelectField(
        _l("People per new room"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 7)],
        default="2",
        validate_choice=True,
    )


def room_choices(rooms: list[Room]) -> list[SelectChoice]:
    return [SelectChoice("", _l("No room"))] + [
        SelectChoice(str(room.id), room.name) for room in rooms
    ]


class RoomMoveForm(FlaskForm):
    room = SelectField(_l("Room"), choices=[], validate_choice=True)

    def set_rooms(self, rooms: list[Room]) -> None:
        self.room.choices = room_choices(rooms)
