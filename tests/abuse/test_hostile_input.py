"""Random and hostile input at every POST route of the app's own URL map: never a 500, never a
stack trace, and a refused request saves nothing. A POST route nobody classified fails."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kampung.manage.import_file import COLUMNS
from tests.abuse.conftest import send, snapshot
from tests.abuse.strategies import HOSTILE_TEXT, hostile_form
from tests.abuse.targets import PERSON, TARGETS
from tests.conftest import log_in
from tests.feedback.helpers import as_form, good_answers

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: what a hostile request may be answered with; anything else (a 500 above all) is a bug
EXPECTED = {200, 302, 303, 400, 401, 404, 409, 413, 422}


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
