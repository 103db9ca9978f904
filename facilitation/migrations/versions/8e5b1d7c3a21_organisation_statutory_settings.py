"""the organisation's statutory settings: time zone, local contacts, term and closure dates, US state profile

Revision ID: 8e5b1d7c3a21
Revises: 6a2d9e4f1b83
Create Date: 2026-12-05 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e5b1d7c3a21'
down_revision = '6a2d9e4f1b83'
branch_labels = None
depends_on = None


def upgrade():
    # Every column empty: the defaults (the TIMEZONE setting, no contacts, no terms or closures, federal rules).
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('contacts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('term_dates', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('closure_days', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('us_state', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('us_timeframes', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('us_timeframes')
        batch_op.drop_column('us_state')
        batch_op.drop_column('closure_days')
        batch_op.drop_column('term_dates')
        batch_op.drop_column('contacts')
        batch_op.drop_column('timezone')
