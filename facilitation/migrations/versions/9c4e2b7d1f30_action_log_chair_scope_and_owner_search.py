"""action log: a chair's agencies from an index; the owner search by trigram indexes on PostgreSQL

Revision ID: 9c4e2b7d1f30
Revises: 6acc0a7757e6
Create Date: 2026-11-27 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import facilitation.models


# revision identifiers, used by Alembic.
revision = '9c4e2b7d1f30'
down_revision = '6acc0a7757e6'
branch_labels = None
depends_on = None


def upgrade():
    # A chair's log covers the meetings of one account: the agencies to choose from and the agency
    # filter within those meetings, answered from this index alone. deleted_at is a column rather
    # than a partial index's condition: SQLite's planner then reads it as a covering index.
    op.create_index(
        'ix_actions_log_meeting_agency', 'actions', ['meeting_id', 'owner_agency', 'deleted_at'], unique=False,
    )
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite has no trigram index; its owner search reads the names (services.action_log)
    # The owner search matches a name *containing* the text typed (lower(name) LIKE '%...%'): only a
    # trigram index answers that. pg_trgm ships with PostgreSQL (contrib) and is a trusted extension
    # (PostgreSQL 13 and later): the database's owner may create it without being a superuser.
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index(
        'ix_participants_name_trgm', 'participants', [sa.text('lower(name) gin_trgm_ops')], unique=False,
        postgresql_using='gin',
    )
    op.create_index(
        'ix_actions_owner_name_trgm', 'actions', [sa.text('lower(owner_name) gin_trgm_ops')], unique=False,
        postgresql_using='gin',
    )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_actions_owner_name_trgm', table_name='actions')
        op.drop_index('ix_participants_name_trgm', table_name='participants')
        # The extension stays: other schemas or tools of the database may use it.
    op.drop_index('ix_actions_log_meeting_agency', table_name='actions')
