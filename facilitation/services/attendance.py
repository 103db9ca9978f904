"""Attendance taken from joining: a participant whose own link connects while the meeting is live is
recorded as joined remotely, for the chair to confirm; the chair's and note-takers' own records
(`attendance.set`, in services.registers) always stand."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select

from .. import queries
from ..domain import access, registers
from ..extensions import db
from ..models import AccessLink, Participant, SocketSession
from . import group_commit
from .group_commit import Waiting
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
    (records.joining_link), without a write lock, so the usual connection (staff, screen, a reconnect, a
    meeting not live) costs no write; checked again under the meeting's lock before anything is written.

    Participants joining at about the same moment (a class as the meeting starts) are recorded together
    (services.group_commit): one transaction and one `attendance.joined` event per meeting for the group,
    an audit entry each. Returns the event's outcome to the first of the group's connections in that
    meeting, to broadcast; None to the others, and when nothing changed.
    """
    if link.role not in access.INVITE_ROLES or link.participant_id is None:
        return None
    if attendance is None or registers.attendance_on_joining(meeting_status, attendance) is None:
        return None
    db.session.rollback()  # the write transaction starts afresh (begin_write) and reads again
    return group_commit.for_app("joins", _take_attendance).run((link.meeting_id, link.id))


def _take_attendance(group: list[Waiting]) -> None:
    """The attendance of a group of joining links: per meeting, one transaction and one event."""
    by_meeting: dict[int, list[Waiting]] = {}
    for joining in group:
        by_meeting.setdefault(joining.value[0], []).append(joining)
    own = queries.scoped_organisation_id()  # the writing connection's; each meeting's is used for its joins
    try:
        for joins in by_meeting.values():
            try:
                ids = list(dict.fromkeys(joining.value[1] for joining in joins))  # a link twice: once
                found = {link.id: link for link in db.session.scalars(select(AccessLink).where(AccessLink.id.in_(ids)))}
                links = [found[i] for i in ids if i in found]
                if links:
                    joins[0].result = apply(links[0], JOINED, partial(_mark_links_joined, links))
            except Exception as exc:  # this meeting's joins learn why; other meetings' are written
                db.session.rollback()
                for joining in joins:
                    joining.error = exc
    finally:
        if own is not None:
            queries.use_organisation(own)


def _mark_links_joined(links: list[AccessLink], change: Change) -> bool:
    """Under the meeting's lock: each link's participant joined, audited as their link's (False if none changed)."""
    fresh = {
        p.id: p
        for p in db.session.scalars(
            select(Participant)
            .where(Participant.id.in_([link.participant_id for link in links]))
            .execution_options(populate_existing=True)
        )
    }
    changed = False
    for link in links:
        change.link = link  # each audit entry names the link that joined
        participant = fresh.get(link.participant_id)
        changed = (participant is not None and mark_joined(change, participant)) or changed
    return changed


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
