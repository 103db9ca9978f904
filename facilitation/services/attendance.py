"""Attendance taken from joining: a participant whose own link connects while the meeting is live is
recorded as joined remotely, for the chair to confirm; the chair's and note-takers' own records
(`attendance.set`, in services.registers) always stand."""

from __future__ import annotations

from sqlalchemy import select

from .. import queries
from ..domain import access, registers
from ..extensions import db
from ..models import AccessLink, Participant, SocketSession
from .pipeline import Change, Outcome, apply

#: The event (and audit action) of attendance taken from a link connecting.
JOINED = "attendance.joined"


def mark_joined(change: Change, participant: Participant) -> bool:
    """Record `participant` as joined remotely (unconfirmed) if nothing is recorded yet; False if unchanged."""
    attendance = registers.attendance_on_joining(change.meeting.status, participant.attendance)
    if attendance is None or participant.removed_at is not None:
        return False
    before = queries.participant_view(participant)
    participant.attendance = attendance
    participant.attendance_confirmed = False
    participant.joined_at = participant.joined_at or change.now
    participant.version += 1
    change.put("participants", participant)
    change.audit(
        JOINED,
        "participant",
        participant.id,
        before,
        queries.participant_view(participant),
        actor=f"{participant.name} (joined by their link)",
    )
    return True


def link_connected(link: AccessLink, meeting_status: str, attendance: str | None) -> Outcome | None:
    """A link has connected: a participant's own link during a live meeting takes their attendance.

    Decided first from the meeting's status and the participant's attendance as read with the link
    (queries.joining_link), without a write lock, so the usual connection (staff, screen, a reconnect, a
    meeting not live) costs no write; checked again under the meeting's lock before anything is written.
    """
    if link.role not in access.INVITE_ROLES or link.participant_id is None:
        return None
    if attendance is None or registers.attendance_on_joining(meeting_status, attendance) is None:
        return None
    db.session.rollback()  # the write transaction starts afresh (begin_write) and reads again

    def decide(change: Change) -> bool:
        fresh = db.session.get(Participant, link.participant_id, populate_existing=True)
        return fresh is not None and mark_joined(change, fresh)

    return apply(link, JOINED, decide)


def mark_connected(change: Change) -> None:
    """When the meeting starts: everyone whose own link is connected at that moment has joined."""
    rows = db.session.scalars(
        select(Participant)
        .join(AccessLink, AccessLink.participant_id == Participant.id)
        .join(SocketSession, SocketSession.link_id == AccessLink.id)
        .where(
            SocketSession.meeting_id == change.meeting.id,
            AccessLink.role.in_(access.INVITE_ROLES),
            AccessLink.revoked_at.is_(None),
        )
        .distinct()
        .order_by(Participant.id)
    )
    for participant in rows:
        mark_joined(change, participant)
