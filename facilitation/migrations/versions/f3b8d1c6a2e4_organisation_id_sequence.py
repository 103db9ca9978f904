"""the organisation table's id sequence follows its rows (PostgreSQL)

The first organisation's row was written with an explicit id 1, which leaves PostgreSQL's serial
sequence at its start: the next organisation a deployment administrator adds would be given id 1
again and refused. Set the sequence past the highest id. SQLite numbers rows from the table itself.

Revision ID: f3b8d1c6a2e4
Revises: e9a1c4f7b3d2
Create Date: 2026-12-05 22:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3b8d1c6a2e4'
down_revision = 'e9a1c4f7b3d2'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('organisation', 'id'), COALESCE((SELECT MAX(id) FROM organisation), 1))"
        )


def downgrade():
    pass  # the sequence's position is no schema; nothing to undo
