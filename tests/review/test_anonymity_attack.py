"""The chair as an attacker on the demo trip's survey switched to anonymous: twelve people
answer one by one, and after each answer the chair reloads every page that shows who has
answered or what was answered, marks every comment it can see, and tries to tell whose each
answer is by differencing the views. Nobody is narrowed to fewer than K people, also once the
survey is closed."""

from __future__ import annotations

import csv
import html
import io
import re

import openpyxl

from kampung.feedback import service
from kampung.review import anonymity
from kampung.signup.service import register
from tests.conftest import log_in, person
from tests.feedback.helpers import good_answers, open_survey

PEOPLE = 12
KECAMATAN = ("Telanaipura", "Pasar Jambi")


def comment_of(i: int) -> str:
    return f"Usulan warga nomor {i}"


def between(page: str, start: str, end: str = "</main>") -> str:
    """The part of a page from `start` to `end`, or "" when the page has no `start`."""
    return page.split(start, 1)[1].split(end, 1)[0] if start in page else ""


def answers_only(part: str) -> str:
    """A page's answers as they stand: without the batch notice (it counts who answered) and
    without the CSRF tokens that change with every request."""
    part = re.sub(r'<div class="notice[^"]*" id="release">.*?</div>', "", part, flags=re.S)
    return re.sub(r'name="csrf_token" value="[^"]*"', "", part)


def quotes(page: str) -> list[str]:
    return [html.unescape(q) for q in re.findall(r"<blockquote>(.*?)</blockquote>", page)]


#: a name on the "not answered yet" list (isolated from the text around it by <bdi>)
NOT_ANSWERED = r"<strong>(?:<bdi>)?Peserta Uji (\d+)(?:</bdi>)?</strong>"


class Chair:
    """What the chair sees on each reload: who has answered and every view of the answers."""

    def __init__(self, client, trip):
        self.client, self.trip = client, trip
        self.base = f"/manage/{trip.slug}"

    def get(self, path: str) -> str:
        response = self.client.get(f"{self.base}/{path}")
        assert response.status_code == 200, path
        return response.get_data(as_text=True)

    def mark_everything_visible(self) -> None:
        page = self.get("review/comments")
        for answer_id in re.findall(r'<article class="card comment" id="comment-(\w+)"', page):
            url = f"{self.base}/review/answers/{answer_id}/mark"
            assert self.client.post_form(url, {"kind": "practice"}).status_code == 303

    def reload(self) -> dict:
        self.mark_everything_visible()
        dashboard = self.get("review")
        missing = between(dashboard, 'aria-labelledby="missing-title"', "</section>")
        comments = self.get("review/comments")
        practices = self.get("review/practices")
        report = self.get("review/report")
        csv_text = self.get("feedback.csv").lstrip("\ufeff")
        xlsx = self.client.get(f"{self.base}/feedback.xlsx").data
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
        bus = self.trip.buses[0].id
        return {
            "answered": set(range(1, PEOPLE + 1))
            - {int(n) for n in re.findall(NOT_ANSWERED, missing)},
            # Views that list answers one by one: the attacker matches these to people.
            "items": {
                "comments": quotes(comments),
                "practices": quotes(practices),
                "report": quotes(report),
                "csv": [tuple(r) for r in list(csv.reader(io.StringIO(csv_text)))[1:]],
                "xlsx": [tuple(r) for r in list(sheet.iter_rows(values_only=True))[1:]],
            },
            # The comments by a person's kecamatan or bus: no such breakdown when anonymous.
            "filtered": [
                quotes(self.get("review/comments?kecamatan=Pasar+Jambi")),
                quotes(self.get(f"review/comments?bus={bus}")),
            ],
            # Everything else that shows answers: it may change only with the lists above.
            "pages": {
                "dashboard": answers_only(
                    between(dashboard, "Jawaban per pertanyaan</h2>", "missing-title")
                ),
                "comments": answers_only(between(comments, 'id="results"')),
                "practices": answers_only(between(practices, "</h1>")),
                "report": answers_only(between(report, "Jawaban per pertanyaan</h2>")),
            },
        }


def possible_authors(appeared: dict, answered: dict) -> dict:
    """For each answer, everyone who may have given it: they had answered by the reload where
    it first appeared, and every other answer seen can still go to somebody else."""
    allowed = {a: {p for p, t in answered.items() if t <= s} for a, s in appeared.items()}

    def all_placed(answers: list, taken: set) -> bool:
        owner: dict = {}

        def place(a, tried: set) -> bool:
            for p in allowed[a] - taken:
                if p in tried:
                    continue
                tried.add(p)
                if p not in owner or place(owner[p], tried):
                    owner[p] = a
                    return True
            return False

        return all(place(a, set()) for a in answers)

    return {
        a: {p for p in allowed[a] if all_placed([b for b in allowed if b != a], {p})}
        for a in allowed
    }


def watch_twelve_answers(client, trip, chair) -> tuple[list[dict], dict]:
    """Twelve participants answer one by one, the chair reloading everything after each; then
    the survey closes and the chair reloads once more. The reloads, and who wrote what."""
    survey = open_survey(trip, anonymous=True)
    people = [
        register(trip, person(i, kecamatan=KECAMATAN[i % 2])).registration
        for i in range(1, PEOPLE + 1)
    ]
    log_in(client, chair)
    watcher = Chair(client, trip)
    reloads = [watcher.reload()]
    for i, registration in enumerate(people, start=1):
        answers = good_answers(survey, rating=i % 5 + 1, nps=i % 11, text=comment_of(i))
        service.submit(survey, registration, answers)
        reloads.append(watcher.reload())
    service.set_open(survey, False)
    reloads.append(watcher.reload())
    return reloads, {comment_of(i): i for i in range(1, PEOPLE + 1)}


def comment_in(item: str | tuple) -> str:
    """The comment that tells an answer apart: a quote, or the comment cell of an export row."""
    return item if isinstance(item, str) else next(c for c in item if str(c).startswith("Usulan"))


def attack(reloads: list[dict]) -> dict[str, dict]:
    """Per view listing answers: each answer (by its comment) and whom it could be from."""
    answered: dict = {}
    for step, seen in enumerate(reloads):
        for p in seen["answered"]:
            answered.setdefault(p, step)
    found = {}
    for view in reloads[0]["items"]:
        appeared: dict = {}
        for step, seen in enumerate(reloads):
            for item in seen["items"][view]:
                appeared.setdefault(comment_in(item), step)
        found[view] = possible_authors(appeared, answered)
    return found


def test_reloading_every_view_between_answers_ties_no_answer_to_a_person(client, trip, chair):
    reloads, truth = watch_twelve_answers(client, trip, chair)
    assert [len(r["answered"]) for r in reloads] == [*range(PEOPLE + 1), PEOPLE]

    for view, authors in attack(reloads).items():
        # Two batches of five appeared; the last two answers never do, not even after closing.
        assert sorted(authors) == sorted(t for t, i in truth.items() if i <= 10), view
        for text, candidates in authors.items():
            assert truth[text] in candidates, (view, text)
            assert len(candidates) >= anonymity.K, (view, text, candidates)

    # Every other view of the answers changes only when the lists do: never with one person.
    shown_by_list: dict = {}
    for seen in reloads:
        key = frozenset(seen["items"]["csv"])
        assert shown_by_list.setdefault(key, seen["pages"]) == seen["pages"]
    for seen in reloads:
        assert seen["filtered"] == [seen["items"]["comments"]] * 2

    # Nothing orders a batch by arrival: neither the comments nor the export rows.
    last = reloads[-1]["items"]
    arrival = [comment_of(i) for i in range(1, 11)]
    for view in ("comments", "csv", "xlsx"):
        order = list(dict.fromkeys(map(comment_in, last[view])))
        assert order not in (arrival, arrival[::-1]), view


def test_without_batches_the_same_attack_ties_every_answer(client, trip, chair, monkeypatch):
    """The attacker above is able: with answers shown one at a time, it names every author."""
    monkeypatch.setattr(anonymity, "K", 1)
    reloads, truth = watch_twelve_answers(client, trip, chair)
    for view, authors in attack(reloads).items():
        assert authors == {text: {i} for text, i in truth.items()}, view
