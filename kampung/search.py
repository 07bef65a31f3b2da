"""Finding a person by what staff type: a name, a phone in any written form, or an RT."""

import re

from sqlalchemy import ColumnElement, false, or_

from kampung.signup.models import Registration
from kampung.text import search_key

_RT = re.compile(r"(?i)\s*(?:rt\.?\s*)?([0-9]{1,3})\s*")


def _escape_like(value: str) -> str:
    """Typed % and _ are letters, not wildcards."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def person_matches(query: str) -> ColumnElement[bool]:
    """Name (any part, however written: see kampung.text.search_key), phone (0812…, 62812…,
    +62 812-…, or a part of it), RT (5, 005, "RT 5")."""
    key = search_key(query)
    # A query of invisible characters only has no key, and matches no name.
    clauses: list[ColumnElement[bool]] = [
        Registration.search_name.like(f"%{_escape_like(key)}%", escape="\\") if key else false()
    ]
    if rt := _RT.fullmatch(query):
        clauses.append(Registration.rt == int(rt.group(1)))
    digits = "".join(ch for ch in query if ch in "0123456789")
    if len(digits) >= 4:
        # Stored as +62…; what people type starts with 0, 62 or +62: compare what follows.
        local = digits[1:] if digits.startswith("0") else digits.removeprefix("62")
        clauses.append(Registration.phone.like(f"%{local}%"))
    return or_(*clauses)
