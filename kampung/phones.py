"""Indonesian phone numbers: what people type, stored as E.164, shown the local way."""

import phonenumbers

REGION = "ID"


class InvalidPhone(ValueError):
    pass


def normalise(raw: str) -> str:
    """'0812-3456-7890', '62812…', '+62 812…' -> '+6281234567890'; InvalidPhone otherwise."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 30:
        raise InvalidPhone(raw)
    digits = "".join(ch for ch in raw if ch.isdigit())
    # People often drop the plus sign in front of the country code.
    if digits.startswith("62") and not raw.startswith(("+", "0")):
        raw = "+" + digits
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(raw) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str | None) -> str:
    """'+6281234567890' -> '0812-3456-7890', the way people write it."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def wa_number(e164: str | None) -> str:
    """The digits wa.me wants: '+6281234567890' -> '6281234567890'."""
    return (e164 or "").lstrip("+")
