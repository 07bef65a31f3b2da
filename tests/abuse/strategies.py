"""Hostile input for hypothesis: long, foreign, invisible, malformed and wrongly typed values."""

from __future__ import annotations

from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"

#: values that broke forms somewhere before: each tried on its own
SPECIALS = (
    "",
    " ",
    "\x00",
    "Budi\x00Santoso",
    "\r\n\t\x0b\x0c\x1b[31m\x7f\x85",
    "\u202eKetua RT\u202c",  # right-to-left override
    "مرحبا بكم في جامبي",  # Arabic, right to left
    "👩‍👩‍👧‍👦🇮🇩🙏🏽",  # emoji sequences
    "Z̴̡̛̛a̷̢̛l̸̨̛g̶̢̛o̵̢̧" + "\u0301" * 200,  # combining marks
    "\ufeff\u200b\u200d\u2060",  # zero-width and the byte order mark
    "\uffff\U0010ffff",
    XSS,
    '=HYPERLINK("http://x","klik")',
    "+62812",
    "-1",
    "0",
    "007",
    "1e309",
    "9" * 40,
    "-9223372036854775809",
    "NaN",
    "true",
    "null",
    "[]",
    '{"a": [1, {"b": null}]}',
    "2027-02-30T25:61",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "'; DROP TABLE registrations; --",
    "%00%0d%0a",
    "../../../etc/passwd",
    "studi-banding-bengkulu",
)


def _long(piece: str, n: int) -> str:
    return (piece * n)[:n]


HOSTILE_TEXT = st.one_of(
    st.sampled_from(SPECIALS),
    st.text(max_size=30),
    st.builds(
        _long,
        st.sampled_from(["a", "é", "😀", "\x00", "9", "<b>", "\u0301"]),
        st.sampled_from([121, 1001, 5001, 20_000]),
    ),
)

#: what a form field may become: kept, replaced, left out, or sent several times
MUTATIONS = ("keep", "keep", "hostile", "missing", "twice")


@st.composite
def hostile_form(draw, base: dict) -> MultiDict:
    """`base` (a valid submission) with some fields replaced, dropped or duplicated, and
    sometimes a field nobody asked for."""
    data = MultiDict()
    # Half the time one field alone is spoilt, so that the rest passes and the save is reached.
    alone = draw(st.sampled_from(sorted(base))) if base and draw(st.booleans()) else None
    for name, value in base.items():
        if alone is None:
            mutation = draw(st.sampled_from(MUTATIONS))
        else:
            mutation = "hostile" if name == alone else "keep"
        if mutation == "keep":
            data.add(name, value)
        elif mutation == "hostile":
            data.add(name, draw(HOSTILE_TEXT))
        elif mutation == "twice":
            data.add(name, value)
            data.add(name, draw(HOSTILE_TEXT))
    if draw(st.booleans()):
        data.add(
            draw(st.sampled_from(["x", "q-1", "q99999", "buses-25-name", "checkpoints-x-name"])),
            draw(HOSTILE_TEXT),
        )
    return data


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**63, -(2**63) - 1, 10**30, -1, 0]),
    st.floats(),
    HOSTILE_TEXT,
)
JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
)


def scans(code: str, checkpoint_id: int):
    """One scan as the scanner sends it, each part either right or hostile."""
    return st.fixed_dictionaries(
        {},
        optional={
            "code": st.one_of(st.just(code), HOSTILE_TEXT, JSON),
            "checkpoint": st.one_of(st.just(checkpoint_id), JSON),
            "nonce": st.one_of(st.text(min_size=8, max_size=64), HOSTILE_TEXT, JSON),
            "device": st.one_of(st.just("HP Rina"), HOSTILE_TEXT, JSON),
            "scanned_at": st.one_of(
                st.just("2026-11-27T06:00:00+07:00"),
                st.datetimes().map(lambda d: d.isoformat() + "Z"),
                st.integers(),
                HOSTILE_TEXT,
                JSON,
            ),
        },
    )
