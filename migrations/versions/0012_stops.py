"""stops on the road: a checkpoint for one bus, bus coordinators, moves between buses

Revision ID: 0012_stops
Revises: 0009_anonymous_release
Create Date: 2026-12-06 12:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import kampung.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = "0012_stops"
down_revision = "0011_rooms"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkpoint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bus_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_checkpoint_bus_id_bus"), "bus", ["bus_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("bus", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coordinator_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_bus_coordinator_id_user"),
            "user",
            ["coordinator_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_bus_coordinator_id"), ["coordinator_id"], unique=False)

    op.create_table(
        "bus_move",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=True),
        sa.Column("from_bus_id", sa.Integer(), nullable=True),
        sa.Column("to_bus_id", sa.Integer(), nullable=True),
        sa.Column("moved_by_id", sa.Integer(), nullable=True),
        sa.Column("moved_at", kampung.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_bus_move_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoint.id"],
            name=op.f("fk_bus_move_checkpoint_id_checkpoint"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["from_bus_id"], ["bus.id"], name=op.f("fk_bus_move_from_bus_id_bus"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["to_bus_id"], ["bus.id"], name=op.f("fk_bus_move_to_bus_id_bus"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["moved_by_id"], ["user.id"], name=op.f("fk_bus_move_moved_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bus_move")),
    )
    with op.batch_alter_table("bus_move", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bus_move_registration_id"), ["registration_id"], unique=False
        )


    op.create_index(
        "ix_registration_trip_status_bus",
        "registration",
        ["trip_id", "status", "bus_id"],
        unique=False,
    )
    op.create_index(
        "ix_checkin_latest",
        "check_in",
        ["checkpoint_id", "received_at"],
        unique=False,
        sqlite_where=sa.text("undone_at IS NULL"),
        postgresql_where=sa.text("undone_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_checkin_latest", table_name="check_in")
    op.drop_index("ix_registration_trip_status_bus", table_name="registration")
    with op.batch_alter_table("bus_move", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bus_move_registration_id"))
    op.drop_table("bus_move")
    with op.batch_alter_table("bus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bus_coordinator_id"))
        batch_op.drop_constraint(batch_op.f("fk_bus_coordinator_id_user"), type_="foreignkey")
        batch_op.drop_column("coordinator_id")
    with op.batch_alter_table("checkpoint", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_checkpoint_bus_id_bus"), type_="foreignkey")
        batch_op.drop_column("bus_id")
