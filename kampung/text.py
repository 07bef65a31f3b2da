"""Text as people mean it: cleaned where it comes in, folded for search, readable on the way out.

Three rules, one per direction:
- `clean_text`: what a form, an import or the scanner receives, before it is checked or stored.
  Controls, invisible format characters and bidi controls go (they come from pasting out of
  Word, a chat or a spreadsheet, or from mischief); the text is NFC; a single-line value gets
  single spaces. Removing them changes no meaning a reader could see, so it is silent; a value
  that was only invisible characters is empty and meets the field's "required" message.
- `search_key`: what a name is found by: case, accents, fullwidth forms and the Latin
  look-alikes of Cyrillic and Greek letters folded away, so "Lubis" finds "Lubіs" (Cyrillic і).
- `readable`: a stored string (from before these rules, or from another path) as pages and
  spreadsheets receive it: without what XML 1.0 and openpyxl refuse and without the bidi
  controls that would turn the text after it around. Nothing else is changed.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from markupsafe import Markup

#: explicit bidi formatting: embeddings, overrides, pops (202A-202E), isolates (2066-2069)
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: controls that separate lines (VT is Word's manual line break, FF a page break, NEL an old
#: newline) and words (1C-1F, the information separators); Unicode's own LS and PS
_LINE_BREAKS = "\x0b\x0c\x85\u2028\u2029"
_SEPARATORS = "\x1c-\x1f"
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_SURROGATES = "\ud800-\udfff"
_EMOJI = "[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]"
_ZWJ = "\u200d"


def _invisible() -> str:
    """A regex class body of every control (Cc) and format character (Cf: bidi controls, zero
    widths, the soft hyphen, the word joiner, tags…) but tab, newline and the zero-width
    joiner, as ranges (a long class of single characters is slow to match). Format characters
    live in planes 0, 1 and 14 only, which keeps this scan short."""
    codes = [
        code
        for first, last in ((0, 0x1FFFF), (0xE0000, 0xE0FFF))
        for code in range(first, last + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf") and chr(code) not in "\t\n\u200d"
    ]
    # Consecutive code points share code - index: one group, one range.
    runs = itertools.groupby(enumerate(codes), key=lambda pair: pair[1] - pair[0])
    ranges = [[code for _i, code in run] for _key, run in runs]
    return "".join(f"{re.escape(chr(run[0]))}-{re.escape(chr(run[-1]))}" for run in ranges)


_INVISIBLE = _invisible() + _NONCHARACTERS + _SURROGATES
#: single-line: what counts as a space; then what is removed
_AS_SPACE = re.compile(f"[\t\n\r{_LINE_BREAKS}{_SEPARATORS}]")
_REMOVED = re.compile(f"[{_INVISIBLE}{_ZWJ}]")
#: multi-line: the line breaks, the separators, then what is removed; a zero-width joiner
#: between two emoji (a family, a profession) is part of the emoji and stays
_LINE_END = re.compile(f"\r\n?|[{_LINE_BREAKS}]")
_SEPARATOR = re.compile(f"[{_SEPARATORS}]")
_REMOVED_MULTILINE = re.compile(f"[{_INVISIBLE}]|(?<!{_EMOJI}){_ZWJ}|{_ZWJ}(?!{_EMOJI})")
#: the same for text of ASCII only (str.isascii() costs nothing): a short class, matched fast
_ASCII_REMOVED = re.compile("[\x00-\x1f\x7f]")
_ASCII_REMOVED_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
#: what `readable` takes out: C0 and C1 controls but tab, newline and carriage return, DEL,
#: bidi controls, noncharacters and halves of surrogate pairs
_UNREADABLE = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}{_NONCHARACTERS}{_SURROGATES}]"
)
_ASCII_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_READ_AS_SPACE = set("\x0b\x0c\x1c\x1d\x1e\x1f\x85")


def clean_text(value, multiline: bool = False) -> str:
    """A typed or imported value as it should be stored (see the module's docstring).

    Single-line: every run of whitespace, line breaks and tabs included, is one space.
    Multi-line: CR LF, CR and the other line breaks are "\\n" and tabs stay. Both: NFC, stripped.
    """
    if value is None:
        return ""
    text = str(value)
    if multiline:
        text = _SEPARATOR.sub(" ", _LINE_END.sub("\n", text))
        removed = _ASCII_REMOVED_MULTILINE if text.isascii() else _REMOVED_MULTILINE
    else:
        text = _AS_SPACE.sub(" ", text)
        removed = _ASCII_REMOVED if text.isascii() else _REMOVED
    text = removed.sub("", text)
    # NFC after the removal: an invisible character may have sat between a letter and its accent.
    text = unicodedata.normalize("NFC", text)
    if not multiline:
        text = _SPACES.sub(" ", text)
    return text.strip()


# --- Search --------------------------------------------------------------------------------

#: letters drawn like Latin ones, read as the Latin letter they pass for: a compact choice from
#: Unicode's confusables (UTS #39) of those a Latin name can hide behind. Capitals are listed
#: apart because some look unlike their small letter (Greek Η is H, η is n).
_CONFUSABLES = str.maketrans(
    # Cyrillic capitals and small letters
    "АВЕЅІЈКМНОРСТХУҮԀԚԜҺӀѴ"
    "авеѕіјкмнорстхуүԁԛԝһӏѵ"
    # Greek capitals and small letters
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"
    "αειικνορτυχηγω"
    # Latin letters with no decomposition to a base letter
    "ıȷøØđĐłŁħŧ"
    # apostrophes and dashes as people type them
    "’‘‛ʼ`´′‐‑‒–—―−",
    "ABESIJKMHOPCTXYYDQWHIV"
    "abesijkmhopctxyydqwhlv"
    "ABEZHIKMNOPTYX"
    "aeiikvoptuxnyw"
    "ijooddllht"
    "'''''''-------",
)


def search_key(value) -> str:
    """The form a name is searched by: `clean_text`, then compatibility forms (fullwidth,
    ligatures) unfolded, accents dropped, look-alike letters read as Latin, case folded, and
    single spaces. Stored beside the name (Registration.search_name) and applied to queries."""
    text = unicodedata.normalize("NFKD", clean_text(value))
    text = _without_marks(text).translate(_CONFUSABLES).casefold().translate(_CONFUSABLES)
    text = _without_marks(unicodedata.normalize("NFKD", text))
    return _SPACES.sub(" ", text).strip()


def _without_marks(text: str) -> str:
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# --- Output ---------------------------------------------------------------------------------


def readable(value: str) -> str:
    """A stored string as pages and spreadsheets should get it (see the module's docstring):
    controls that separate words become spaces, the other controls, the bidi controls,
    noncharacters and surrogate halves are removed. Markup stays Markup."""
    unreadable = _ASCII_UNREADABLE if value.isascii() else _UNREADABLE
    if not unreadable.search(value):
        return value
    text = unreadable.sub(lambda m: " " if m.group() in _READ_AS_SPACE else "", str(value))
    return Markup(text) if isinstance(value, Markup) else text


def template_output(value):
    """Jinja's finalize: every {{ … }} on every page passes `readable`, so a stored override
    cannot turn a page around, whichever template shows it."""
    return readable(value) if isinstance(value, str) else value


def bdi(value) -> Markup:
    """A name inside a sentence or a line, isolated (<bdi>): a right-to-left name keeps the
    words around it in their order."""
    return Markup("<bdi>%s</bdi>") % value
