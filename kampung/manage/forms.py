"""Staff forms: a trip's settings with its buses and checkpoints, a person's bus, an upload."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from kampung.database import whole_number
from kampung.forms import FlaskForm, Form
from kampung.i18n import WIB
from kampung.manage.service import BusRow, CheckpointRow, TripSettings
from kampung.models import Trip
from kampung.rooms.forms import room_choices
from kampung.rooms.service import room_list
from kampung.signup.forms import NumberRange, PersonForm, PhoneField, _at_most
from kampung.trips import SLUG_LENGTH, SLUG_PATTERN

#: what <input type="datetime-local"> sends
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


@overload
def to_utc(local: datetime) -> datetime: ...
@overload
def to_utc(local: None) -> None: ...
def to_utc(local: datetime | None) -> datetime | None:
    """A time the admin typed in WIB, as aware UTC."""
    return None if local is None else local.replace(tzinfo=WIB).astimezone(UTC)


def to_wib(value: datetime | None) -> datetime | None:
    """A stored UTC time as the naive WIB time the input shows."""
    return None if value is None else value.astimezone(WIB).replace(tzinfo=None)


def _wib_field(label, required: bool = True):
    return DateTimeLocalField(
        label,
        format=LOCAL_FORMAT,
        validators=[InputRequired() if required else Optional()],
        render_kw={"step": 60},
    )


class BusForm(Form):
    id = HiddenField()
    name = StringField(_l("Bus name"), validators=[Optional(), Length(max=60)])
    seats = IntegerField(
        _l("Seats"),
        validators=[
            Optional(),
            NumberRange(min=0, max=999, message=_l("Seats is a number from 0 to 999.")),
        ],
    )
    remove = BooleanField(_l("Remove this bus"))


class CheckpointForm(Form):
    id = HiddenField()
    name = StringField(_l("Checkpoint name"), validators=[Optional(), Length(max=120)])
    position = IntegerField(
        _l("Order"),
        validators=[
            Optional(),
            NumberRange(min=1, max=99, message=_l("Order is a number from 1 to 99.")),
        ],
    )
    remove = BooleanField(_l("Remove this checkpoint"))


def _slug_field() -> StringField:
    return StringField(
        _l("Link name (slug)"),
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        validators=[
            DataRequired(),
            Length(max=SLUG_LENGTH),
            Regexp(
                SLUG_PATTERN,
                message=_l(
                    "Use lowercase letters, digits and hyphens only, e.g. studi-banding-2026."
                ),
            ),
        ],
    )


class TripForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = _slug_field()
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    origin = StringField(_l("From"), validators=[Length(max=200)])
    destination = StringField(_l("To"), validators=[Length(max=200)])
    departs_at = _wib_field(_l("Departure (WIB)"))
    returns_at = _wib_field(_l("Return (WIB)"))
    meeting_point = StringField(_l("Meeting point"), validators=[Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[_at_most(120)])
    contact_phone = PhoneField(
        _l("Contact person's WhatsApp number"),
        validators=[Optional(), Length(max=30)],
        render_kw={"inputmode": "tel"},
    )
    capacity = IntegerField(
        _l("Capacity (seats)"),
        validators=[
            InputRequired(),
            NumberRange(min=0, max=5000, message=_l("Capacity is a number from 0 to 5000.")),
        ],
    )
    registration = RadioField(
        _l("Registration"),
        choices=[SelectChoice("open", _l("Open")), SelectChoice("closed", _l("Closed"))],
        default="closed",
    )
    registration_opens_at = _wib_field(_l("Registration opens at (WIB, optional)"), False)
    registration_closes_at = _wib_field(_l("Registration closes at (WIB, optional)"), False)
    buses = FieldList(FormField(BusForm), min_entries=1, max_entries=20)
    checkpoints = FieldList(FormField(CheckpointForm), min_entries=1, max_entries=20)

    def validate_returns_at(self, field):
        if field.data and self.departs_at.data and field.data <= self.departs_at.data:
            raise ValidationError(_l("The return must be after the departure."))

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if field.data and opens and field.data <= opens:
            raise ValidationError(_l("Registration must close after it opens."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # A contact person is a name and a number together, or nobody. (Checked here: an empty
        # optional field skips its own validate_ method.)
        name, phone = self.contact_name, self.contact_phone
        if phone.data and not name.data:
            name.errors.append(_l("Whose number is it? Write the contact person's name."))
        elif name.data and not phone.data:
            phone.errors.append(
                _l("Participants reach the contact person by WhatsApp: write their number.")
            )
        else:
            return valid
        return False

    def validate_buses(self, field):
        for entry in field:
            if entry.remove.data or not entry.form.name.data:
                continue
            if entry.form.seats.data is None:
                entry.form.seats.errors.append(_l("How many seats does this bus have?"))
                raise ValidationError(_l("Check the buses."))

    def validate_checkpoints(self, field):
        kept = [e for e in field if not e.remove.data and e.form.name.data]
        if not kept:
            raise ValidationError(_l("A trip needs at least one checkpoint, e.g. the departure."))

    def fill_from(self, trip: Trip) -> None:
        """Show a saved trip: its times in WIB, its buses and checkpoints as rows."""
        for name in (
            "title",
            "slug",
            "description",
            "origin",
            "destination",
            "meeting_point",
            "contact_name",
            "contact_phone",
        ):
            self[name].data = getattr(trip, name)
        self.capacity.data = trip.capacity
        for name in ("departs_at", "returns_at", "registration_opens_at", "registration_closes_at"):
            self[name].data = to_wib(getattr(trip, name))
        self.registration.data = "open" if trip.registration_open else "closed"
        _fill_list(self.buses, [{"id": b.id, "name": b.name, "seats": b.seats} for b in trip.buses])
        _fill_list(
            self.checkpoints,
            [
                {"id": c.id, "name": c.name, "position": i}
                for i, c in enumerate(trip.checkpoints, start=1)
            ],
        )

    def add_bus(self) -> None:
        if len(self.buses) < self.buses.max_entries:
            self.buses.append_entry()

    def add_checkpoint(self) -> None:
        if len(self.checkpoints) < self.checkpoints.max_entries:
            self.checkpoints.append_entry({"position": len(self.checkpoints) + 1})

    def settings(self) -> TripSettings:
        return TripSettings(
            title=self.title.data,
            slug=self.slug.data,
            description=self.description.data or "",
            origin=self.origin.data or "",
            destination=self.destination.data or "",
            meeting_point=self.meeting_point.data or "",
            contact_name=self.contact_name.data or "",
            contact_phone=self.contact_phone.data or "",
            departs_at=to_utc(self.departs_at.data),
            returns_at=to_utc(self.returns_at.data),
            capacity=self.capacity.data,
            registration_open=self.registration.data == "open",
            registration_opens_at=to_utc(self.registration_opens_at.data),
            registration_closes_at=to_utc(self.registration_closes_at.data),
            buses=[
                BusRow(name=e.form.name.data, seats=e.form.seats.data, id=_int(e.form.id.data))
                for e in self.buses
                if e.form.name.data and not e.remove.data
            ],
            checkpoints=[
                CheckpointRow(
                    name=e.form.name.data,
                    position=e.form.position.data or 99,
                    id=_int(e.form.id.data),
                )
                for e in self.checkpoints
                if e.form.name.data and not e.remove.data
            ],
        )


def _fill_list(field_list: FieldList, rows: list[dict]) -> None:
    while len(field_list):
        field_list.pop_entry()
    for row in rows or [{}]:
        field_list.append_entry(row)


def _int(value) -> int | None:
    return whole_number(value)


def bus_choices(trip: Trip) -> list[SelectChoice]:
    return [SelectChoice("", _l("No bus"))] + [SelectChoice(str(b.id), b.name) for b in trip.buses]


class ParticipantForm(PersonForm):
    """The sign-up form's fields, the bus and the room, for an admin editing a person."""

    bus = SelectField(_l("Bus"), choices=[], validate_choice=True)
    room = SelectField(_l("Room"), choices=[], validate_choice=True)

    def set_buses(self, trip: Trip) -> None:
        self.bus.choices = bus_choices(trip)
        self.room.choices = room_choices(room_list(trip))


class BusMoveForm(FlaskForm):
    bus = SelectField(_l("Move to bus"), choices=[], validate_choice=True)

    def set_buses(self, trip: Trip) -> None:
        self.bus.choices = bus_choices(trip)


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet file (.xlsx, .xls, .ods) or CSV"))


class CopyTripForm(FlaskForm):
    """Copy this trip: the new trip's title and link name."""

    title = StringField(_l("Title of the new trip"), validators=[DataRequired(), Length(max=200)])
    slug = _slug_field()
