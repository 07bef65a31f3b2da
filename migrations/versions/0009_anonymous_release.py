"""responses released to the chair: an anonymous survey's in batches

Revision ID: 0009_anonymous_release
Revises: 0008_staff_links
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_anonymous_release'
down_revision = '0008_staff_links'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('released', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(
            'ix_response_waiting', ['survey_id'], unique=False,
            sqlite_where=sa.text('released = 0'), postgresql_where=sa.text('NOT released'),
        )
    # What exists was already shown (named answers, and anonymous ones under the old rule):
    # hiding it now would hide nothing the chair has not seen.
    op.execute(sa.text('UPDATE response SET released = true'))


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('ix_response_waiting')
        batch_op.drop_column('released')
