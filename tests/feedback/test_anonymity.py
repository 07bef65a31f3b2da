"""An anonymous survey: nothing in the database joins an answer to the person who gave it, also
when the answer came through a survey-only link staff sent."""

import itertools

import sqlalchemy as sa

from kampung.extensions import db
from kampung.feedback import service
from kampung.feedback.models import Answer, Response
from kampung.review import service as review
from kampung.staff_links import service as staff_links
from kampung.staff_links.models import Purpose, StaffLink, StaffLinkUse
from tests.feedback.helpers import as_form, good_answers, open_survey, participants

PEOPLE = 10


def orders(table: str, key: str) -> dict[str, list]:
    """Every order an attacker could read rows in: by key, as stored, and on PostgreSQL by
    physical place (ctid) and by inserting transaction (xmin)."""
    found = {
        "by key": f"SELECT {key} FROM {table} ORDER BY {key}",
        "as stored": f"SELECT {key} FROM {table}",
    }
    if db.engine.dialect.name == "postgresql":
        found["by ctid"] = f"SELECT {key} FROM {table} ORDER BY ctid"
        found["by xmin"] = f"SELECT {key} FROM {table} ORDER BY xmin::text::bigint, ctid"
    else:
        found["by rowid"] = f"SELECT {key} FROM {table} ORDER BY _rowid_"
    result = {}
    for name, sql in found.items():
        try:
            result[name] = list(db.session.scalars(sa.text(sql)))
        except sa.exc.OperationalError:  # no rowid at all: nothing to read an order from
            db.session.rollback()
    return result


def test_no_query_joins_an_anonymous_answer_to_its_person(trip):
    survey = open_survey(trip, anonymous=True)
    people = participants(trip, PEOPLE)
    for i, registration in enumerate(people):
        service.submit(survey, registration, good_answers(survey, text=f"jawaban-{i}"))
    truth = {}
    for response_id, text in db.session.execute(
        sa.select(Answer.response_id, Answer.value_text).where(Answer.value_text.is_not(None))
    ):
        truth[response_id] = people[int(text.split("-")[1])].id
    assert len(truth) == PEOPLE

    # By a column: nothing points to a registration, nothing holds a time.
    inspector = sa.inspect(db.engine)
    for table in ("response", "answer"):
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "registration":
                column = fk["constrained_columns"][0]
                values = db.session.scalars(sa.text(f"SELECT {column} FROM {table}")).all()
                assert set(values) == {None}, f"{table}.{column} names people"
        for column in inspector.get_columns(table):
            if isinstance(column["type"], sa.DateTime) or "_at" in column["name"]:
                values = db.session.scalars(sa.text(f"SELECT {column['name']} FROM {table}"))
                assert set(values) == {None}, f"{table}.{column['name']} keeps a time"
    responded = [r for (r,) in db.session.execute(sa.text("SELECT registration_id FROM responded"))]
    assert sorted(responded) == sorted(p.id for p in people)
    assert [c["name"] for c in inspector.get_columns("responded")] == [
        "survey_id",
        "registration_id",
    ]

    # By order: pair the n-th response with the n-th answered person, every way round.
    response_orders = orders("response", "id")
    responded_orders = orders("responded", "registration_id")
    for (rname, rorder), (pname, porder) in itertools.product(
        response_orders.items(), responded_orders.items()
    ):
        for candidate in (porder, porder[::-1]):
            hits = sum(truth[rid] == pid for rid, pid in zip(rorder, candidate, strict=True))
            assert hits < PEOPLE, f"responses {rname} match people {pname}"

    if db.engine.dialect.name == "postgresql":
        # Every response carries the same transaction stamp: the last reshuffle's.
        xmins = db.session.scalars(sa.text("SELECT DISTINCT xmin::text FROM response")).all()
        assert len(xmins) == 1
        xmins = db.session.scalars(sa.text("SELECT DISTINCT xmin::text FROM answer")).all()
        assert len(xmins) == 1


def test_response_rate_and_reminders_still_work_when_anonymous(app, trip):
    survey = open_survey(trip, anonymous=True)
    a, b = participants(trip, 2)
    service.submit(survey, a, good_answers(survey))
    assert review.response_rate(survey).answered == 1
    assert [r.id for r in review.not_answered(survey)] == [b.id]
    assert service.response_of(survey, a) is None
    assert db.session.scalar(sa.select(Response.registration_id)) is None


def test_marks_survive_the_reshuffle_of_later_answers(trip, chair):
    survey = open_survey(trip, anonymous=True)
    *first, later = participants(trip, 6)  # five make the first batch shown
    texts = ["Kebun gizi", "Bank sampah", "Ronda malam", "Posyandu", "Jumat bersih"]
    for registration, text in zip(first, texts, strict=True):
        service.submit(survey, registration, good_answers(survey, text=text))
    rows = review.comments(survey, review.CommentFilter(search="Kebun")).rows
    review.set_mark(survey, rows[0].answer_id, "practice", "bagus", chair)
    service.submit(survey, later, good_answers(survey, text="Taman baca"))
    assert [r.text for r in review.marked(survey)] == ["Kebun gizi"]


def test_answering_through_survey_links_keeps_an_anonymous_survey_anonymous(app, trip, chair):
    """Each person answers through the survey-only link of a reminder: the link records that it
    was opened, on which day, and nothing that leads to the response."""
    survey = open_survey(trip, anonymous=True)
    people = participants(trip, PEOPLE)
    tokens = [staff_links.issue(p, Purpose.survey, chair) for p in people]
    link_tables = ("staff_link", "staff_link_use")
    for i, token in enumerate(tokens):
        with app.app_context():
            browser = app.test_client()
            assert browser.get(f"/s/{token}").status_code == 200
            before = table_rows(link_tables)
            form = as_form(good_answers(survey, text=f"jawaban-{i}"))
            form["csrf_token"] = browser.csrf_token()
            assert browser.post(f"/s/{token}", data=form).status_code == 303
            # The answer leaves no trace on the link: nothing written beside the response.
            assert table_rows(link_tables) == before
    db.session.rollback()
    assert review.response_rate(survey).answered == PEOPLE
    assert db.session.scalars(sa.select(Response.registration_id)).all() == [None] * PEOPLE

    # The uses keep the day only, and point to nothing but their link.
    uses = db.session.scalars(sa.select(StaffLinkUse)).all()
    assert len(uses) == PEOPLE
    assert {use.used_at for use in uses} == {None}
    inspector = sa.inspect(db.engine)
    for table in link_tables:
        referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert referred <= {"registration", "user", "staff_link"}, f"{table} points to answers"

    # By order: the uses come in the order people answered; the responses must not.
    truth = {}
    for response_id, text in db.session.execute(
        sa.select(Answer.response_id, Answer.value_text).where(Answer.value_text.is_not(None))
    ):
        truth[response_id] = people[int(text.split("-")[1])].id
    answered_in_order = db.session.scalars(
        sa.select(StaffLink.registration_id)
        .join(StaffLinkUse, StaffLinkUse.link_id == StaffLink.id)
        .order_by(StaffLinkUse.id)
    ).all()
    for name, order in orders("response", "id").items():
        for candidate in (answered_in_order, answered_in_order[::-1]):
            hits = sum(truth[rid] == pid for rid, pid in zip(order, candidate, strict=True))
            assert hits < PEOPLE, f"responses {name} match the order the links were used"


def table_rows(tables: tuple[str, ...]) -> dict[str, list]:
    """The tables' rows as saved, read over a connection of their own."""
    with db.engine.connect() as conn:
        return {t: sorted(map(repr, conn.execute(sa.text(f"SELECT * FROM {t}")))) for t in tables}
