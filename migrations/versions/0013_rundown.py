"""the trip's rundown, its publication, notices to read (changes, announcements) and read marks

Revision ID: 0013_rundown
Revises: 0009_anonymous_release
Create Date: 2026-12-06 13:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import kampung.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = "0013_rundown"
down_revision = "0012_stops"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rundown_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", kampung.database.UTCDateTime(), nullable=False),
        sa.Column("ends_at", kampung.database.UTCDateTime(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("cancelled_at", kampung.database.UTCDateTime(), nullable=True),
        sa.Column("created_at", kampung.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kampung.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at >= starts_at",
            name=op.f("ck_rundown_item_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["trip_id"],
            ["trip.id"],
            name=op.f("fk_rundown_item_trip_id_trip"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rundown_item")),
    )
    with op.batch_alter_table("rundown_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rundown_item_trip_id"), ["trip_id"], unique=False)

    op.create_table(
        "rundown",
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("published_at", kampung.database.UTCDateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["trip_id"], ["trip.id"], name=op.f("fk_rundown_trip_id_trip"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user.id"],
            name=op.f("fk_rundown_published_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("trip_id", name=op.f("pk_rundown")),
    )

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("old_starts_at", kampung.database.UTCDateTime(), nullable=True),
        sa.Column("old_ends_at", kampung.database.UTCDateTime(), nullable=True),
        sa.Column("old_place", sa.String(length=200), nullable=False),
        sa.Column("new_starts_at", kampung.database.UTCDateTime(), nullable=True),
        sa.Column("new_ends_at", kampung.database.UTCDateTime(), nullable=True),
        sa.Column("new_place", sa.String(length=200), nullable=False),
        sa.Column("created_at", kampung.database.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('changed', 'added', 'cancelled', 'announcement')",
            name=op.f("ck_notice_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["trip_id"], ["trip.id"], name=op.f("fk_notice_trip_id_trip"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["rundown_item.id"],
            name=op.f("fk_notice_item_id_rundown_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_notice_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_trip_id"), ["trip_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_item_id"), ["item_id"], unique=False)

    op.create_table(
        "notice_read",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("read_at", kampung.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notice.id"],
            name=op.f("fk_notice_read_notice_id_notice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_notice_read_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("notice_id", "registration_id", name=op.f("pk_notice_read")),
    )
    with op.batch_alter_table("notice_read", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_read_registration_id"), ["registration_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("notice_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_read_registration_id"))
    op.drop_table("notice_read")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_item_id"))
        batch_op.drop_index(batch_op.f("ix_notice_trip_id"))
    op.drop_table("notice")
    op.drop_table("rundown")
    with op.batch_alter_table("rundown_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rundown_item_trip_id"))
    op.drop_table("rundown_item")
