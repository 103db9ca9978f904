"""What an organisation's grant gives an account of another organisation (a local-authority officer):
its meetings in the account's list and action log, and a staff link to each, made the first time the
account opens the meeting (audited), in the role the grant gives. Removing the grant withdraws those
links; the caller then cuts their open sockets (realtime.broadcast.cut_off_links).
"""

from __future__ import annotations

from sqlalchemy import select

from .. import queries, schemas
from ..domain import access, agenda
from ..domain import accounts as account_rules
from ..domain import meetings as meeting_rules
from ..domain.errors import InvalidValue, NotFound
from ..extensions import db
from ..models import AccessLink, AuditEntry, Meeting, Organisation, OrganisationGrant, Participant, User, utcnow
from .accounts import log_admin, user_by_email
from .pipeline import Change, Outcome, apply, new_token
from .writes import write

#: the meeting roles a grant may give (no chair: the organisation's own staff chair its meetings)
GRANT_ROLES = tuple(account_rules.GRANT_ROLES)


def _actor(user: User) -> str:
    return f"{user.name} <{user.email}>"


def open_granted_meeting(user: User, meeting_id: int) -> tuple[AccessLink, Outcome | None]:
    """The account's staff link to a meeting of an organisation that granted it access, made on first
    open with the grant's role; NotFound (as for no meeting at all) for any other meeting.

    A participant or observer joins the meeting's people as themselves (a local-authority SEND officer
    of their organisation, which the chair may edit), so that they speak, give positions and are
    recorded as anyone invited; the event that adds them comes back to broadcast (None when the
    link was there already). After the meeting has ended the link only reads."""
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
        return existing, None
    own_organisation = db.session.get(Organisation, user.organisation_id)
    link = AccessLink(meeting_id=meeting.id, role=role, user_id=user.id, token=new_token())
    db.session.rollback()

    def decide(change: Change) -> bool:
        if db.session.scalar(mine) is not None:  # opened meanwhile in another tab
            return False
        joins = role in (access.PARTICIPANT, access.OBSERVER) and change.meeting.status != agenda.ENDED
        if joins:
            name, person_role, agency, agency_name = meeting_rules.clean_participant_fields(
                user.name, "la_officer", "local_authority", own_organisation.name if own_organisation else None
            )
            participant = Participant(
                meeting_id=change.meeting.id,
                name=name,
                role=person_role,
                agency=agency,
                agency_name=agency_name,
                version=1,
            )
            db.session.add(participant)
            db.session.flush()
            link.participant_id = participant.id
            change.put("participants", participant)
            change.audit("participants.add", "participant", participant.id, None, queries.participant_view(participant))
        db.session.add(link)
        db.session.flush()
        change.audit(
            "links.open_granted",
            "link",
            link.id,
            None,
            {"role": role, "user_id": user.id, "organisation_id": user.organisation_id},
            actor=_actor(user),
        )
        return True

    outcome = apply(link, "participants.add" if role != access.NOTE_TAKER else "links.open_granted", decide)
    if outcome is None:
        return db.session.scalar(mine), None
    return link, outcome


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
        {"grant_id": grant.id, "user_id": grant.user_id, "role": grant.role, "revoked_link_ids": [link.id for link in links]},
    )
    db.session.delete(grant)
    db.session.commit()
    return [link.id for link in links]


def revoke_grant(organisation_id: int, grant_id: int, *, by: User) -> tuple[User | None, list[int]]:
    """An organisation's administrator takes back one of its grants (another organisation's is "no such
    grant"): returns the account and the withdrawn links' ids, whose open sockets the caller cuts off."""
    grant = db.session.get(OrganisationGrant, grant_id)
    if grant is None or grant.organisation_id != organisation_id:
        raise NotFound("No such grant.")
    user = db.session.get(User, grant.user_id)
    return user, remove_grant(grant, by=by)


def listing(organisation_id: int) -> list[tuple[OrganisationGrant, User]]:
    """The accounts of other organisations given access to this organisation's meetings, by name."""
    return [
        (grant, user)
        for grant, user in db.session.execute(
            select(OrganisationGrant, User)
            .join(User, User.id == OrganisationGrant.user_id)
            .where(OrganisationGrant.organisation_id == organisation_id)
            .order_by(User.name, OrganisationGrant.id)
        )
    ]


def grant_access(organisation_id: int, email: str, role: str, *, by: User) -> OrganisationGrant:
    """Give an account of another organisation (found by its e-mail) access to this organisation's
    meetings in a meeting role; giving it again changes the role. Clear errors change nothing."""
    errors: dict[str, str] = {}
    user = None
    try:
        email = account_rules.clean_email(email)
    except InvalidValue as exc:
        errors["email"] = exc.message
    else:
        user = user_by_email(email)
        if user is None or not user.active:
            errors["email"] = "No active account has that e-mail address: the person's organisation makes it first."
        elif user.organisation_id == organisation_id:
            errors["email"] = "That account is already one of this organisation's: give it a role on the accounts page."
    if role not in account_rules.GRANT_ROLES:
        errors["role"] = "Choose one of: " + ", ".join(account_rules.GRANT_ROLES.values()) + "."
    if errors:
        raise schemas.FieldErrors(errors)
    with write():
        grant = db.session.scalar(
            select(OrganisationGrant).where(
                OrganisationGrant.organisation_id == organisation_id, OrganisationGrant.user_id == user.id
            )
        )
        before = grant.role if grant is not None else None
        if grant is None:
            grant = OrganisationGrant(organisation_id=organisation_id, user_id=user.id, created_at=utcnow())
            db.session.add(grant)
        grant.role, grant.granted_by_user_id = role, by.id
        db.session.flush()
        detail = {"grant_id": grant.id, "user_id": user.id, "role": role} | ({"before": before} if before else {})
        log_admin("grant.change" if before else "grant.create", by, detail, organisation_id=organisation_id)
    return grant
