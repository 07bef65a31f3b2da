"""The admin's survey editor: the survey's switches and one question."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from kampung.feedback.models import KIND_LABELS, RATING_WORDS, Words
from kampung.forms import FlaskForm
from kampung.i18n import WIB


def options_from_text(value: str) -> list[dict]:
    """One option per line, 'Indonesian | English' (the English part optional)."""
    options = []
    for line in value.splitlines():
        id_text, _sep, en_text = line.partition("|")
        if id_text.strip():
            options.append({"id": id_text.strip()[:200], "en": en_text.strip()[:200]})
    return options


def options_to_text(options: list[dict]) -> str:
    return "\n".join(f"{o['id']} | {o['en']}" if o.get("en") else o["id"] for o in options)


def _to_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=WIB).astimezone(UTC) if value else None


def _to_wib(value: datetime | None) -> datetime | None:
    return value.astimezone(WIB).replace(tzinfo=None) if value else None


class SurveyForm(FlaskForm):
    is_open = BooleanField(_l("Survey open"))
    anonymous = BooleanField(_l("Anonymous: answers keep no link to the person"))
    opens_at = DateTimeLocalField(_l("Opens at (WIB, optional)"), validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at (WIB, optional)"), validators=[Optional()])

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None and not self.is_submitted():
            self.opens_at.data = _to_wib(obj.opens_at)
            self.closes_at.data = _to_wib(obj.closes_at)

    def opens_at_utc(self) -> datetime | None:
        return _to_utc(self.opens_at.data)

    def closes_at_utc(self) -> datetime | None:
        return _to_utc(self.closes_at.data)


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]
    )
    text = TextAreaField(_l("Question (Indonesian)"), validators=[DataRequired(), Length(max=1000)])
    text_en = TextAreaField(_l("Question (English, optional)"), validators=[Length(max=1000)])
    words = SelectField(_l("Words under 1 to 5 (rating only)"), default=Words.satisfaction.value)
    required = BooleanField(_l("An answer is required"), default=True)
    options = TextAreaField(
        _l("Options, one per line (Indonesian | English)"),
        validators=[Length(max=5000)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each set shown by its own words, in the admin's language: "very poor … very good".
        self.words.choices = [
            SelectChoice(words.value, f"{RATING_WORDS[words][0]} … {RATING_WORDS[words][-1]}")
            for words in Words
        ]
