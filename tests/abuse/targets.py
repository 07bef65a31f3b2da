"""How to send a valid request to each POST route of the app: the hostile-input tests start from
these and spoil them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kampung.feedback.models import Kind
from kampung.i18n import WIB
from tests.conftest import PASSWORD
from tests.feedback.helpers import as_form, good_answers
from tests.manage.test_trips import edit_form, trip_form

PERSON = {
    "full_name": "Dewi Lestari",
    "phone": "0812-7777-8888",
    "kecamatan": "Telanaipura",
    "kelurahan": "Pematang Sulur",
    "rt": "005",
    "rw": "002",
    "role": "Ketua RT",
    "gender": "P",
    "emergency_name": "Andi",
    "emergency_phone": "0812-9999-0000",
    "notes": "Tidak makan udang",
}

QUESTION = {
    "kind": Kind.short_text.value,
    "text": "Apa yang paling berguna?",
    "text_en": "What was most useful?",
    "required": "y",
    "words": "usefulness",
    "options": "Ya | Yes\nTidak | No",
}


@dataclass
class Target:
    """How to send a valid request to one POST route, which the test then spoils."""

    actor: str
    url: Callable[[dict], str]
    bases: Callable[[dict], list[dict]] = lambda w: [{}]
    headers: dict = field(default_factory=dict)


def _token(w: dict, who: str = "alice") -> str:
    return w[who].access_token


def _admin(path: str) -> Callable[[dict], str]:
    return lambda w: f"/manage/{w['slug']}/{path.format(**_ids(w))}"


def _ids(w: dict) -> dict:
    return {
        "alice": w["alice"].id,
        "checkpoint": w["checkpoint_id"],
        "checkin": w["checkin_id"],
        "question": w["question_id"],
        "answer": w["answer_id"],
        "bob": w["bob"].id,
        "practice": w["practice_id"],
        "item": w["item_id"],
        "notice": w["notice_id"],
    }


def _account(path: str) -> Callable[[dict], str]:
    """A colleague's account on the admin's accounts page: the organiser's."""
    return lambda w: f"/manage/accounts/{w['users']['organiser'].id}/{path}"


NEW_PASSWORD = "kata-sandi-baru-456"


def _item(w: dict) -> dict:
    """A rundown item on the trip's first day."""
    day = w["trip"].departs_at.astimezone(WIB).date().isoformat()
    return {"day": day, "starts": "14:00", "ends": "15:30", "what": "Ramah tamah", "place": "Aula"}


HTMX = {"HX-Request": "true"}
#: a target month the commitments form offers
NEXT_MONTH = (datetime.now(WIB).date().replace(day=1) + timedelta(days=40)).strftime("%Y-%m")

#: every POST route -> the request it takes; keep in step with the views
TARGETS: dict[str, Target] = {
    "signup.sign_up": Target(
        "anonymous", lambda w: f"/e/{w['slug']}", lambda w: [PERSON | {"consent": "y"}]
    ),
    "signup.check_field": Target(
        "anonymous", lambda w: f"/e/{w['slug']}/check", lambda w: [PERSON], HTMX
    ),
    "signup.edit": Target("anonymous", lambda w: f"/p/{_token(w)}/edit", lambda w: [PERSON]),
    "signup.check_own_field": Target(
        "anonymous", lambda w: f"/p/{_token(w)}/check", lambda w: [PERSON], HTMX
    ),
    "signup.cancel": Target("anonymous", lambda w: f"/p/{_token(w)}/cancel"),
    "auth.login": Target(
        "anonymous", lambda w: "/login", lambda w: [{"username": "admin", "password": PASSWORD}]
    ),
    "auth.logout": Target("admin", lambda w: "/logout"),
    "auth.password": Target(
        "organiser",
        lambda w: "/manage/password",
        lambda w: [{"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}],
    ),
    "auth.end_other_sessions": Target("organiser", lambda w: "/manage/password/others"),
    "auth.account_new": Target(
        "admin",
        lambda w: "/manage/accounts/new",
        lambda w: [
            {"username": "dewi", "display_name": "Dewi", "role": "chair", "password": ""},
            {"username": "budi", "display_name": "", "role": "admin", "password": NEW_PASSWORD},
        ],
    ),
    "auth.account_role": Target("admin", _account("role"), lambda w: [{"role": "chair"}]),
    "auth.account_disable": Target("admin", _account("disable")),
    "auth.account_enable": Target("admin", _account("enable")),
    "auth.account_end_sessions": Target("admin", _account("end-sessions")),
    "auth.account_password": Target(
        "admin", _account("password"), lambda w: [{"password": ""}, {"password": NEW_PASSWORD}]
    ),
    "manage.trip_new": Target("admin", lambda w: "/manage/new", lambda w: [trip_form()]),
    "manage.trip_edit": Target("admin", _admin("edit"), lambda w: [edit_form(w["trip"])]),
    "manage.trip_copy": Target(
        "admin", _admin("copy"), lambda w: [{"title": "Studi Banding 2027", "slug": "sb-2027"}]
    ),
    "manage.import_upload": Target("admin", _admin("import")),
    "manage.import_preview": Target("admin", lambda w: w["import_url"]),
    "manage.participant_edit": Target(
        "admin",
        _admin("participants/{alice}/edit"),
        lambda w: [PERSON | {"bus": str(w["trip"].buses[0].id)}],
    ),
    "manage.participant_bus": Target(
        "admin", _admin("participants/{alice}/bus"), lambda w: [{"bus": str(w["trip"].buses[1].id)}]
    ),
    "manage.participant_cancel": Target("admin", _admin("participants/{alice}/cancel")),
    "manage.participant_promote": Target("admin", _admin("participants/{alice}/promote")),
    "manage.told": Target("organiser", _admin("participants/{alice}/told")),
    "manage.burst_cancel": Target("admin", _admin("signups/device/{alice}/{bob}/cancel")),
    "manage.send_link": Target(
        "admin",
        _admin("participants/{alice}/send-link"),
        lambda w: [{"message": "promoted", "back": f"/manage/{w['slug']}/"}, {"message": "link"}],
    ),
    "rooms.add": Target(
        "organiser", _admin("rooms/new"), lambda w: [{"name": "Kamar 101", "capacity": "2"}]
    ),
    "rooms.assign": Target("organiser", _admin("rooms/assign"), lambda w: [{"size": "2"}]),
    "rooms.move": Target(
        "organiser", _admin("participants/{alice}/room"), lambda w: [{"room": ""}]
    ),
    "checkin.scanner": Target(
        "organiser",
        _admin("checkin/{checkpoint}"),
        lambda w: [{"code": w["alice"].checkin_code, "device": "HP Rina"}],
    ),
    "checkin.undo": Target(
        "organiser", _admin("checkin/undo/{checkin}"), lambda w: [{"reason": "Salah orang"}]
    ),
    "checkin.stop_new": Target(
        "organiser",
        _admin("checkin/stops"),
        lambda w: [
            {"name": "Naik bus: rest area Lubuk Linggau", "bus": str(w["trip"].buses[1].id)}
        ],
    ),
    "checkin.move": Target(
        "organiser",
        _admin("checkin/{checkpoint}/move"),
        lambda w: [{"code": w["alice"].checkin_code, "bus": str(w["trip"].buses[1].id)}],
    ),
    "checkin.bus_coordinator": Target(
        "admin",
        lambda w: f"/manage/{w['slug']}/checkin/buses/{w['trip'].buses[0].id}/coordinator",
        lambda w: [{"organiser": str(w["users"]["organiser"].id)}, {"organiser": ""}],
    ),
    "checkin.code": Target(
        "organiser",
        lambda w: f"/c/{w['alice'].checkin_code}",
        lambda w: [{"checkpoint": str(w["checkpoint_id"])}],
    ),
    "feedback.answer": Target(
        "anonymous",
        lambda w: f"/p/{_token(w)}/feedback",
        lambda w: [as_form(good_answers(w["survey"], text="Bank sampah"))],
    ),
    "feedback.answer_by_link": Target(
        "anonymous",
        lambda w: f"/s/{w['alice_link']}",
        lambda w: [as_form(good_answers(w["survey"], text="Kebun gizi"))],
    ),
    "feedback.edit_survey": Target(
        "admin",
        _admin("survey"),
        lambda w: [
            {"action": "add"} | {f"new-{k}": v for k, v in QUESTION.items()},
            {"action": "settings", "s-is_open": "y", "s-anonymous": "", "s-opens_at": ""}
            | {"s-closes_at": "2027-03-10T12:00"},
        ],
    ),
    "feedback.edit_question": Target(
        "admin", _admin("survey/questions/{question}"), lambda w: [QUESTION]
    ),
    "feedback.question_action": Target("admin", _admin("survey/questions/{question}/down")),
    "review.mark": Target(
        "chair",
        _admin("review/answers/{answer}/mark"),
        lambda w: [{"kind": "practice", "note": "Bawa ke Wali Kota", "back": ""}],
    ),
    "review.remind": Target("chair", _admin("review/remind/{alice}")),
    "checkin.api_checkins": Target("organiser", lambda w: "/api/checkins"),
    "paperwork.set_rate": Target(
        "admin",
        _admin("uang-harian"),
        lambda w: [{"rate": "Rp 350.000", "days": ""}, {"rate": "350000", "days": "3"}],
    ),
    "schedule.publish": Target("organiser", _admin("rundown/publish")),
    "schedule.item_new": Target("organiser", _admin("rundown/new"), lambda w: [_item(w)]),
    "schedule.item_edit": Target("organiser", _admin("rundown/{item}"), lambda w: [_item(w)]),
    "schedule.item_remove": Target("organiser", _admin("rundown/{item}/remove")),
    "schedule.announcements": Target(
        "organiser", _admin("announcements"), lambda w: [{"text": "Bawa batik dan KTP."}]
    ),
    "schedule.send": Target("organiser", _admin("notices/{notice}/send/{alice}")),
    "schedule.mark_read": Target("anonymous", lambda w: f"/p/{_token(w)}/read/{w['notice_id']}"),
    "schedule.mark_read_by_link": Target(
        "anonymous", lambda w: f"/j/{w['alice_schedule']}/read/{w['notice_id']}"
    ),
    "adoption.commitments": Target(
        "anonymous",
        lambda w: f"/p/{_token(w, 'bob')}/commitments",
        lambda w: [
            {
                "commitment-1-practice": str(w["practice_id"]),
                "commitment-1-what": "",
                "commitment-1-target_month": NEXT_MONTH,
                "commitment-1-carried_by": "Pak RT",
                "commitment-2-what": "Kebun gizi",
                "commitment-2-target_month": NEXT_MONTH,
                "commitment-2-carried_by": "Bu PKK",
            }
        ],
    ),
    "adoption.followup": Target(
        "anonymous",
        lambda w: f"/p/{_token(w, 'bob')}/followup",
        lambda w: [{"status-1": "started", "obstacle-1": "Dana", "note-1": "Renja"}],
    ),
    "adoption.followup_by_link": Target(
        "anonymous",
        lambda w: f"/f/{w['alice_followup']}",
        lambda w: [{"status-1": "running", "obstacle-1": "", "note-1": ""}],
    ),
    "adoption.remind": Target("chair", _admin("adoption/remind/{alice}")),
    "adoption.trip_practices": Target(
        "chair",
        _admin("adoption/practices"),
        lambda w: [
            {"name": "Bank sampah", "mark": "1"},
            {"name": "", "into": str(w["practice_id"])},
        ],
    ),
    "adoption.practice_action": Target(
        "chair",
        _admin("adoption/practices/{practice}"),
        lambda w: [
            {"action": "rename", "name": "Bank sampah RW"},
            {"action": "merge", "into": "1"},
        ],
    ),
    "adoption.commitment_practice": Target(
        "chair", _admin("adoption/commitments/999999/practice"), lambda w: [{"practice": "1"}]
    ),
    "adoption.rounds": Target(
        "admin",
        _admin("followup"),
        lambda w: [
            {"action": "days", "days": ["30", "90"]},
            {"action": "open", "round": "1"},
            {"action": "close"},
        ],
    ),
}
