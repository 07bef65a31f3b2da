"""Text as people mean it: cleaned where it comes in, folded for search, readable on the way out."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from openpyxl import Workbook, load_workbook

from kampung.text import bdi, clean_text, readable, search_key
from tests.abuse.strategies import SPECIALS


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Siti   Rahmawati ", "Siti Rahmawati"),
        # Word's manual line break (VT), a tab, a pasted newline: spaces between the words.
        ("Budi\x0bSantoso", "Budi Santoso"),
        ("Budi\tSantoso\r\n", "Budi Santoso"),
        ("Budi\u00a0\u3000Santoso", "Budi Santoso"),
        # Controls that are no space at all are simply dropped.
        ("Bu\x01di\x1b[31m Santoso\x7f\x9b", "Budi[31m Santoso"),
        # Bidi overrides, embeddings, isolates and marks.
        ("\u202eLubis\u202c", "Lubis"),
        ("\u2067Lubis\u2069 \u200fRT\u200e\u061c", "Lubis RT"),
        # Zero-width, the byte order mark, the word joiner, the soft hyphen, other format marks.
        ("Lu\u200bb\u200ci\u200ds\u2060\ufeff", "Lubis"),
        ("Mu\u00adham\u00admad", "Muhammad"),
        ("A\u2061B\u180eC\U000e0041", "ABC"),
        # Noncharacters and halves of surrogate pairs: no reader can hold them.
        ("Ani\uffff\ufffe\ufdd0\U0010ffff\ud800", "Ani"),
        # NFC: a decomposed é is stored as one letter, also when an invisible sat inside it.
        ("Rene\u0301", "Ren\u00e9"),
        ("Rene\u200b\u0301", "Ren\u00e9"),
        # What people write and mean stays: letters of every script, emoji, punctuation.
        ("Ma'ruf Nu’man-Lubis", "Ma'ruf Nu’man-Lubis"),
        ("عبد الله", "عبد الله"),
        ("Ани Лубис", "Ани Лубис"),
        ("🙏🏽 Terima kasih", "🙏🏽 Terima kasih"),
        ("", ""),
    ],
)
def test_clean_text_single_line(typed, kept):
    assert clean_text(typed) == kept


def test_clean_text_multiline_keeps_lines_and_tabs():
    typed = "  Bank sampah\r\nTiap\tMinggu\rpagi\x0bdan sore\u2028\x01 \n\n"
    assert clean_text(typed, multiline=True) == "Bank sampah\nTiap\tMinggu\npagi\ndan sore"
    # Runs of spaces inside a paragraph are the writer's own, and kept.
    assert clean_text("a  b", multiline=True) == "a  b"


def test_clean_text_keeps_the_joiner_of_an_emoji_in_a_long_answer_only():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"Untuk {family}", multiline=True) == f"Untuk {family}"
    assert clean_text(f"Untuk {family}") == "Untuk \U0001f468\U0001f469\U0001f467"
    assert clean_text("Lu\u200dbis", multiline=True) == "Lubis"


def test_clean_text_leaves_what_is_not_text_alone():
    assert clean_text(None) == ""
    assert clean_text(5) == "5"


@settings(deadline=None)  # timings vary on a shared machine; the property is what counts
@given(st.text() | st.sampled_from(SPECIALS))
def test_clean_text_is_idempotent_and_writable_to_a_spreadsheet(value):
    for multiline in (False, True):
        once = clean_text(value, multiline=multiline)
        assert clean_text(once, multiline=multiline) == once
        assert readable(once) == once
    assert "\n" not in clean_text(value) and "\t" not in clean_text(value)


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Lubis", "lubis"),
        ("LUBIS", "Lubis"),
        ("Lu\u200bbis", "Lubis"),  # zero-width space inside (stored before this rule)
        ("\u202eLubis", "Lubis"),
        ("Lubіs", "Lubis"),  # Cyrillic і
        ("Lubis", "Lubіs"),  # ... in the query this time
        ("Sуahrul", "Syahrul"),  # Cyrillic у
        ("ЅАРОСЕ", "sapoce"),  # Cyrillic capitals
        ("ԁԛԝјхрсаео", "dqwjxpcaeo"),
        ("Ηοτακιρυχνε", "hotakipuxve"),  # Greek, small and capital
        ("ΑΒΕΖΙΚΜΝΟΡΤΥΧ", "abezikmnoptyx"),
        ("Ｌｕｂｉｓ", "Lubis"),  # fullwidth, via NFKC
        ("Lubis", "Ｌｕｂｉｓ"),
        ("ﬁtri", "fitri"),  # a ligature
        ("Désirée Çakır", "desiree cakir"),  # accents and the dotless ı
        ("İsmail", "ismail"),
        ("Rene\u0301", "rené"),
        ("Ma’ruf", "Ma'ruf"),  # typographic apostrophes
        ("Hj. Siti  Nur–Aini", "siti nur-aini"),  # dashes, runs of spaces
        ("Straße", "strasse"),
    ],
)
def test_search_key_finds_a_name_however_it_was_written(stored, query):
    assert search_key(query) in search_key(stored)


def test_search_key_keeps_different_names_apart():
    assert search_key("Lubis") != search_key("Lubos")
    assert search_key("Budi_Santoso") == "budi_santoso"
    assert search_key("  ") == search_key("\u200b") == ""


@settings(deadline=None)  # timings vary on a shared machine; the property is what counts
@given(st.text() | st.sampled_from(SPECIALS))
def test_search_key_is_idempotent(value):
    key = search_key(value)
    assert search_key(key) == key


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Budi\x0bSantoso", "Budi Santoso"),
        ("\x01\x1b[31m\x7f\x85x\x9b", "[31m x"),
        ("\u202eLubis\u202c \u2066RT\u2069", "Lubis RT"),
        ("Ani\uffff\ufffe\U0010ffff\ud800", "Ani"),
        # Left as written: spaces, tabs, newlines, zero-width, NFD, the formula (defused later).
        ("\t=1+1\r\n  a\u200bb", "\t=1+1\r\n  a\u200bb"),
        ("Rene\u0301", "Rene\u0301"),
    ],
)
def test_readable_removes_only_what_a_reader_cannot_hold_or_would_lie_with(stored, shown):
    assert readable(stored) == shown


@settings(deadline=None)  # timings vary on a shared machine; the property is what counts
@given(st.text() | st.sampled_from(SPECIALS))
def test_readable_text_always_opens_in_openpyxl(value):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    sheet.append([readable(value)])
    out = io.BytesIO()
    workbook.save(out)
    load_workbook(io.BytesIO(out.getvalue()))


def test_readable_keeps_markup_markup():
    html = Markup("<b>\u202eLubis</b>")
    assert readable(html) == Markup("<b>Lubis</b>")
    assert isinstance(readable(html), Markup)


def test_bdi_isolates_an_escaped_name():
    assert bdi("<i>\u202eAni") == Markup("<bdi>&lt;i&gt;\u202eAni</bdi>")
