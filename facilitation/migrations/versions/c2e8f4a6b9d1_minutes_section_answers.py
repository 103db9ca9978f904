"""minutes: each participant's answer to each section of a circulated draft; a dissent's disagreement names its section

Revision ID: c2e8f4a6b9d1
Revises: a7d4e2f9c1b6
Create Date: 2026-12-05 02:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c2e8f4a6b9d1'
down_revision = 'a7d4e2f9c1b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'minutes_section_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('minutes_version_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('section', sa.String(length=40), nullable=False),
        sa.Column('answer', sa.String(length=10), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('disagreement_id', sa.Integer(), nullable=True),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['disagreement_id'], ['disagreements.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['minutes_version_id'], ['minutes_versions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('minutes_version_id', 'participant_id', 'section'),
    )
    with op.batch_alter_table('minutes_section_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_section_answers_minutes_version_id'), ['minutes_version_id'], unique=False)
    with op.batch_alter_table('disagreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes_section', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('disagreements', schema=None) as batch_op:
        batch_op.drop_column('minutes_section')
    with op.batch_alter_table('minutes_section_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_section_answers_minutes_version_id'))
    op.drop_table('minutes_section_answers')
