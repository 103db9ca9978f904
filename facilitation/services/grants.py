"""What an organisation's grant gives an account of another organisation (a local-authority officer):
its meetings in the account's list and action log, and a staff link to each, made the first time the
account opens the meeting (audited), in the role the grant gives. Removing the grant withdraws those
links; the caller then cuts their open sockets (realtime.broadcast.cut_off_links).
"""

from __future__ import annotations

from sqlalchemy import select

from .. import queries
from ..domain import access
from ..domain.errors import NotFound
from ..extensions import db
from ..models import AccessLink, AuditEntry, Meeting, OrganisationGrant, User, utcnow
from .accounts import log_admin
from .pipeline import begin_write, new_token

#: the meeting roles a grant may give (no chair: the organisation's own staff chair its meetings)
GRANT_ROLES = (access.PARTICIPANT, access.OBSERVER, access.NOTE_TAKER)


def _actor(user: User) -> str:
    return f"{user.name} <{user.email}>"


def open_granted_meeting(user: User, meeting_id: int) -> AccessLink:
    """The account's staff link to a meeting of an organisation that granted it access, made on first
    open with the grant's role; NotFound (as for no meeting at all) for any other meeting."""
    grants = queries.granted_organisations(user)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.organisation_id not in grants or grants[meeting.organisation_id] not in GRANT_ROLES:
        raise NotFound("No such meeting.")
    role = grants[meeting.organisation_id]
    mine = select(AccessLink).where(
        AccessLink.meeting_id == meeting.id,
        AccessLink.user_id == user.id,
        AccessLink.role == role,
        AccessLink.revoked_at.is_(None),
    )
    existing = db.session.scalar(mine)
    if existing is not None:
        return existing
    db.session.rollback()
    begin_write()
    try:
        existing = db.session.scalar(mine)  # opened meanwhile in another tab
        if existing is not None:
            db.session.rollback()
            return existing
        link = AccessLink(meeting_id=meeting.id, role=role, user_id=user.id, token=new_token())
        db.session.add(link)
        db.session.flush()
        db.session.add(
            AuditEntry(
                meeting_id=meeting.id,
                user_id=user.id,
                actor=_actor(user),
                action="links.open_granted",
                entity="link",
                entity_id=link.id,
                after={"role": role, "user_id": user.id, "organisation_id": user.organisation_id},
                note="A staff link for an account another organisation granted access to this one's meetings",
                at=utcnow(),
            )
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return link


def remove_grant(grant: OrganisationGrant, *, by: User | str) -> list[int]:
    """Withdraw a grant and every link it gave (audited in each meeting, noted in the organisation's
    admin log); returns the withdrawn link ids, whose open sockets the caller cuts off."""
    now = utcnow()
    links = list(
        db.session.scalars(
            select(AccessLink)
            .join(Meeting, Meeting.id == AccessLink.meeting_id)
            .where(
                AccessLink.user_id == grant.user_id,
                AccessLink.revoked_at.is_(None),
                Meeting.organisation_id == grant.organisation_id,
            )
        )
    )
    actor = by if isinstance(by, str) else _actor(by)
    for link in links:
        link.revoked_at = now
        db.session.add(
            AuditEntry(
                meeting_id=link.meeting_id,
                user_id=None if isinstance(by, str) else by.id,
                actor=actor,
                action="links.revoke",
                entity="link",
                entity_id=link.id,
                before={"role": link.role, "user_id": link.user_id},
                note="The organisation's grant to this account was removed",
                at=now,
            )
        )
    queries.use_organisation(grant.organisation_id)
    log_admin(
        "grant.remove",
        by,
        {"user_id": grant.user_id, "role": grant.role, "revoked_link_ids": [link.id for link in links]},
    )
    db.session.delete(grant)
    db.session.commit()
    return [link.id for link in links]
