"""Commands on actions after the meeting: progress, support that did not happen, reminder addresses.

They run through `services.pipeline.execute` like every other command: checked against the
permission table, validated, decided by `domain.action_log`, audited, given the meeting's next
sequence number, committed, then broadcast to the room of the action's meeting.

- From the action log a chair's command on another meeting's action runs *in that meeting*, under
  an `ActingLink` that records which chair link was used (`run_on_action`).
- In a later meeting for the same child, the chair updates earlier actions live in the "Review of
  previous actions" item: the command runs in the later meeting (its room sees it) and the
  action's own meeting gets an event too, broadcast after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ... import queries, schemas
from ...domain import access
from ...domain import action_log as rules
from ...domain.errors import InvalidValue, NotFound
from ...domain.registers import clean_text
from ...extensions import db
from ...models import AccessLink, Action, ActionUpdate, ChairEmail, Participant, ParticipantEmail
from ...schemas import RecordProgressArgs, ReportMissedArgs, SetChairEmailArgs, SetOwnerEmailArgs
from ..pipeline import Change, Forbidden, Outcome, actor_label, append_event_to, check_version, command, execute
from .rows import agreed_on, update_view
from .scope import carried_into, find_action


@dataclass
class ActingLink:
    """The link a command runs under when a chair acts from the action log on another meeting's action.

    It stands in the action's own meeting, so the command is sequenced, audited and broadcast there;
    `id` is the chair link actually used, so the audit trail says who it was.
    """

    id: int
    meeting_id: int
    role: str
    actor: str
    participant_id: int | None = None
    participant: Participant | None = None
    revoked_at: datetime | None = None


def _actor(change: Change) -> str:
    return getattr(change.link, "actor", None) or actor_label(change.link)


def _reach(change: Change, action_id: int) -> tuple[Action, int | None]:
    """The action named and, when it comes from an earlier meeting, the meeting reviewing it now."""
    action = db.session.get(Action, action_id, populate_existing=True)
    if action is None or action.deleted_at is not None:
        raise NotFound("There is no such action in this meeting.", field="action_id")
    if action.confidential and not access.sees_own_confidential(
        change.link.role, change.link.participant_id, action.owner_participant_id
    ):
        # As for no action at all: a confidential action's existence is shown only to those who may
        # read it, and to its owner (their own actions, with their history).
        raise NotFound("There is no such action in this meeting.", field="action_id")
    if action.meeting_id == change.meeting.id:
        return action, None
    if carried_into(action, change.meeting):
        return action, change.meeting.id
    raise NotFound("There is no such action in this meeting.", field="action_id")


def _audit(change: Change, action: Action, name: str, before, after, reviewing: int | None) -> None:
    """Audit a change to an action in the action's own meeting, saying when it was made in a review."""
    actor = _actor(change)
    if reviewing:
        actor += f", in the review of previous actions of meeting {reviewing}"
    change.audit(name, "action", action.id, before, after, meeting_id=action.meeting_id, actor=actor[:200], account=False)


def _publish(change: Change, name: str, action: Action, entry: ActionUpdate | None, reviewing: int | None) -> None:
    """Put the changed action (and history entry) in this command's event, and in its own meeting's log."""
    if reviewing is None:
        change.put("actions", action)
        if entry is not None:
            change.put("action_updates", entry)
        return
    change.put("previous_actions", action)
    if entry is not None:
        change.put("action_updates", entry)
    data: dict[str, Any] = {"actions": [queries.action_view(action)]}
    if entry is not None:
        data["action_updates"] = [update_view(entry)]
    append_event_to(change, action.meeting_id, name, data)


def _history_entry(change: Change, action: Action, kind: str, status_before: str, status_after: str,
                   occurred_on, note: str | None, evidence: str | None, reviewing: int | None) -> ActionUpdate:
    """Add one entry to an action's history, written by whoever sent the command."""
    entry = ActionUpdate(
        action_id=action.id,
        meeting_id=action.meeting_id,
        kind=kind,
        status_before=status_before,
        status_after=status_after,
        occurred_on=occurred_on,
        note=note,
        evidence=evidence,
        author=_actor(change)[:200],
        link_id=change.link.id,
        participant_id=change.link.participant_id,
        reviewed_in_meeting_id=reviewing,
        created_at=change.now,
    )
    db.session.add(entry)
    return entry


@command(
    "actions.record_progress",
    RecordProgressArgs,
    "Record progress on an action: a status, a dated note, evidence (participants: their own actions)",
)
def record_progress(change: Change, args: RecordProgressArgs) -> dict:
    """The owner or the chair records progress; the action keeps every update in its history."""
    action, reviewing = _reach(change, args.action_id)
    link = change.link
    if link.role == access.PARTICIPANT and "actions.record_progress" in access.OWN_ONLY:
        if link.participant_id is None or action.owner_participant_id != link.participant_id:
            raise Forbidden("You can only record progress on your own actions.")
    before = queries.action_view(action)
    check_version(action, args.version, before)
    note = clean_text(args.note, "note", "The note", rules.NOTE_MAX)
    evidence = clean_text(args.evidence, "evidence", "The evidence", rules.EVIDENCE_MAX)
    status = (args.status or "").strip() or None
    decided = rules.check_progress(
        status=action.status,
        new_status=status,
        note=note,
        evidence=evidence,
        occurred_on=args.occurred_on or change.today,
        today=change.today,
        agreed_on=agreed_on(action),
        closed_on=action.closed_on,
        by_chair=link.role == access.CHAIR,
    )
    entry = _history_entry(change, action, rules.PROGRESS, decided.status_before, decided.status_after,
                           args.occurred_on or change.today, note, evidence, reviewing)
    action.status = decided.status_after
    action.closed_on = decided.closed_on
    action.progress_at = change.now
    action.version += 1
    db.session.flush()
    _audit(change, action, "actions.record_progress", before, {**queries.action_view(action), "update": update_view(entry)}, reviewing)
    _publish(change, "actions.record_progress", action, entry, reviewing)
    return {"action_id": action.id, "update_id": entry.id, "status": action.status, "version": action.version}


@command(
    "actions.report_missed",
    ReportMissedArgs,
    "Log agreed support that did not happen on a day (anyone at the meeting, e.g. a parent)",
)
def report_missed(change: Change, args: ReportMissedArgs) -> dict:
    """A parent (or anyone at the table) logs that agreed support did not happen on a given day."""
    action, reviewing = _reach(change, args.action_id)
    note = clean_text(args.note, "note", "What did not happen", rules.NOTE_MAX)
    rules.check_missed_provision(
        status=action.status, occurred_on=args.occurred_on, note=note, today=change.today, agreed_on=agreed_on(action)
    )
    entry = _history_entry(change, action, rules.MISSED_PROVISION, action.status, action.status,
                           args.occurred_on, note, None, reviewing)
    db.session.flush()
    _audit(change, action, "actions.report_missed", None, update_view(entry), reviewing)
    _publish(change, "actions.report_missed", action, entry, reviewing)
    return {"action_id": action.id, "update_id": entry.id}


@command(
    "actions.set_owner_email",
    SetOwnerEmailArgs,
    "Give the e-mail address for reminders to an action's owner from outside the meeting",
)
def set_owner_email(change: Change, args: SetOwnerEmailArgs) -> dict:
    """Owners who are participants get reminders at their participant address; others at this one."""
    action, reviewing = _reach(change, args.action_id)
    before = {**queries.action_view(action), "owner_email": action.owner_email}
    check_version(action, args.version, queries.action_view(action))
    if action.owner_participant_id is not None:
        raise InvalidValue(
            "This action's owner is a participant: give their e-mail address on the participant instead.", field="email"
        )
    action.owner_email = rules.clean_email(args.email)
    action.version += 1
    _audit(change, action, "actions.set_owner_email", before, {**queries.action_view(action), "owner_email": action.owner_email}, reviewing)
    _publish(change, "actions.set_owner_email", action, None, reviewing)
    return {"action_id": action.id, "version": action.version}


@command("meeting.set_chair_email", SetChairEmailArgs, "Give (or clear) the chair's e-mail address for the weekly action digest")
def set_chair_email(change: Change, args: SetChairEmailArgs) -> dict:
    """Where this meeting's chair gets the weekly digest of its actions."""
    email = rules.clean_email(args.email)
    row = db.session.get(ChairEmail, change.meeting.id)
    before = {"email": row.email} if row else None
    if email is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(ChairEmail(meeting_id=change.meeting.id, email=email, updated_at=change.now))
    else:
        row.email, row.updated_at = email, change.now
    change.audit("meeting.set_chair_email", "meeting", change.meeting.id, before, {"email": email} if email else None)
    return {"email": email}


def set_participant_email(change: Change, participant: Participant, email: str | None) -> None:
    """Set or clear a participant's address for reminders (from participants.add / participants.update)."""
    email = rules.clean_email(email)
    row = db.session.get(ParticipantEmail, participant.id)
    before = row.email if row else None
    if email == before:
        return
    if email is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(ParticipantEmail(participant_id=participant.id, email=email, updated_at=change.now))
    else:
        row.email, row.updated_at = email, change.now
    change.audit("participants.set_email", "participant", participant.id, {"email": before}, {"email": email})


def participant_emails(meeting_id: int) -> dict[int, str]:
    """The meeting's participants' reminder addresses (chair only)."""
    rows = db.session.execute(
        select(ParticipantEmail.participant_id, ParticipantEmail.email)
        .join(Participant, Participant.id == ParticipantEmail.participant_id)
        .where(Participant.meeting_id == meeting_id)
    )
    return {pid: email for pid, email in rows}


def chair_email(meeting_id: int) -> str | None:
    """The address this meeting's chair gets the weekly digest at, if any."""
    row = db.session.get(ChairEmail, meeting_id)
    return row.email if row else None


def run_on_action(link: AccessLink, name: str, action_id: int, raw_args: Any, command_id: str | None = None) -> Outcome:
    """Run an action command for `link` in the action's own meeting (chairs: any meeting, from the log)."""
    action = find_action(link, action_id)
    if not isinstance(raw_args, dict):
        raise schemas.FieldErrors({"_": "The arguments must be a JSON object."})
    acting: Any = link
    if link.role == access.CHAIR and action.meeting_id != link.meeting_id:
        acting = ActingLink(
            id=link.id, meeting_id=action.meeting_id, role=access.CHAIR, actor=f"Chair (via the action log, link {link.id})"
        )
    db.session.rollback()  # end the read; execute takes the write lock itself
    return execute(acting, name, {**raw_args, "action_id": action_id}, command_id)
