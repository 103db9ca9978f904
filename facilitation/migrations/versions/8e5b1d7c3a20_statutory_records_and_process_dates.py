"""statutory records (a step done, an exception with its reason) and a meeting's process dates

Revision ID: 8e5b1d7c3a20
Revises: 8e5b1d7c3a21
Create Date: 2026-12-05 01:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e5b1d7c3a20'
down_revision = '8e5b1d7c3a21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'statutory_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.String(length=16), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('exception', sa.String(length=40), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('days', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('meeting_id', 'rule_id', name='uq_statutory_records_meeting_rule'),
    )
    op.create_table(
        'process_dates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=True),
        sa.Column('choice', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('meeting_id', 'name', name='uq_process_dates_meeting_name'),
    )


def downgrade():
    op.drop_table('process_dates')
    op.drop_table('statutory_records')
