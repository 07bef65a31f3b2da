"""rooms: a trip's hotel rooms, each person's room and whom they would share with

Revision ID: 0011_rooms
Revises: 0009_anonymous_release
Create Date: 2026-12-06 12:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import kampung.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = "0011_rooms"
down_revision = "0010_per_diem"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=1), server_default="", nullable=False),
        sa.Column("created_at", kampung.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_room_capacity")),
        sa.CheckConstraint("gender IN ('', 'L', 'P')", name=op.f("ck_room_gender")),
        sa.ForeignKeyConstraint(
            ["trip_id"], ["trip.id"], name=op.f("fk_room_trip_id_trip"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room")),
        sa.UniqueConstraint("trip_id", "name", name="uq_room_trip_name"),
    )
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_room_trip_id"), ["trip_id"], unique=False)

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("room_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("share_with", sa.String(length=120), server_default="", nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_registration_room_id"), ["room_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_registration_room_id_room"),
            "room",
            ["room_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_registration_room_id_room"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_registration_room_id"))
        batch_op.drop_column("share_with")
        batch_op.drop_column("room_id")

    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_room_trip_id"))

    op.drop_table("room")
