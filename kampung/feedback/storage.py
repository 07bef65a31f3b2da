"""How an anonymous survey's rows are written, so that nothing in the database ties an answer to
the person who gave it: one response at a time per survey, and on PostgreSQL the rows rewritten
in random-id order after each."""

from __future__ import annotations

from sqlalchemy import select, text

from kampung.extensions import db
from kampung.feedback.models import Survey


def lock(survey: Survey) -> None:
    """One anonymous response at a time per survey, so that the batch count and the reshuffle
    never meet another's rows half-way (SQLite's write lock does this already). Taken before any
    insert and as NO KEY UPDATE: the new rows' foreign keys take a key-share lock on the survey,
    which a FOR UPDATE taken afterwards by two responses at once would deadlock on."""
    db.session.execute(
        select(Survey.id).where(Survey.id == survey.id).with_for_update(key_share=True)
    )


def reshuffle(survey: Survey) -> None:
    """PostgreSQL keeps rows in insertion order (ctid) stamped with the inserting transaction
    (xmin): rewrite an anonymous survey's responses in random-id order, all in this transaction,
    so neither can be matched to who answered when. Who answered is rewritten too, in key order:
    the responses still waiting for their batch are the latest few, and an order of arrival
    of people would name them. SQLite stores all three by key already. The caller holds the
    survey's lock (`lock`), so that two never copy the same rows."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for sql in (
        "CREATE TEMP TABLE shuffled_responded ON COMMIT DROP AS "
        "SELECT * FROM responded WHERE survey_id = :s",
        "DELETE FROM responded WHERE survey_id = :s",
        "INSERT INTO responded SELECT * FROM shuffled_responded ORDER BY registration_id",
        "CREATE TEMP TABLE shuffled_response ON COMMIT DROP AS "
        "SELECT * FROM response WHERE survey_id = :s",
        "CREATE TEMP TABLE shuffled_answer ON COMMIT DROP AS SELECT * FROM answer "
        "WHERE response_id IN (SELECT id FROM shuffled_response)",
        "DELETE FROM answer WHERE response_id IN (SELECT id FROM shuffled_response)",
        "DELETE FROM response WHERE survey_id = :s",
        "INSERT INTO response SELECT * FROM shuffled_response ORDER BY id",
        "INSERT INTO answer SELECT * FROM shuffled_answer ORDER BY id",
    ):
        db.session.execute(text(sql), {"s": survey.id})
    db.session.expire_all()
