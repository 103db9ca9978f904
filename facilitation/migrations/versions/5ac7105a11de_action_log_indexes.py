"""action log: partial indexes over live actions, and the child filter's lower(child_ref)

Revision ID: 5ac7105a11de
Revises: cac17a3d2ee2
Create Date: 2026-11-26 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import facilitation.models


# revision identifiers, used by Alembic.
revision = '5ac7105a11de'
down_revision = 'cac17a3d2ee2'
branch_labels = None
depends_on = None


LIVE = sa.text('deleted_at IS NULL')


def upgrade():
    # Partial indexes over live actions (not deleted): the action log's counts per status, its pages
    # in due-date order, and its meeting, child and meeting-type filters, answered from the index
    # alone (id included for PostgreSQL, whose index-only scans need every column the query reads).
    op.create_index(
        'ix_actions_log_status_live', 'actions', ['status', 'due_date', 'follow_up_date'], unique=False,
        postgresql_where=LIVE, sqlite_where=LIVE,
    )
    op.create_index('ix_actions_log_due_live', 'actions', ['due_date', 'id'], unique=False, postgresql_where=LIVE, sqlite_where=LIVE)
    op.create_index(
        'ix_actions_log_meeting_live', 'actions',
        ['meeting_id', 'status', 'due_date', 'follow_up_date', 'owner_participant_id', 'owner_name', 'id'],
        unique=False, postgresql_where=LIVE, sqlite_where=LIVE,
    )
    # An expression index, which autogenerate cannot compare: the log's child filter, any case.
    op.create_index('ix_meetings_child_ref_lower', 'meetings', [sa.text('lower(child_ref)')], unique=False)


def downgrade():
    op.drop_index('ix_meetings_child_ref_lower', table_name='meetings')
    op.drop_index('ix_actions_log_meeting_live', table_name='actions')
    op.drop_index('ix_actions_log_due_live', table_name='actions')
    op.drop_index('ix_actions_log_status_live', table_name='actions')
