"""SQLite: the two expression indexes a batch rebuild of `meetings` and `actions` dropped

Migration 6acc0a7757e6 rebuilt both tables in Alembic's batch mode (SQLite cannot alter a column in
place); the copy has every column and plain index, but SQLAlchemy cannot reflect an index on an
expression, so `ix_meetings_child_ref_lower` (the action log's child filter, any case) and
`ix_actions_last_activity` (the log sorted by last activity) were left out of the copies. PostgreSQL
alters in place and kept them. Recreated here where missing.

Revision ID: 3d8f2a6c4b17
Revises: e3a8f61c2b75
Create Date: 2026-12-04 20:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3d8f2a6c4b17'
down_revision = 'e3a8f61c2b75'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_meetings_child_ref_lower": "CREATE INDEX IF NOT EXISTS ix_meetings_child_ref_lower ON meetings (lower(child_ref))",
    "ix_actions_last_activity": (
        "CREATE INDEX IF NOT EXISTS ix_actions_last_activity ON actions (coalesce(progress_at, created_at), id)"
    ),
}


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in INDEXES.values():
        op.execute(statement)


def downgrade():
    pass  # the indexes belong to the schema since their own migrations; nothing to undo
