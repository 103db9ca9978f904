"""Carrying actions forward: a later meeting for the same child reviews the actions still open from earlier ones."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from ... import queries
from ...domain import action_log as rules
from ...extensions import db
from ...models import Action, ActionUpdate, AgendaItem, Meeting
from .rows import LogRow, log_row
from .scope import same_owner


def previous_actions(meeting: Meeting, today: date, *, confidential: bool = True) -> list[LogRow]:
    """Every action still open from earlier meetings for the same child (and those already reviewed here).

    `confidential=False` leaves out actions marked confidential (see meeting_actions)."""
    home = aliased(Meeting)
    reviewed_here = select(ActionUpdate.action_id).where(ActionUpdate.reviewed_in_meeting_id == meeting.id)
    q = (
        select(Action)
        .join(home, home.id == Action.meeting_id)
        .where(
            home.child_ref == meeting.child_ref,
            same_owner(home, meeting),
            home.id != meeting.id,
            home.scheduled_start < meeting.scheduled_start,
            Action.deleted_at.is_(None),
            or_(Action.status.in_(rules.ACTIVE), Action.id.in_(reviewed_here)),
        )
        .order_by(home.scheduled_start, Action.due_date, Action.id)
    )
    if not confidential:
        q = q.where(Action.confidential.is_(False))
    return [log_row(a, today, history=True) for a in db.session.scalars(q)]


def review_item_id(meeting_id: int) -> int | None:
    """The meeting's "Review of previous actions" item, if its agenda has one."""
    for item in queries.load_items(meeting_id):
        if rules.is_review_item(item.title):
            return item.id
    return None


def open_with_review_of_previous_actions(session, meeting: Meeting) -> bool:
    """Give a newly prepared meeting a "Review of previous actions" item when its child has open actions.

    Only an agenda that has items and lacks such an item gets one, after its opening item; usual
    agendas that already have it are left alone. Returns True when an item was added.
    """
    items = sorted(meeting.items, key=lambda i: i.position)
    position = rules.review_item_position([i.title for i in items])
    if position is None or not items or not meeting.child_ref or meeting.scheduled_start is None:
        return False
    with session.no_autoflush:
        open_id = session.scalar(
            select(Action.id)
            .join(Meeting, Meeting.id == Action.meeting_id)
            .where(
                Meeting.child_ref == meeting.child_ref,
                same_owner(Meeting, meeting),
                Meeting.scheduled_start < meeting.scheduled_start,
                Action.status.in_(rules.ACTIVE),
                Action.deleted_at.is_(None),
            )
            .limit(1)
        )
    if open_id is None:
        return False
    for item in items:
        if item.position >= position:
            item.position += 1
    meeting.items.append(
        AgendaItem(
            position=position,
            title=rules.REVIEW_ITEM_TITLE,
            allocated_seconds=rules.REVIEW_ITEM_MINUTES * 60,
            extended_seconds=0,
            status="pending",
            deferred=False,
            elapsed_before=0.0,
            version=1,
        )
    )
    return True
