"""links staff send to participants, and the trip's contact person

Revision ID: 0008_staff_links
Revises: 0007_staff_sessions
Create Date: 2026-12-01 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import kampung.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = "0008_staff_links"
down_revision = "0007_staff_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("trip", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contact_name", sa.String(length=120), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("contact_phone", sa.String(length=20), server_default="", nullable=False)
        )

    op.create_table(
        "staff_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", kampung.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('access', 'survey', 'followup', 'schedule')",
            name=op.f("ck_staff_link_purpose"),
        ),
        sa.CheckConstraint(
            "(purpose = 'access') = (token_hash IS NULL)",
            name=op.f("ck_staff_link_token_for_purpose_links"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_staff_link_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["user.id"],
            name=op.f("fk_staff_link_sent_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_link_token_hash")),
    )
    with op.batch_alter_table("staff_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_link_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "staff_link_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=False),
        sa.Column("used_at", kampung.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["staff_link.id"],
            name=op.f("fk_staff_link_use_link_id_staff_link"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_link_use")),
    )
    with op.batch_alter_table("staff_link_use", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_link_use_link_id"), ["link_id"], unique=False)


def downgrade():
    with op.batch_alter_table("staff_link_use", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_link_use_link_id"))

    op.drop_table("staff_link_use")
    with op.batch_alter_table("staff_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_link_registration_id"))

    op.drop_table("staff_link")
    with op.batch_alter_table("trip", schema=None) as batch_op:
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_name")
