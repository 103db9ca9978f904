"""staff accounts, organisation settings, admin log; link expiry and owners; confidential entries

Revision ID: 6acc0a7757e6
Revises: 5ac7105a11de
Create Date: 2026-11-25 18:00:00

"""
from alembic import op
import sqlalchemy as sa

import facilitation.models


# revision identifiers, used by Alembic.
revision = '6acc0a7757e6'
down_revision = '5ac7105a11de'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', facilitation.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('session_version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('last_login_at', facilitation.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('api_token_hash', sa.String(length=64), nullable=True),
    sa.Column('password_changed_at', facilitation.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', facilitation.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('api_token_hash'),
    sa.UniqueConstraint('email')
    )
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('retention_months', sa.Integer(), server_default='84', nullable=False),
    sa.Column('invite_link_days', sa.Integer(), server_default='30', nullable=False),
    sa.Column('updated_at', facilitation.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('admin_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', facilitation.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_meetings_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_foreign_key('fk_meetings_owner_user_id_users', 'users', ['owner_user_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('access_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', facilitation.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_access_links_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key('fk_access_links_user_id_users', 'users', ['user_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
    for table in ('decisions', 'actions', 'disagreements'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    for table in ('disagreements', 'actions', 'decisions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('confidential')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('user_id')
    with op.batch_alter_table('access_links', schema=None) as batch_op:
        batch_op.drop_constraint('fk_access_links_user_id_users', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_access_links_user_id'))
        batch_op.drop_column('user_id')
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint('fk_meetings_owner_user_id_users', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meetings_owner_user_id'))
        batch_op.drop_column('owner_user_id')
    op.drop_table('admin_log')
    op.drop_table('organisation')
    op.drop_table('users')
