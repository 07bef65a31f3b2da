"""the per-diem (uang harian) terms of a trip

Revision ID: 0010_per_diem
Revises: 0009_anonymous_release
Create Date: 2026-12-06 12:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
import kampung.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = "0010_per_diem"
down_revision = "0009_anonymous_release"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "per_diem",
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", kampung.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint("rate BETWEEN 0 AND 100000000", name=op.f("ck_per_diem_rate")),
        sa.CheckConstraint(
            "days IS NULL OR days BETWEEN 1 AND 60", name=op.f("ck_per_diem_days")
        ),
        sa.ForeignKeyConstraint(
            ["trip_id"], ["trip.id"], name=op.f("fk_per_diem_trip_id_trip"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_per_diem_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("trip_id", name=op.f("pk_per_diem")),
    )


def downgrade():
    op.drop_table("per_diem")
