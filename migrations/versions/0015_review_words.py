"""rating questions choose their words; the answers counted as they arrive, for the review

Revision ID: 0015_review_words
Revises: 0009_anonymous_release
Create Date: 2026-12-06 13:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_review_words"
down_revision = "0014_adoption"
branch_labels = None
depends_on = None

#: the default survey's rating questions that are not about satisfaction, and their words
DEFAULT_WORDS = {
    "Seberapa bermanfaat kunjungan ini untuk RT Anda?": "usefulness",
    "Bagaimana acara dan kegiatan selama di Bengkulu?": "quality",
    "Bagaimana transportasi (bus)?": "quality",
    "Bagaimana penginapan?": "quality",
    "Bagaimana konsumsi (makanan dan minuman)?": "quality",
}


def upgrade():
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "words", sa.String(length=16), server_default="satisfaction", nullable=False
            )
        )
    question = sa.table("question", sa.column("text", sa.Text), sa.column("words", sa.String))
    for text, words in DEFAULT_WORDS.items():
        op.execute(
            question.update()
            .where(question.c.text == text, sa.text("kind = 'rating'"))
            .values(words=words)
        )

    op.create_table(
        "answer_count",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_answer_count_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", "value", name=op.f("pk_answer_count")),
    )
    # The answers staff may already see (every released response), counted once; from here
    # on the app keeps the counts as answers arrive (kampung/review/tally.py).
    op.execute(
        sa.text(
            "INSERT INTO answer_count (question_id, value, number) "
            "SELECT a.question_id, a.value_int, count(*) FROM answer a "
            "JOIN response r ON r.id = a.response_id "
            "WHERE r.released AND a.value_int IS NOT NULL "
            "GROUP BY a.question_id, a.value_int"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO answer_count (question_id, value, number) "
            "SELECT a.question_id, -1, count(DISTINCT a.response_id) FROM answer a "
            "JOIN response r ON r.id = a.response_id "
            "WHERE r.released GROUP BY a.question_id"
        )
    )


def downgrade():
    op.drop_table("answer_count")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("words")
