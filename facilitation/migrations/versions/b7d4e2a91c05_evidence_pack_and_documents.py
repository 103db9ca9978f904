"""the evidence pack: requests for advice and the child's views, documents and their bytes, circulations,
and citations of documents on decisions, actions and positions

Revision ID: b7d4e2a91c05
Revises: b7c41e9d2a55
Create Date: 2026-12-05 02:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d4e2a91c05'
down_revision = 'b7c41e9d2a55'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evidence_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('what', sa.Text(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('how_gathered', sa.String(length=20), nullable=True),
        sa.Column('answered_on', sa.Date(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminder_status', sa.String(length=20), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_evidence_requests_meeting_id', 'evidence_requests', ['meeting_id'])
    op.create_index('ix_evidence_requests_participant_id', 'evidence_requests', ['participant_id'])
    op.create_table(
        'documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('blob_key', sa.String(length=64), nullable=False),
        sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['request_id'], ['evidence_requests.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_documents_meeting_id', 'documents', ['meeting_id'])
    op.create_index('ix_documents_request_id', 'documents', ['request_id'])
    op.create_table(
        'document_blobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_document_blobs_meeting_id', 'document_blobs', ['meeting_id'])
    op.create_table(
        'pack_circulations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('circulated_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('documents', sa.Integer(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_pack_circulations_meeting_id', 'pack_circulations', ['meeting_id'])
    for table in ('decisions', 'actions', 'positions'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('cited_document_ids', sa.JSON(), nullable=True))


def downgrade():
    for table in ('positions', 'actions', 'decisions'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('cited_document_ids')
    op.drop_table('pack_circulations')
    op.drop_table('document_blobs')
    op.drop_table('documents')
    op.drop_table('evidence_requests')
