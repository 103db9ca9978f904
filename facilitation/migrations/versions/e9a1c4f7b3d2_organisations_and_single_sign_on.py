"""many organisations in one deployment (each meeting, account and log entry belongs to one; grants give
another organisation's accounts access) and single sign-on with an organisation's OpenID provider

The existing data becomes the first organisation (id 1, slug "main").

Revision ID: e9a1c4f7b3d2
Revises: d4f7b2c8e1a6
Create Date: 2026-12-05 21:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e9a1c4f7b3d2'
down_revision = 'd4f7b2c8e1a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slug', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('oidc_issuer', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('oidc_client_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('oidc_client_secret', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('oidc_domains', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('sso_default_role', sa.String(length=20), server_default='note_taker', nullable=False))
        batch_op.add_column(sa.Column('sso_required', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE organisation SET slug = CASE WHEN id = 1 THEN 'main' ELSE 'organisation-' || id END")
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.alter_column('slug', existing_type=sa.String(length=60), nullable=False)
        batch_op.create_unique_constraint('uq_organisation_slug', ['slug'])

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_index(batch_op.f('ix_meetings_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key('fk_meetings_organisation_id_organisation', 'organisation', ['organisation_id'], ['id'])
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's batch rebuild of `meetings` copies no index on an expression (see 3d8f2a6c4b17).
        op.execute("CREATE INDEX IF NOT EXISTS ix_meetings_child_ref_lower ON meetings (lower(child_ref))")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('oidc_issuer', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('deployment_admin', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key('fk_users_organisation_id_organisation', 'organisation', ['organisation_id'], ['id'])
        batch_op.create_unique_constraint('uq_users_oidc_identity', ['oidc_issuer', 'oidc_subject'])

    with op.batch_alter_table('admin_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_admin_log_organisation_id'), ['organisation_id'], unique=False)
    op.execute("UPDATE admin_log SET organisation_id = 1")
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_security_events_organisation_id'), ['organisation_id'], unique=False)
    op.execute("UPDATE security_events SET organisation_id = 1")

    op.create_table(
        'organisation_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('granted_by_user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['granted_by_user_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'user_id', name='uq_organisation_grants_user'),
    )
    with op.batch_alter_table('organisation_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_grants_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_grants_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('organisation_grants')
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_events_organisation_id'))
        batch_op.drop_column('organisation_id')
    with op.batch_alter_table('admin_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_log_organisation_id'))
        batch_op.drop_column('organisation_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_oidc_identity', type_='unique')
        batch_op.drop_constraint('fk_users_organisation_id_organisation', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))
        batch_op.drop_column('deployment_admin')
        batch_op.drop_column('oidc_subject')
        batch_op.drop_column('oidc_issuer')
        batch_op.drop_column('organisation_id')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint('fk_meetings_organisation_id_organisation', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meetings_organisation_id'))
        batch_op.drop_column('organisation_id')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint('uq_organisation_slug', type_='unique')
        batch_op.drop_column('created_at')
        batch_op.drop_column('sso_required')
        batch_op.drop_column('sso_default_role')
        batch_op.drop_column('oidc_domains')
        batch_op.drop_column('oidc_client_secret')
        batch_op.drop_column('oidc_client_id')
        batch_op.drop_column('oidc_issuer')
        batch_op.drop_column('slug')
