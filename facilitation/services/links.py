"""The meeting's links: their expiry, withdrawing and replacing them, and note-takers' links."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from .. import queries, schemas
from ..domain import access
from ..domain.errors import NotFound, RuleViolation
from ..extensions import db
from ..models import AccessLink, Meeting
from .accounts import organisation, user_by_email
from .pipeline import Change, command, new_token


def invite_expiry(meeting: Meeting) -> datetime:
    """When a new invite link for this meeting stops working: the organisation's period after its end."""
    return meeting.scheduled_end + timedelta(days=organisation().invite_link_days)


def _meeting_link(change: Change, link_id: int) -> AccessLink:
    link = db.session.get(AccessLink, link_id)
    if link is None or link.meeting_id != change.meeting.id or link.revoked_at is not None:
        raise NotFound("There is no such link in this meeting.", field="link_id")
    if link.id == change.link.id:
        raise RuleViolation("You cannot withdraw the link you are using.", field="link_id")
    return link


def link_view(link: AccessLink) -> dict:
    """A link as the chair sees it in the list of links (the path holds the secret token)."""
    return {
        "id": link.id,
        "role": link.role,
        "participant_id": link.participant_id,
        "user_id": link.user_id,
        "path": queries.link_path(link),
        "expires_at": queries.iso(link.expires_at),
    }


@command("links.revoke", schemas.LinkArgs, "Withdraw a link; its open connections are cut off at once")
def revoke_link(change: Change, args: schemas.LinkArgs) -> dict:
    """Withdraw a participant's, observer's, note-taker's or the shared screen's link."""
    link = _meeting_link(change, args.link_id)
    link.revoked_at = change.now
    change.audit("links.revoke", "link", link.id, {"role": link.role, "participant_id": link.participant_id}, None)
    return {"revoked_link_ids": [link.id]}


@command("links.reissue", schemas.LinkArgs, "Replace a link with a new one (the old one stops working at once)")
def reissue_link(change: Change, args: schemas.LinkArgs) -> dict:
    """A new link for the same person and role, e.g. when a link was forwarded or has expired."""
    old = _meeting_link(change, args.link_id)
    old.revoked_at = change.now
    new = AccessLink(
        meeting_id=change.meeting.id,
        role=old.role,
        participant_id=old.participant_id,
        user_id=old.user_id,
        token=new_token(),
        expires_at=invite_expiry(change.meeting) if old.role in access.INVITE_ROLES else None,
    )
    db.session.add(new)
    db.session.flush()
    change.audit("links.reissue", "link", new.id, {"link_id": old.id}, {"role": new.role, "participant_id": new.participant_id})
    return {"link": link_view(new), "revoked_link_ids": [old.id]}


def _serves_organisation(user, organisation_id: int) -> bool:
    """True for an account of the organisation, or one the organisation granted access to its meetings."""
    return user.organisation_id == organisation_id or organisation_id in queries.granted_organisations(user)


@command("links.add_note_taker", schemas.AddNoteTakerArgs, "Give a staff note-taker a link that works only when they are signed in")
def add_note_taker(change: Change, args: schemas.AddNoteTakerArgs) -> dict:
    """A note-taker records in the meeting from the chair console without its clock."""
    user = user_by_email(args.email)
    if user is None or not user.active or not _serves_organisation(user, change.meeting.organisation_id):
        # An account of another organisation (not granted to this one) is answered as one that does not exist.
        raise NotFound("There is no active staff account with that e-mail address.", field="email")
    existing = db.session.scalar(
        select(AccessLink).where(
            AccessLink.meeting_id == change.meeting.id,
            AccessLink.user_id == user.id,
            AccessLink.role == access.NOTE_TAKER,
            AccessLink.revoked_at.is_(None),
        )
    )
    if existing is not None:
        return {"link": link_view(existing), "name": user.name}
    link = AccessLink(meeting_id=change.meeting.id, role=access.NOTE_TAKER, user_id=user.id, token=new_token())
    db.session.add(link)
    db.session.flush()
    change.audit("links.add_note_taker", "link", link.id, None, {"role": access.NOTE_TAKER, "user_id": user.id})
    return {"link": link_view(link), "name": user.name}
