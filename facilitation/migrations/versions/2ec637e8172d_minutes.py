"""minutes: details, versions (circulated and approved content), participants' answers

Revision ID: 2ec637e8172d
Revises: d67e4897a0c2
Create Date: 2026-11-25 15:32:49.969257

"""
from alembic import op
import sqlalchemy as sa

import facilitation.models


# revision identifiers, used by Alembic.
revision = '2ec637e8172d'
down_revision = 'd67e4897a0c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('minutes_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('child_views', sa.Text(), nullable=True),
    sa.Column('family_views', sa.Text(), nullable=True),
    sa.Column('next_review_date', sa.Date(), nullable=True),
    sa.Column('recommendation', sa.String(length=20), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', facilitation.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id')
    )
    op.create_table('minutes_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('circulated_content', sa.JSON(), nullable=True),
    sa.Column('circulated_at', facilitation.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('content', sa.JSON(), nullable=True),
    sa.Column('approved_at', facilitation.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=200), nullable=True),
    sa.Column('amendment_note', sa.Text(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', facilitation.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'number')
    )
    with op.batch_alter_table('minutes_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_versions_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('minutes_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_version_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(length=12), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('responded_at', facilitation.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['minutes_version_id'], ['minutes_versions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('minutes_version_id', 'participant_id')
    )
    with op.batch_alter_table('minutes_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_responses_minutes_version_id'), ['minutes_version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('minutes_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_responses_minutes_version_id'))

    op.drop_table('minutes_responses')
    with op.batch_alter_table('minutes_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_versions_meeting_id'))

    op.drop_table('minutes_versions')
    op.drop_table('minutes_details')
