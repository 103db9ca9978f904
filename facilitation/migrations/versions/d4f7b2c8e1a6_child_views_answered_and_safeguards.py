"""decisions say which of the child's views they answer; an IEP meeting's procedural safeguards offered
and the parent's consent

Revision ID: d4f7b2c8e1a6
Revises: c5e1a9d3b7f2
Create Date: 2026-12-05 04:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4f7b2c8e1a6'
down_revision = 'c5e1a9d3b7f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers_view_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('answers_recorded_views', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safeguards_offered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('safeguards_how', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('consent', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('consent_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('consent_on')
        batch_op.drop_column('consent')
        batch_op.drop_column('safeguards_how')
        batch_op.drop_column('safeguards_offered_on')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('answers_recorded_views')
        batch_op.drop_column('answers_view_ids')
