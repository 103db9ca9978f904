"""agenda items' visits and time scale, the `left` status; participants' joining, language, interpreter

Items left through Go to or Previous used to go back to `pending`: those already started (they have
a `started_at`) become `left`, opened once at least.

Revision ID: 4c1e2a9b7d55
Revises: 5d2f3b0c8e66
Create Date: 2026-12-04 22:05:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4c1e2a9b7d55'
down_revision = '5d2f3b0c8e66'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_scale', sa.Integer(), nullable=False, server_default='100'))
        batch_op.add_column(sa.Column('visits', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attendance_confirmed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('language', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('needs_interpreter', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE agenda_items SET visits = 1 WHERE started_at IS NOT NULL")
    op.execute("UPDATE agenda_items SET status = 'left' WHERE status = 'pending' AND started_at IS NOT NULL")
    # attendance recorded before this change was recorded by the chair or a note-taker
    op.execute("UPDATE participants SET attendance_confirmed = true WHERE attendance <> 'expected'")


def downgrade():
    op.execute("UPDATE agenda_items SET status = 'pending' WHERE status = 'left'")
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('needs_interpreter')
        batch_op.drop_column('language')
        batch_op.drop_column('attendance_confirmed')
        batch_op.drop_column('joined_at')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_column('visits')
        batch_op.drop_column('time_scale')
