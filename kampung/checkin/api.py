"""The batch of scans the offline scanner sends to /api/checkins, read and checked whole before
any scan is decided: one malformed scan refuses the batch, with a message that names it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _

from kampung.checkin.service import NONCE_LENGTH
from kampung.database import MAX_ID

#: the most scans one sync may carry; a phone offline for a whole departure holds about 70
MAX_BATCH = 500
#: a scan's JSON is under 300 bytes; a body much larger than the batch allows is refused unread
MAX_BODY = MAX_BATCH * 600


@dataclass(frozen=True)
class Scan:
    code: str
    checkpoint_id: int
    scanned_at: datetime | None
    nonce: str
    device: str
    #: the bus the scanner is narrowed to; None for every bus
    bus_id: int | None = None


class BatchError(Exception):
    """Why the batch is refused (`message`, for the organiser) with its HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def too_large() -> BatchError:
    return BatchError(413, _("Too many scans at once: send at most %(n)d.", n=MAX_BATCH))


def parse_batch(payload: Any) -> list[Scan]:
    """`[{code, checkpoint, scanned_at, nonce, device, bus}, ...]` (or `{"scans": [...]}`) as
    Scans; `bus` is optional (null or absent: every bus)."""
    if isinstance(payload, dict):
        payload = payload.get("scans")
    if not isinstance(payload, list) or not payload:
        raise BatchError(400, _("Expected a JSON list of scans."))
    if len(payload) > MAX_BATCH:
        raise too_large()
    scans = []
    for number, item in enumerate(payload, start=1):
        try:
            scans.append(_scan(item))
        except (ValueError, TypeError, OverflowError):
            raise BatchError(
                400,
                _(
                    "Scan %(n)d is malformed: it needs code, checkpoint (a number), nonce "
                    "(8 to 64 characters), device and scanned_at (ISO 8601 with a zone); "
                    "bus, when given, is a number.",
                    n=number,
                ),
            ) from None
    return scans


def _scan(item: Any) -> Scan:
    if not isinstance(item, dict):
        raise ValueError
    code, nonce, device = item.get("code"), item.get("nonce"), item.get("device", "")
    checkpoint_id = item.get("checkpoint")
    if not isinstance(code, str) or not isinstance(device, str):
        raise ValueError
    if not isinstance(nonce, str) or not 8 <= len(nonce) <= NONCE_LENGTH:
        raise ValueError
    if not isinstance(checkpoint_id, int) or isinstance(checkpoint_id, bool):
        raise ValueError
    if not 0 < checkpoint_id <= MAX_ID:
        raise ValueError
    bus_id = item.get("bus")
    if bus_id is not None and not _an_id(bus_id):
        raise ValueError
    return Scan(code, checkpoint_id, parse_time(item.get("scanned_at")), nonce, device, bus_id)


def _an_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time with its zone, or milliseconds since the epoch; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC)
    if isinstance(value, str) and len(value) <= 40:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise ValueError
        return parsed
    raise ValueError
