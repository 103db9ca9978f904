"""The people at the meeting: adding, editing and removing participants (each with their own link)."""

from __future__ import annotations

from sqlalchemy import select

from .. import queries, schemas
from ..domain import access, agenda
from ..domain import meetings as meeting_rules
from ..domain.errors import NotFound, RuleViolation
from ..extensions import db
from ..models import AccessLink, Participant
from . import invitations
from .action_log import commands as action_commands
from .links import invite_expiry, link_view
from .pipeline import Change, check_version, command, new_token


def _participant(change: Change, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.meeting_id != change.meeting.id or participant.removed_at:
        raise NotFound("There is no such participant in this meeting.", field="participant_id")
    return participant


@command("participants.add", schemas.AddParticipantArgs, "Add a participant and create their personal join link")
def add_participant(change: Change, args: schemas.AddParticipantArgs) -> dict:
    """Add a participant with their own join link (returned only to the chair)."""
    if change.meeting.status == agenda.ENDED:
        raise RuleViolation("The meeting has ended.")
    count = len(queries.present_participants(change.meeting))
    if count >= meeting_rules.MAX_PARTICIPANTS:
        raise RuleViolation(f"A meeting has at most {meeting_rules.MAX_PARTICIPANTS} participants.")
    name, role, agency, agency_name = meeting_rules.clean_participant_fields(
        args.name, args.role, args.agency, args.agency_name
    )
    participant = Participant(
        meeting_id=change.meeting.id,
        name=name,
        role=role,
        agency=agency,
        agency_name=agency_name,
        language=meeting_rules.clean_language(args.language),
        needs_interpreter=args.needs_interpreter,
        version=1,
    )
    db.session.add(participant)
    db.session.flush()
    link = AccessLink(
        meeting_id=change.meeting.id,
        role=access.OBSERVER if args.observer else access.PARTICIPANT,
        participant_id=participant.id,
        token=new_token(),
        expires_at=invite_expiry(change.meeting),
    )
    db.session.add(link)
    if args.email:
        action_commands.set_participant_email(change, participant, args.email)
    change.put("participants", participant)
    change.audit("participants.add", "participant", participant.id, None, queries.participant_view(participant))
    db.session.flush()
    return {"participant_id": participant.id, "join_path": queries.link_path(link), "link": link_view(link)}


@command("participants.update", schemas.UpdateParticipantArgs, "Edit a participant's name, role, agency, language or need of an interpreter")
def update_participant(change: Change, args: schemas.UpdateParticipantArgs) -> None:
    """Edit a participant; stale versions get a conflict."""
    participant = _participant(change, args.participant_id)
    before = queries.participant_view(participant)
    check_version(participant, args.version, before)
    name, role, agency, agency_name = meeting_rules.clean_participant_fields(
        args.name if args.name is not None else participant.name,
        args.role if args.role is not None else participant.role,
        args.agency if args.agency is not None else participant.agency,
        args.agency_name if "agency_name" in args.model_fields_set else participant.agency_name,
    )
    participant.name, participant.role = name, role
    participant.agency, participant.agency_name = agency, agency_name
    if "language" in args.model_fields_set:
        participant.language = meeting_rules.clean_language(args.language)
    if args.needs_interpreter is not None:
        participant.needs_interpreter = args.needs_interpreter
    participant.version += 1
    if "email" in args.model_fields_set:
        action_commands.set_participant_email(change, participant, args.email)
    change.put("participants", participant)
    change.audit("participants.update", "participant", participant.id, before, queries.participant_view(participant))


@command("participants.remove", schemas.ParticipantArgs, "Remove a participant and revoke their link")
def remove_participant(change: Change, args: schemas.ParticipantArgs) -> dict:
    """Remove a participant; their link stops working at once."""
    participant = _participant(change, args.participant_id)
    before = queries.participant_view(participant)
    revoked = []
    for link in db.session.scalars(select(AccessLink).where(AccessLink.participant_id == participant.id)):
        if link.revoked_at is None:
            link.revoked_at = change.now
            revoked.append(link.id)
    participant.removed_at = change.now
    invitations.withdrawn(change, participant)  # a cancellation to anyone who was sent an invitation
    change.drop("participants", participant.id)
    change.audit("participants.remove", "participant", participant.id, before, None)
    return {"revoked_link_ids": revoked}
