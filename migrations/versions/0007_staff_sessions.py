"""staff sessions kept on the server; disabled accounts

Revision ID: 0007_staff_sessions
Revises: 0006_import_job
Create Date: 2026-12-02 09:12:00

"""
from alembic import op
import sqlalchemy as sa
import kampung.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0007_staff_sessions'
down_revision = '0006_import_job'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_at', kampung.database.UTCDateTime(), nullable=True))

    op.create_table('staff_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', kampung.database.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', kampung.database.UTCDateTime(), nullable=False),
    sa.Column('ended_at', kampung.database.UTCDateTime(), nullable=True),
    sa.Column('device', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_staff_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_session_token_hash'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_user_id'))

    op.drop_table('staff_session')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('disabled_at')
