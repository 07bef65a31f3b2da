"""registration.search_name: the name as staff searches find it

Revision ID: 0005_search_name
Revises: 0004_signup_sources
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from kampung.text import search_key


# revision identifiers, used by Alembic.
revision = '0005_search_name'
down_revision = '0004_signup_sources'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.Text(), server_default='', nullable=False))

    # The people registered before: their names' keys, computed as the model computes them.
    registration = sa.table(
        'registration', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
        sa.column('search_name', sa.Text),
    )
    conn = op.get_bind()
    keys = [
        {'row': registration_id, 'key': search_key(full_name)}
        for registration_id, full_name in conn.execute(
            sa.select(registration.c.id, registration.c.full_name)
        )
    ]
    if keys:
        conn.execute(
            registration.update()
            .where(registration.c.id == sa.bindparam('row'))
            .values(search_name=sa.bindparam('key')),
            keys,
        )


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('search_name')
