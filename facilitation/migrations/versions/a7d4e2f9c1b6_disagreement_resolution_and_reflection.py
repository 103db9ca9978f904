"""disagreements: when each was resolved, and the reflective review after it

Revision ID: a7d4e2f9c1b6
Revises: 9b3c7e1d5a40
Create Date: 2026-12-05 02:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d4e2f9c1b6'
down_revision = '9b3c7e1d5a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('disagreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reflection_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reflection_worked', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reflection_differently', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reflected_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('disagreements', schema=None) as batch_op:
        for column in ('reflected_at', 'reflection_differently', 'reflection_worked', 'reflection_date', 'resolved_at'):
            batch_op.drop_column(column)
