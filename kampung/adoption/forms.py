"""The adoption forms. The commitments and follow-up forms have one set of fields per row
(commitment-1-what, status-<commitment id>), read here into the service's plain data; the
chair's and admin's forms are a field or two, read in the views."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from kampung.adoption.models import MAX_COMMITMENTS
from kampung.adoption.service import AnswerData, CommitmentData
from kampung.database import whole_number

ROW_FIELDS = ("practice", "what", "target_month", "carried_by")
ANSWER_FIELDS = ("status", "obstacle", "note")


def _one(form: MultiDict, key: str) -> str:
    value = form.get(key, "")
    return value if isinstance(value, str) else ""


def commitment_rows(form: MultiDict) -> list[CommitmentData]:
    """The rows commitment-1-… to commitment-3-…; a form asking for more gets a fourth row,
    which the service refuses."""
    numbers = {
        whole_number(key.split("-")[1]) for key in form if key.startswith("commitment-")
    } | set(range(1, MAX_COMMITMENTS + 1))
    count = max((n for n in numbers if n is not None), default=MAX_COMMITMENTS)
    return [
        CommitmentData(**{f: _one(form, f"commitment-{i}-{f}") for f in ROW_FIELDS})
        for i in range(1, min(count, 100) + 1)
    ]


def round_answers(form: MultiDict) -> dict[int, AnswerData] | None:
    """{commitment id: answer} from status-<id>, obstacle-<id>, note-<id}; None when a key
    names no number (a forged form)."""
    answers: dict[int, AnswerData] = {}
    for key in form:
        if key == "csrf_token":
            continue
        kind, _sep, raw_id = key.partition("-")
        cid = whole_number(raw_id)
        if kind not in ANSWER_FIELDS or cid is None:
            return None
        setattr(answers.setdefault(cid, AnswerData()), kind, _one(form, key))
    return answers
