"""the organisation's settings row, made once here instead of on the first read

Revision ID: 7b1e5c3a9d42
Revises: 9c4e2b7d1f30
Create Date: 2026-12-02 10:00:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import facilitation.models

# revision identifiers, used by Alembic.
revision = '7b1e5c3a9d42'
down_revision = '9c4e2b7d1f30'
branch_labels = None
depends_on = None

# The values as they were when this migration was written (not imported: a migration stays as written).
DEFAULTS = {"id": 1, "name": "Common Ground", "retention_months": 84, "invite_link_days": 365}


def upgrade():
    organisation = sa.table(
        'organisation',
        sa.column('id', sa.Integer()),
        sa.column('name', sa.String()),
        sa.column('retention_months', sa.Integer()),
        sa.column('invite_link_days', sa.Integer()),
        sa.column('updated_at', facilitation.models.UTCDateTime(timezone=True)),
    )
    connection = op.get_bind()
    if connection.execute(sa.select(organisation.c.id).where(organisation.c.id == 1)).first() is None:
        op.execute(organisation.insert().values(**DEFAULTS, updated_at=datetime.now(UTC)))


def downgrade():
    # The row may have been edited by an administrator since; the older code reads it as it is.
    pass
