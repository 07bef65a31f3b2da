"""adoption: named practices, commitments (RTL), follow-up rounds and their answers

Revision ID: 0014_adoption
Revises: 0009_anonymous_release
Create Date: 2026-12-06 12:45:35.095989

"""
from alembic import op
import sqlalchemy as sa
import kampung.database  # noqa: F401  (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0014_adoption'
down_revision = "0013_rundown"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('followup_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trip_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('days_after', sa.Integer(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('opened_at', kampung.database.UTCDateTime(), nullable=True),
    sa.Column('closed_at', kampung.database.UTCDateTime(), nullable=True),
    sa.CheckConstraint('days_after BETWEEN 1 AND 730', name=op.f('ck_followup_round_days_after')),
    sa.ForeignKeyConstraint(['trip_id'], ['trip.id'], name=op.f('fk_followup_round_trip_id_trip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_round')),
    sa.UniqueConstraint('trip_id', 'number', name=op.f('uq_followup_round_trip_id'))
    )
    with op.batch_alter_table('followup_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_round_trip_id'), ['trip_id'], unique=False)

    op.create_table('practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trip_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', kampung.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['practice.id'], name=op.f('fk_practice_merged_into_id_practice'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trip_id'], ['trip.id'], name=op.f('fk_practice_trip_id_trip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice')),
    sa.UniqueConstraint('trip_id', 'name', name=op.f('uq_practice_trip_id'))
    )
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_trip_id'), ['trip_id'], unique=False)

    op.create_table('commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trip_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.Column('target_month', sa.Date(), nullable=False),
    sa.Column('carried_by', sa.String(length=120), nullable=False),
    sa.Column('kecamatan', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', kampung.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_commitment_practice_id_practice'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_commitment_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trip_id'], ['trip.id'], name=op.f('fk_commitment_trip_id_trip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment'))
    )
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ix_commitment_trip_practice', ['trip_id', 'practice_id'], unique=False)
        batch_op.create_index('ix_commitment_trip_kecamatan', ['trip_id', 'kecamatan'], unique=False)
        batch_op.create_index('ix_commitment_trip_registration', ['trip_id', 'registration_id'], unique=False)

    op.create_table('followup_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('obstacle', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('answered_at', kampung.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('not_started', 'started', 'running')", name=op.f('ck_followup_answer_status')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitment.id'], name=op.f('fk_followup_answer_commitment_id_commitment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['followup_round.id'], name=op.f('fk_followup_answer_round_id_followup_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_answer')),
    sa.UniqueConstraint('commitment_id', 'round_id', name=op.f('uq_followup_answer_commitment_id'))
    )
    with op.batch_alter_table('followup_answer', schema=None) as batch_op:
        batch_op.create_index('ix_followup_answer_round_status', ['round_id', 'status'], unique=False)

    op.create_table('practice_source',
    sa.Column('mark_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mark_id'], ['mark.id'], name=op.f('fk_practice_source_mark_id_mark'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_practice_source_practice_id_practice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mark_id', name=op.f('pk_practice_source'))
    )
    with op.batch_alter_table('practice_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_source_practice_id'), ['practice_id'], unique=False)

    # Trips made before this get the default rounds too: 30 and 90 days after their return.
    for number, days in ((1, 30), (2, 90)):
        op.execute(
            sa.text(
                "INSERT INTO followup_round (trip_id, number, days_after, is_open) "
                "SELECT id, :number, :days, false FROM trip"
            ).bindparams(number=number, days=days)
        )


def downgrade():
    with op.batch_alter_table('practice_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_source_practice_id'))

    op.drop_table('practice_source')
    with op.batch_alter_table('followup_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_answer_round_status')

    op.drop_table('followup_answer')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_trip_registration')
        batch_op.drop_index('ix_commitment_trip_kecamatan')
        batch_op.drop_index('ix_commitment_trip_practice')
        batch_op.drop_index(batch_op.f('ix_commitment_registration_id'))
        batch_op.drop_index(batch_op.f('ix_commitment_practice_id'))

    op.drop_table('commitment')
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_trip_id'))

    op.drop_table('practice')
    with op.batch_alter_table('followup_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_round_trip_id'))

    op.drop_table('followup_round')
