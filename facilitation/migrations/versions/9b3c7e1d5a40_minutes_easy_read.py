"""minutes details: the chair's easy-read version of the family summary

Revision ID: 9b3c7e1d5a40
Revises: 8e5b1d7c3a20
Create Date: 2026-12-05 02:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9b3c7e1d5a40'
down_revision = '8e5b1d7c3a20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('minutes_details', schema=None) as batch_op:
        batch_op.add_column(sa.Column('easy_read', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('minutes_details', schema=None) as batch_op:
        batch_op.drop_column('easy_read')
