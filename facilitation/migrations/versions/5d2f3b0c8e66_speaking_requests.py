"""speaking requests: raised hands, written questions and comments, break requests

Revision ID: 5d2f3b0c8e66
Revises: 3d8f2a6c4b17
Create Date: 2026-12-04 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import facilitation.models

# revision identifiers, used by Alembic.
revision = '5d2f3b0c8e66'
down_revision = '3d8f2a6c4b17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('speaking_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', facilitation.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', facilitation.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('speaking_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_speaking_requests_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_speaking_requests_participant_status', ['participant_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('speaking_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_speaking_requests_participant_status')
        batch_op.drop_index(batch_op.f('ix_speaking_requests_meeting_id'))

    op.drop_table('speaking_requests')
