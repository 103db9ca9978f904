"""disagreements: what each is about and its route's start dates; the escalation ladder's keys become routes

The linear ladder's keys are renamed to the routes of the meeting's jurisdiction (domain.routes): in
England "tribunal" is an appeal to the Tribunal and "complaint" a complaint to the school; in the US
(IEP meetings) "tribunal" is a due process complaint, "complaint" a state complaint and the
"disagreement_resolution" service (England's) becomes mediation. An English "independent_evaluation"
(a US right) becomes the informal follow-up meeting that checks the evidence.

Revision ID: 6a2d9e4f1b83
Revises: 4c1e2a9b7d55
Create Date: 2026-12-05 01:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6a2d9e4f1b83'
down_revision = '4c1e2a9b7d55'
branch_labels = None
depends_on = None

US_TYPES = "('iep_meeting')"
ENGLAND = {"tribunal": "appeal", "complaint": "complaint_school", "independent_evaluation": "follow_up_meeting"}
US = {"tribunal": "due_process", "complaint": "state_complaint", "disagreement_resolution": "mediation"}


def _rename(mapping: dict, us: bool, reverse: bool = False) -> None:
    where = f"meeting_id {'IN' if us else 'NOT IN'} (SELECT id FROM meetings WHERE meeting_type IN {US_TYPES})"
    for old, new in mapping.items():
        before, after = (new, old) if reverse else (old, new)
        op.execute(sa.text(f"UPDATE disagreements SET next_step = :after WHERE next_step = :before AND {where}").bindparams(before=before, after=after))


def upgrade():
    with op.batch_alter_table('disagreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('route_dates', sa.JSON(), nullable=True))
    _rename(ENGLAND, us=False)
    _rename(US, us=True)


def downgrade():
    # "follow_up_meeting" was a ladder key too: an English independent evaluation cannot be told apart.
    _rename({k: v for k, v in ENGLAND.items() if k != "independent_evaluation"}, us=False, reverse=True)
    _rename(US, us=True, reverse=True)
    op.execute("UPDATE disagreements SET next_step = 'complaint' WHERE next_step IN ('complaint_local_authority', 'complaint_health')")
    with op.batch_alter_table('disagreements', schema=None) as batch_op:
        batch_op.drop_column('route_dates')
        batch_op.drop_column('about')
