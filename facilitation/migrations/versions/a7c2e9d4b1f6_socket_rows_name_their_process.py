"""each open socket's row names its server process and when that process last said it is alive

Revision ID: a7c2e9d4b1f6
Revises: f3b8d1c6a2e4
Create Date: 2026-12-06 01:15:00.000000

"""
import sqlalchemy as sa
from alembic import op

import facilitation.models

# revision identifiers, used by Alembic.
revision = 'a7c2e9d4b1f6'
down_revision = 'f3b8d1c6a2e4'
branch_labels = None
depends_on = None


def upgrade():
    # Rows of sockets are only about connections open now, and the servers are stopped to upgrade:
    # any row left is from a process that is gone (every client reconnects and is noted again).
    op.execute("DELETE FROM socket_sessions")
    with op.batch_alter_table('socket_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('process_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('seen_at', facilitation.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_socket_sessions_process_id'), ['process_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_socket_sessions_seen_at'), ['seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('socket_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_socket_sessions_seen_at'))
        batch_op.drop_index(batch_op.f('ix_socket_sessions_process_id'))
        batch_op.drop_column('seen_at')
        batch_op.drop_column('process_id')
