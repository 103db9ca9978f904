"""plan outcomes with progress, sections to amend, year group and preparation for adulthood; decisions'
prior written notice fields; statutory reports sent

Revision ID: c5e1a9d3b7f2
Revises: b7d4e2a91c05
Create Date: 2026-12-05 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e1a9d3b7f2'
down_revision = 'b7d4e2a91c05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('year_group', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('adulthood_areas', sa.JSON(), nullable=True))
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('other_factors', sa.Text(), nullable=True))
    op.create_table(
        'plan_outcomes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('area', sa.String(length=30), nullable=True),
        sa.Column('progress', sa.Text(), nullable=True),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('still_appropriate', sa.String(length=10), nullable=True),
        sa.Column('proposed_change', sa.Text(), nullable=True),
        sa.Column('carried_from_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['carried_from_id'], ['plan_outcomes.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_plan_outcomes_meeting_id', 'plan_outcomes', ['meeting_id'])
    op.create_table(
        'plan_amendments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('section', sa.String(length=4), nullable=False),
        sa.Column('wording', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_plan_amendments_meeting_id', 'plan_amendments', ['meeting_id'])
    op.create_table(
        'report_sendings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('report', sa.String(length=10), nullable=False),
        sa.Column('recipient', sa.String(length=200), nullable=False),
        sa.Column('recipient_kind', sa.String(length=20), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('minutes_number', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_report_sendings_meeting_id', 'report_sendings', ['meeting_id'])


def downgrade():
    op.drop_index('ix_report_sendings_meeting_id', table_name='report_sendings')
    op.drop_table('report_sendings')
    op.drop_index('ix_plan_amendments_meeting_id', table_name='plan_amendments')
    op.drop_table('plan_amendments')
    op.drop_index('ix_plan_outcomes_meeting_id', table_name='plan_outcomes')
    op.drop_table('plan_outcomes')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('other_factors')
        batch_op.drop_column('notice')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('adulthood_areas')
        batch_op.drop_column('year_group')
