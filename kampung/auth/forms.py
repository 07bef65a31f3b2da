from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp

from kampung.auth.service import MIN_PASSWORD
from kampung.forms import FlaskForm


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def role_choices() -> list[SelectChoice]:
    return [
        SelectChoice("organiser", _l("Organiser: roster, check-in")),
        SelectChoice("chair", _l("Forum chair: review, roster without health notes")),
        SelectChoice("admin", _l("Admin: everything, accounts too")),
    ]


def typed(field) -> str | None:
    """The password typed into an optional field; None when left empty (or only blanks, which
    the Optional validator lets through unchecked): then one is made up."""
    return field.data if field.data and field.data.strip() else None


def _new_password(label, required: bool):
    too_short = _l("At least %(n)d characters.", n=MIN_PASSWORD)
    return PasswordField(
        label,
        validators=[
            DataRequired() if required else Optional(),
            Length(min=MIN_PASSWORD, max=200, message=too_short),
        ],
    )


class OwnPasswordForm(FlaskForm):
    """A staff member's own password: the current one first, so that a phone left open in the
    bus cannot be used to take the account."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = _new_password(_l("New password"), required=True)
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )


class AccountForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=2, max=64),
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message=_l("Use letters, digits, dots, dashes or underscores only."),
            ),
        ],
    )
    display_name = StringField(_l("Name shown to colleagues"), validators=[Length(max=120)])
    role = RadioField(_l("Role"), choices=role_choices(), validators=[InputRequired()])
    password = _new_password(_l("Password"), required=False)


def role_names() -> dict[str, str]:
    """Each role's short name, for badges and the role switch on the accounts page."""
    return {"admin": _l("Admin"), "organiser": _l("Organiser"), "chair": _l("Forum chair")}


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(value, name) for value, name in role_names().items()],
        validators=[InputRequired()],
    )


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("New password"), required=False)
