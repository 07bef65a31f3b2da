"""Random and hostile bodies at the scanner's API (/api/checkins): never a 500, never a stack
trace, and a refused request saves nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.abuse.conftest import send, snapshot
from tests.abuse.strategies import JSON, scans
from tests.abuse.test_hostile_input import EXAMPLES, check_answer


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
