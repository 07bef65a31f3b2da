"""The visit report (laporan hasil kunjungan): what it holds, gathered from the read models of the
other areas (who boarded: the receipt list's departure check-ins; the rundown; the review's
summaries and comments; adoption's practices, commitments and rounds). Nothing is queried here
that those areas already read. No phone number reaches the report: free text passes no_phone()."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kampung.adoption import figures, practices
from kampung.adoption import service as adoption
from kampung.adoption.models import PROGRESS_LABELS, Progress
from kampung.feedback import service as feedback
from kampung.feedback.models import TEXT_KINDS, Kind, Survey
from kampung.i18n import WIB
from kampung.models import Trip
from kampung.paperwork import service
from kampung.paperwork.papers import common
from kampung.review import anonymity
from kampung.review import service as review
from kampung.schedule import service as schedule
from kampung.schedule.models import NoticeKind

#: quotes shown per theme and per practice
QUOTES = 3
#: a quote is cut at this many characters
QUOTE_LENGTH = 220
#: "+62 812-3456-7890", "0812 3456 7890", "62812…": a phone number as people type it
_PHONE = re.compile(r"(?:\+?62|0)[\s.-]?8(?:[\s.-]?\d){7,11}")

#: the themes of the comments: a comment falls under the first theme one of whose words it holds
THEMES: list[tuple[str, object, tuple[str, ...]]] = [
    (
        "transport",
        _l("Transport and bus"),
        ("bus", "transport", "kendaraan", "sopir", "supir", "jalan", "macet", "mobil", " ac "),
    ),
    (
        "food",
        _l("Food"),
        ("makan", "konsumsi", "snack", "nasi", "minum", "kuliner", "lauk"),
    ),
    (
        "lodging",
        _l("Lodging"),
        ("hotel", "penginapan", "menginap", "kamar", "wisma", "tidur", "kasur"),
    ),
    (
        "time",
        _l("Time and schedule"),
        ("waktu", "jadwal", "jam", "terlambat", "telat", "molor", "rundown", "durasi", "lama"),
    ),
]
OTHER = ("other", _l("Other"))
#: the words of a question that asks what to improve: its comments are grouped by theme
IMPROVE_WORDS = ("perbaik", "improve", "saran", "kurang")


def no_phone(text: str) -> str:
    """`text` with every phone number in it replaced."""
    return _PHONE.sub(_("[number removed]"), text or "")


def quote(text: str) -> str:
    text = " ".join(no_phone(text).split())
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1].rstrip() + "…"


def theme_of(text: str) -> str:
    padded = f" {text.casefold()} "
    for key, _label, words in THEMES:
        if any(word in padded for word in words):
            return key
    return OTHER[0]


# --- Sections ---------------------------------------------------------------------------------


@dataclass
class Theme:
    key: str
    label: str
    count: int = 0
    quotes: list[str] = field(default_factory=list)


@dataclass
class Question:
    """One question of the survey as the report shows it: the review's summary (its chart),
    the average in words for a rating, and the comments by theme for a text question."""

    summary: review.QuestionSummary
    said: str = ""
    themes: list[Theme] = field(default_factory=list)
    #: a few comments of a text question that is not about what to improve
    quotes: list[str] = field(default_factory=list)


@dataclass
class Practice:
    name: str
    committed: int
    quote: str
    #: (name, RT/RW, kelurahan) of those who committed; empty for an anonymous survey
    people: list[tuple[str, str, str]]
    more: int = 0


@dataclass
class RoundStatus:
    number: int
    answered: int
    expected: int
    #: per status (not_started, started, running) how many commitments
    by_status: dict[str, int]


@dataclass
class Commitments:
    total: int
    people: int
    rounds: list[RoundStatus]


def _all_comments(survey: Survey, question_id: int) -> list[str]:
    """Every shown comment of a question, page after page of the review's comment list."""
    texts: list[str] = []
    f = review.CommentFilter(question_id=question_id)
    while True:
        page = review.comments(survey, f)
        texts += [row.text for row in page.rows]
        if page.next_after is None:
            return texts
        f.after = review.parse_after(page.next_after)


def themes_of(texts: list[str]) -> list[Theme]:
    """The comments grouped by theme, the largest first, "other" last; empty themes left out."""
    groups = {key: Theme(key, str(label)) for key, label, _words in THEMES}
    groups[OTHER[0]] = Theme(OTHER[0], str(OTHER[1]))
    for text in texts:
        group = groups[theme_of(text)]
        group.count += 1
        said = quote(text)
        if len(group.quotes) < QUOTES and said not in group.quotes:
            group.quotes.append(said)
    found = [g for g in groups.values() if g.count]
    return sorted(found, key=lambda g: (g.key == OTHER[0], -g.count))


def said_of(summary: review.QuestionSummary) -> str:
    """A rating's average in its words ("4,2 of 5: satisfied"); a 0-10 question said plainly."""
    q = summary.question
    if not summary.answered:
        return _("No answers.")
    if q.kind == Kind.rating and summary.average is not None:
        word = q.rating_words()[min(4, max(0, round(summary.average) - 1))]
        return _("On average %(word)s.", word=word)
    if q.kind == Kind.nps:
        return _(
            "%(p)s of %(n)s would highly recommend it (9–10), %(u)s are unsure (7–8), "
            "%(d)s would not (0–6).",
            p=summary.promoters,
            n=summary.answered,
            u=summary.unsure,
            d=summary.detractors,
        )
    return ""


def asks_to_improve(question) -> bool:
    words = f"{question.text} {question.text_en or ''}".casefold()
    return any(word in words for word in IMPROVE_WORDS)


def questions(survey: Survey, locale: str) -> list[Question]:
    """Every question summarised; the comments on what to improve grouped by theme, a few
    quotes of the other text questions."""
    out = []
    for summary in review.summarise(survey, locale):
        item = Question(summary, said_of(summary))
        q = summary.question
        if q.kind in TEXT_KINDS and summary.answered:
            if asks_to_improve(q):
                item.themes = themes_of(_all_comments(survey, q.id))
            else:
                first = review.comments(survey, review.CommentFilter(question_id=q.id)).rows
                item.quotes = [quote(row.text) for row in first[:QUOTES]]
        out.append(item)
    return out


def who_went(trip: Trip) -> tuple[list[service.Receipt], list[tuple[str, int]]]:
    """Those checked in at departure (the receipt list's rule) and their count per kecamatan."""
    rows = service.receipts(trip).rows
    per = Counter(row.kecamatan for row in rows)
    return rows, sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))


def rundown(trip: Trip) -> tuple[list[schedule.Day], set[int]]:
    """The published rundown per day and the ids of items changed after publishing."""
    if schedule.publication(trip) is None:
        return [], set()
    changed = {
        n.item_id
        for n in schedule.changes_of(trip)
        if n.kind == NoticeKind.changed and n.item_id is not None
    }
    return schedule.by_day(trip, schedule.items_of(trip)), changed


def practices_of(trip: Trip, named: bool) -> list[Practice]:
    """The named practices with a quote from the comments they came from and who committed."""
    rounds = adoption.rounds_of(trip)
    sources = practices.sources_of(trip)
    _header, rows = figures.export_rows(trip)
    first = rounds[0].number if rounds else None
    people: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        name, rt, rw, kelurahan, _kec, practice, _month, number = row[:8]
        if number == first and name:
            people.setdefault(practice, []).append((name, f"{rt}/{rw}", kelurahan))
    out = []
    for f in figures.practice_figures(trip, rounds, None):
        if f.practice_id is None:
            continue
        quotes = sources.get(f.practice_id, [])
        who = people.get(f.name, []) if named else []
        out.append(
            Practice(
                name=f.name,
                committed=f.committed,
                quote=quote(quotes[0]) if quotes else "",
                people=who[:12],
                more=max(0, len(who) - 12),
            )
        )
    return out


def commitments_of(trip: Trip) -> Commitments:
    """How many commitments (RTL), by how many people, and per round that has run the status."""
    rounds = adoption.rounds_of(trip)
    run = [r for r in rounds if r.opened_at]
    per_practice = figures.practice_figures(trip, rounds, None)
    rates = {r.round.id: r for r in figures.round_rates(trip, run)}
    statuses = []
    for r in run:
        by_status: Counter = Counter()
        for f in per_practice:
            by_status.update(f.rounds[r.id].by_status)
        rate = rates[r.id]
        statuses.append(
            RoundStatus(r.number, rate.answered, rate.expected, {p: by_status[p] for p in Progress})
        )
    expected = figures.round_rates(trip, rounds[:1])
    return Commitments(
        total=sum(f.committed for f in per_practice),
        people=expected[0].expected if expected else 0,
        rounds=statuses,
    )


def titles() -> dict[str, str]:
    """The report's section titles, numbered, the same on the page and in the Word file."""
    sections = {
        "purpose": _("Purpose of the visit"),
        "when": _("Time and place"),
        "who": _("Who went"),
        "rundown": _("The rundown as it ran"),
        "said": _("What the participants said"),
        "practices": _("Practices to adopt"),
        "rtl": _("Follow-up commitments (RTL)"),
    }
    numbered = {key: f"{n}. {title}" for n, (key, title) in enumerate(sections.items(), 1)}
    return {**numbered, "appendix": _("Appendix: the participants")}


def report(trip: Trip, locale: str, printed_at: datetime) -> dict:
    """Everything the laporan shows, for the page, the archive and the Word file."""
    survey = feedback.survey_of(trip)
    release = anonymity.progress(survey) if survey else None
    shown = survey is not None and (release is None or release.shown > 0)
    went, per_kecamatan = who_went(trip)
    days, changed = rundown(trip)
    return {
        **common(),
        "trip": trip,
        "titles": titles(),
        "purpose": no_phone(trip.description.strip())
        or _(
            "A comparative study visit by the heads of RT of %(city)s to %(destination)s, to "
            "learn practices of neighbourhood life that can be adopted at home.",
            city=common()["city"],
            destination=trip.destination or "…",
        ),
        "printed_at": printed_at.astimezone(WIB),
        "went": went,
        "per_kecamatan": per_kecamatan,
        "days": days,
        "changed": changed,
        "survey": survey,
        "rate": review.response_rate(survey) if survey else None,
        "questions": questions(survey, locale) if shown and survey else [],
        "practices": practices_of(trip, named=bool(survey and not survey.anonymous)),
        "commitments": commitments_of(trip),
        "progress": list(Progress),
        "status_labels": PROGRESS_LABELS,
    }
