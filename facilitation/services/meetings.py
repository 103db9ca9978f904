"""Preparing a meeting and editing its details."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import queries, schemas
from ..domain import access, agenda
from ..domain import meetings as meeting_rules
from ..domain.errors import RuleViolation
from ..extensions import db
from ..models import AccessLink, AgendaItem, AuditEntry, Disagreement, Meeting, User, utcnow
from . import invitations
from .action_log import review
from .links import invite_expiry
from .pipeline import Change, as_utc, check_version, command, new_token


def create_meeting(raw_args: Any, owner: User | None = None, *, bind_chair: bool = True) -> tuple[Meeting, dict]:
    """Prepare a meeting (usual agenda for its type if asked); return it with its chair and screen links.

    The staff account that prepares it owns it; its chair link then works only for that account
    when signed in (`bind_chair`), so a forwarded chair link alone opens nothing. A system using
    the JSON API with an API token gets an unbound chair link: the token holder is the chair.
    """
    if owner is not None:
        queries.use_organisation(owner.organisation_id)  # a time without a zone is the owner's organisation's
    args = schemas.parse(schemas.CreateMeetingArgs, raw_args)
    start, end = as_utc(args.scheduled_start), as_utc(args.scheduled_end)
    title, meeting_type, child_ref = meeting_rules.clean_meeting_fields(
        args.title, args.meeting_type, args.child_ref, start, end
    )
    meeting = Meeting(
        title=title,
        meeting_type=meeting_type,
        child_ref=child_ref,
        scheduled_start=start,
        scheduled_end=end,
        owner_user_id=owner.id if owner is not None else None,
        # the preparing account's organisation (a system's token without an account: the current one)
        organisation_id=owner.organisation_id if owner is not None else queries.current_organisation_id(),
    )
    queries.use_meeting_organisation(meeting)
    db.session.add(meeting)
    if args.use_usual_agenda:
        for position, (item_title, minutes) in enumerate(meeting_rules.USUAL_AGENDAS[meeting_type], 1):
            meeting.items.append(
                AgendaItem(position=position, title=item_title, allocated_seconds=minutes * 60)
            )
    # The next meeting for a child opens with a review of the actions still open from earlier ones.
    review.open_with_review_of_previous_actions(db.session, meeting)
    db.session.flush()
    links = {
        access.CHAIR: AccessLink(
            meeting_id=meeting.id,
            role=access.CHAIR,
            token=new_token(),
            user_id=owner.id if owner is not None and bind_chair else None,
        ),
        access.SCREEN: AccessLink(meeting_id=meeting.id, role=access.SCREEN, token=new_token()),
    }
    db.session.add_all(links.values())
    db.session.add(
        AuditEntry(
            meeting_id=meeting.id,
            actor=f"{owner.name} <{owner.email}>" if owner is not None else "Meeting organiser",
            user_id=owner.id if owner is not None else None,
            action="meeting.create",
            entity="meeting",
            entity_id=meeting.id,
            after={"title": title, "meeting_type": meeting_type, "child_ref": child_ref},
            at=utcnow(),
        )
    )
    db.session.commit()
    return meeting, {role: queries.link_path(link) for role, link in links.items()}


@command("meeting.update", schemas.UpdateMeetingArgs, "Edit the meeting's title, type, child reference or times")
def update_meeting(change: Change, args: schemas.UpdateMeetingArgs) -> None:
    """Edit the meeting's details; stale versions get a conflict."""
    meeting = change.meeting
    before = queries.meeting_view(meeting, change.items, change.now)
    check_version(meeting, args.version, before)
    if meeting.status == agenda.ENDED:
        raise RuleViolation("The meeting has ended; its details can no longer change.")
    start = as_utc(args.scheduled_start) if args.scheduled_start else meeting.scheduled_start
    end = as_utc(args.scheduled_end) if args.scheduled_end else meeting.scheduled_end
    title, meeting_type, child_ref = meeting_rules.clean_meeting_fields(
        args.title if args.title is not None else meeting.title,
        args.meeting_type if args.meeting_type is not None else meeting.meeting_type,
        args.child_ref if args.child_ref is not None else meeting.child_ref,
        start,
        end,
    )
    if meeting_type != meeting.meeting_type:
        # A disagreement's routes and their clocks are the meeting type's jurisdiction's: everyone sees them change.
        change.put("disagreements", *queries.live_entries(Disagreement, meeting.id))
    meeting.title, meeting.meeting_type, meeting.child_ref = title, meeting_type, child_ref
    moved = (start, end) != (meeting.scheduled_start, meeting.scheduled_end)
    if end != meeting.scheduled_end:
        # Invite links run for the organisation's period after the meeting: move them with it.
        meeting.scheduled_end = end
        expiry = invite_expiry(meeting)
        for link in db.session.scalars(
            select(AccessLink).where(
                AccessLink.meeting_id == meeting.id,
                AccessLink.role.in_(access.INVITE_ROLES),
                AccessLink.revoked_at.is_(None),
            )
        ):
            link.expires_at = expiry
    meeting.scheduled_start, meeting.scheduled_end = start, end
    meeting.version += 1
    if moved:
        invitations.rescheduled(change)  # everyone invited gets an update of their calendar entry
    change.audit("meeting.update", "meeting", meeting.id, before, queries.meeting_view(meeting, change.items, change.now))
