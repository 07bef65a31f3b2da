"""Random and hostile input at every POST route of the app's own URL map: never a 500, never a
stack trace, and a refused request saves nothing. A POST route nobody classified fails."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kampung.feedback.models import Kind
from kampung.manage.importer import COLUMNS
from tests.abuse.conftest import send, snapshot
from tests.abuse.strategies import HOSTILE_TEXT, JSON, hostile_form, scans
from tests.conftest import PASSWORD, log_in
from tests.feedback.helpers import as_form, good_answers
from tests.manage.test_trips import edit_form, trip_form

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: what a hostile request may be answered with; anything else (a 500 above all) is a bug
EXPECTED = {200, 302, 303, 400, 401, 404, 409, 413, 422}

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
    }


def _account(path: str) -> Callable[[dict], str]:
    """A colleague's account on the admin's accounts page: the organiser's."""
    return lambda w: f"/manage/accounts/{w['users']['organiser'].id}/{path}"


NEW_PASSWORD = "kata-sandi-baru-456"

HTMX = {"HX-Request": "true"}

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
    "checkin.scanner": Target(
        "organiser",
        _admin("checkin/{checkpoint}"),
        lambda w: [{"code": w["alice"].checkin_code, "device": "HP Rina"}],
    ),
    "checkin.undo": Target(
        "organiser", _admin("checkin/undo/{checkin}"), lambda w: [{"reason": "Salah orang"}]
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
}

#: routes with input of their own shape: a file, JSON; tested below with their own strategies
OWN_STRATEGY = {"manage.import_upload", "checkin.api_checkins"}


def post_routes(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}


def test_every_post_route_is_classified(app):
    unclassified = post_routes(app) - TARGETS.keys()
    assert unclassified == set(), f"add these POST routes to TARGETS: {sorted(unclassified)}"


def check_answer(app, before: dict, response, where: str) -> None:
    """The answer is one we expect, shows no stack trace, and a refusal saved nothing."""
    body = response.get_data(as_text=True)
    assert response.status_code in EXPECTED, f"{where} -> {response.status_code}"
    assert "Traceback" not in body and 'File "/' not in body, where
    if response.status_code >= 400:
        assert snapshot(app) == before, f"{where} -> {response.status_code} changed the database"


def _send_form(
    w: dict, endpoint: str, data, extra_headers: dict | None = None, url: str = "", **kwargs
):
    target = TARGETS[endpoint]
    app, client = w["app"], w["clients"][target.actor]
    if endpoint == "auth.logout":
        with app.app_context():
            log_in(client, w["users"]["admin"])
    before = snapshot(app)
    headers = target.headers | (extra_headers or {})
    url = url or target.url(w)
    response = send(app, client, "POST", url, data=data, headers=headers, **kwargs)
    check_answer(app, before, response, f"{endpoint} {data!r:.600}")
    return response


#: values that once gave a 500: a NUL (PostgreSQL refuses it), a number of 400 digits (it
#: overflowed a validator and the drivers), "²" (str.isdigit() yet not int())
KILLERS = ("Budi\x00Santoso", "9" * 400, "²")


def _sweep(world: dict, endpoint: str) -> None:
    """What a few random examples may miss: every field of every valid form, spoilt alone,
    with each value that once gave a 500."""
    client = world["clients"][TARGETS[endpoint].actor]
    for base in TARGETS[endpoint].bases(world):
        for name in base:
            for killer in KILLERS:
                with world["app"].app_context():
                    data = base | {name: killer, "csrf_token": client.csrf_token()}
                _send_form(world, endpoint, data, {"HX-Trigger-Name": name})


FORM_ROUTES = sorted(TARGETS.keys() - OWN_STRATEGY)


@pytest.mark.parametrize("endpoint", FORM_ROUTES)
def test_hostile_form_is_refused_cleanly(world, endpoint):
    target = TARGETS[endpoint]
    client = world["clients"][target.actor]
    _sweep(world, endpoint)

    @EXAMPLES
    @given(data=st.data())
    def run(data):
        base = data.draw(st.sampled_from(target.bases(world)), label="base")
        form = data.draw(hostile_form(base), label="form")
        csrf = data.draw(st.sampled_from(["valid", "valid", "valid", "missing", "wrong"]))
        if csrf != "missing":
            with world["app"].app_context():
                form.add("csrf_token", client.csrf_token() if csrf == "valid" else "x\x00y")
        headers = {}
        if target.headers:
            # htmx names the field that changed; a hostile client names anything.
            name = data.draw(st.one_of(st.sampled_from(sorted(PERSON)), HOSTILE_TEXT))
            raw = name.encode("utf-8").decode("latin-1")
            headers["HX-Trigger-Name"] = raw.replace("\r", "").replace("\n", "")
        _send_form(world, endpoint, form, headers)

    run()


VALID_ROW = ["Citra Dewi", "0812-5555-6666", "Jelutung", "Payo Lebar", "7", "1", "Ketua RT", "P"]


def _csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([COLUMNS, *rows])
    return text.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def spoilt_rows(draw) -> bytes:
    """Valid people with one cell of each spoilt, so that a save is reached."""
    rows = []
    for i in range(draw(st.integers(1, 3))):
        row = [*VALID_ROW, "", "", "", "", ""]
        row[0] = f"Citra {i}"
        row[1] = f"0812-5555-{6600 + i}"
        row[draw(st.integers(0, len(row) - 1))] = draw(HOSTILE_TEXT)
        rows.append(row)
    return _csv(rows)


@EXAMPLES
@given(
    content=st.one_of(
        spoilt_rows(),
        st.binary(max_size=3000),
        st.lists(st.lists(HOSTILE_TEXT, max_size=14), max_size=6).map(_csv),
    ),
    filename=st.one_of(
        st.sampled_from(["peserta.csv", "peserta.xlsx", "peserta.CSV", "x.txt", "", "../a.csv"]),
        HOSTILE_TEXT,
    ),
)
def test_hostile_upload_is_refused_cleanly_and_its_save_too(world, content, filename):
    _upload_and_save(world, content, filename)


def test_each_cell_alone_with_a_killer_value_is_refused_cleanly(world):
    for column, killer in itertools.product(range(len(COLUMNS)), KILLERS):
        row = [*VALID_ROW, "", "", "", "", ""]
        row[column] = killer
        _upload_and_save(world, _csv([row]), "peserta.csv")


def _upload_and_save(world: dict, content: bytes, filename: str) -> None:
    """The upload, and when it is accepted, the save of its preview."""
    with world["app"].app_context():
        token = world["clients"]["admin"].csrf_token()
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename)}
    response = _send_form(world, "manage.import_upload", data, content_type="multipart/form-data")
    if response.status_code == 302:
        saved = _send_form(
            world, "manage.import_preview", {"csrf_token": token}, url=response.headers["Location"]
        )
        assert saved.status_code in (302, 409)


def _api(world, **kwargs):
    app, client = world["app"], world["clients"]["organiser"]
    before = snapshot(app)
    with app.app_context():
        token = client.csrf_token()
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    response = send(app, client, "POST", "/api/checkins", headers=headers, **kwargs)
    check_answer(app, before, response, f"/api/checkins {kwargs!r:.600}")
    if response.status_code == 200:
        assert isinstance(response.get_json()["results"], list)
    return response


@EXAMPLES
@given(data=st.data())
def test_hostile_scans_are_refused_cleanly(world, data):
    scan = scans(world["alice"].checkin_code, world["checkpoint_id"])
    payload = data.draw(
        st.one_of(
            st.lists(scan, min_size=1, max_size=5),
            st.fixed_dictionaries({"scans": st.lists(scan, max_size=3)}),
            JSON,
            st.binary(max_size=500),
        )
    )
    if isinstance(payload, bytes):  # a body that is not JSON at all
        _api(world, data=payload, content_type="application/json")
    else:
        _api(world, json=payload)


#: bodies a hand-written client might send: keys twice, a scan nested in itself, deep nesting
ODD_BODIES = (
    b'[{"code": "x", "code": ["y"], "checkpoint": 1, "checkpoint": "1", "nonce": "abcdefgh"}]',
    b'{"scans": {"scans": [{"code": "x"}]}}',
    b"[" * 5000 + b"]" * 5000,
    b'[{"code": "\\u0000", "checkpoint": 1, "nonce": "abcdefgh", "device": "d"}]',
    b'[{"code": "\\ud800", "checkpoint": 1, "nonce": "abcdefgh", "device": "d"}]',
    b'[{"code": "x", "checkpoint": 1e999, "nonce": "abcdefgh", "device": "d"}]',
    b'[{"code": "x", "checkpoint": 1, "nonce": "abcdefgh", "device": "d", "scanned_at": NaN}]',
)


def test_odd_json_bodies_are_refused_cleanly(world):
    for body in ODD_BODIES:
        _api(world, data=body, content_type="application/json")


#: a new phone for each sign-up of the test below
_PHONES = itertools.count(1000)


@EXAMPLES
@given(name=HOSTILE_TEXT, notes=HOSTILE_TEXT, answer=HOSTILE_TEXT)
def test_whatever_a_sign_up_and_its_answers_hold_every_export_opens(world, name, notes, answer):
    from tests.abuse.test_stored_strings import export_urls, read_cells

    app, stranger = world["app"], world["app"].test_client()
    phone = f"0812-7{next(_PHONES):04d}-888"
    with app.app_context():
        form = PERSON | {"full_name": name, "notes": notes, "phone": phone, "consent": "y"}
        signed_up = stranger.post_form(f"/e/{world['slug']}", form)
    if signed_up.status_code == 303:
        with app.app_context():
            answers = as_form(good_answers(world["survey"], text=answer))
            stranger.post_form(signed_up.headers["Location"] + "/feedback", answers)
    for url in export_urls(app, world["slug"]):
        response = send(app, world["clients"]["admin"], "GET", url)
        assert response.status_code == 200, url
        read_cells(url, response.data)
