"""security events counted for administrators; the address of each open socket (caps per address)

Revision ID: e3a8f61c2b75
Revises: 7b1e5c3a9d42
Create Date: 2026-12-03 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import facilitation.models

# revision identifiers, used by Alembic.
revision = 'e3a8f61c2b75'
down_revision = '7b1e5c3a9d42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('minute', facilitation.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.String(length=80), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_events_minute'), ['minute'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_events_meeting_id'), ['meeting_id'], unique=False)

    with op.batch_alter_table('socket_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_socket_sessions_address'), ['address'], unique=False)


def downgrade():
    with op.batch_alter_table('socket_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_socket_sessions_address'))
        batch_op.drop_column('address')

    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_events_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_security_events_minute'))

    op.drop_table('security_events')
