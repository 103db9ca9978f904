"""After the meeting: progress, missed support, carrying actions forward, the log, calendars and reminders.

Commands here run through `services.pipeline.execute` like every other command: checked against the
permission table, validated, decided by `domain.action_log`, audited, given the meeting's next
sequence number, committed, then broadcast to the room of the action's meeting.

Who reaches which action:

- a participant, through their personal link: their own actions (progress), and the actions of
  their meeting or carried forward into it (support that did not happen);
- a chair link: the actions of every meeting prepared by the same staff account (an
  administrator's: every meeting; see `Scope`). From the action log a command on another meeting's
  action runs *in that meeting*, under an `ActingLink` that records which chair link was used.
- in a later meeting for the same child, the chair updates earlier actions live in the "Review of
  previous actions" item: the command runs in the later meeting (its room sees it) and the
  action's own meeting gets an event too, broadcast after the commit.
"""

from __future__ import annotations

import csv
import io
import os
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Integer, String, and_, any_, bindparam, case, func, literal_column, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from .. import mail, queries, schemas
from ..domain import access
from ..domain import action_log as rules
from ..domain.errors import InvalidValue, NotFound
from ..domain.meetings import MEETING_TYPES
from ..domain.registers import clean_text
from ..extensions import db
from ..models import (
    AccessLink,
    Action,
    ActionUpdate,
    AgendaItem,
    AuditEntry,
    CalendarFeed,
    ChairEmail,
    Meeting,
    OutboxMessage,
    Participant,
    ParticipantEmail,
    ReminderSent,
    User,
    utcnow,
)
from .pipeline import (
    Change,
    Forbidden,
    Outcome,
    actor_label,
    append_event_to,
    begin_write,
    check_version,
    command,
    execute,
    local_zone,
    log_access,
    new_token,
)

Id = schemas.Id

# ---------------------------------------------------------------- what clients send


class ProgressFields(schemas.Args):
    """A progress update as sent to /api/v1/actions/{action_id}/progress (the action is in the path)."""

    version: Id
    status: schemas.Text(20) | None = None
    note: schemas.Text(rules.NOTE_MAX) | None = None
    evidence: schemas.Text(rules.EVIDENCE_MAX) | None = None
    occurred_on: schemas.IsoDate | None = None


class RecordProgressArgs(ProgressFields):
    action_id: Id


class MissedProvisionFields(schemas.Args):
    """Support that did not happen, as sent to /api/v1/actions/{action_id}/missed-provision."""

    occurred_on: schemas.IsoDate
    note: schemas.Text(rules.NOTE_MAX)


class ReportMissedArgs(MissedProvisionFields):
    action_id: Id


class SetOwnerEmailArgs(schemas.Args):
    action_id: Id
    version: Id
    email: schemas.Text(rules.EMAIL_MAX) | None = None


class SetChairEmailArgs(schemas.Args):
    email: schemas.Text(rules.EMAIL_MAX) | None = None


# ---------------------------------------------------------------- views of entries


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def update_view(u: ActionUpdate) -> dict:
    """One entry of an action's history, as people are shown it."""
    return {
        "id": u.id,
        "action_id": u.action_id,
        "kind": u.kind,
        "kind_label": rules.UPDATE_KINDS.get(u.kind, u.kind),
        "status_before": u.status_before,
        "status_after": u.status_after,
        "status_label": rules.STATUSES.get(u.status_after) if u.status_after else None,
        "status_changed": u.status_before != u.status_after,
        "occurred_on": _day(u.occurred_on),
        "note": u.note,
        "evidence": u.evidence,
        "evidence_is_link": is_link(u.evidence),
        "author": u.author,
        "reviewed_in_meeting_id": u.reviewed_in_meeting_id,
        "created_at": queries.iso(u.created_at),
    }


def is_link(text: str | None) -> bool:
    """Evidence that is a web address (shown as a link); anything else is shown as text."""
    return bool(text) and text.startswith(("https://", "http://")) and not any(c.isspace() for c in text)


def today_local(now: datetime) -> date:
    return now.astimezone(local_zone()).date()


def agreed_on(action: Action) -> date:
    """The local day the action was agreed (recorded)."""
    return today_local(action.created_at)


@dataclass
class LogRow:
    """One action as the log shows it, with its meeting, owner, agenda item and how it stands today."""

    action: Action
    meeting: Meeting
    owner: str
    item_title: str | None
    today: date
    last_update: ActionUpdate | None = None
    history: list[ActionUpdate] = field(default_factory=list)

    @property
    def standing(self) -> str:
        a = self.action
        return rules.standing(a.status, a.due_date, a.follow_up_date, a.closed_on, self.today)

    @property
    def standing_note(self) -> str:
        a = self.action
        return rules.standing_note(a.status, a.due_date, a.follow_up_date, a.closed_on, self.today)

    def as_dict(self) -> dict:
        a, m = self.action, self.meeting
        return {
            "id": a.id,
            "what": a.what,
            "owner": self.owner,
            "owner_participant_id": a.owner_participant_id,
            "owner_agency": a.owner_agency,
            "need": a.need,
            "confidential": a.confidential,
            "status": a.status,
            "status_label": rules.STATUSES.get(a.status, a.status),
            "standing": self.standing,
            "standing_label": rules.STANDINGS[self.standing],
            "standing_note": self.standing_note,
            "overdue": rules.is_overdue(a.status, a.due_date, self.today),
            "due_this_week": rules.is_due_this_week(a.status, a.due_date, self.today),
            "due_date": _day(a.due_date),
            "follow_up_date": _day(a.follow_up_date),
            "closed_on": _day(a.closed_on),
            "progress_at": queries.iso(a.progress_at),
            "confirmed": a.confirmed_at is not None,
            "version": a.version,
            "meeting": {
                "id": m.id,
                "title": m.title,
                "meeting_type": m.meeting_type,
                "meeting_type_label": MEETING_TYPES.get(m.meeting_type, m.meeting_type),
                "child_ref": m.child_ref,
                "date": _day(today_local(m.scheduled_start)),
            },
            "agenda_item": {"id": a.agenda_item_id, "title": self.item_title} if a.agenda_item_id else None,
            "last_update": update_view(self.last_update) if self.last_update else None,
            "history": [update_view(u) for u in self.history],
        }


def _owner_name(action: Action) -> str:
    if action.owner_participant_id:
        p = db.session.get(Participant, action.owner_participant_id)
        if p is not None:
            return p.name
    return action.owner_name or "someone no longer listed"


def _row(action: Action, today: date, *, history: bool = False) -> LogRow:
    meeting = db.session.get(Meeting, action.meeting_id)
    item = db.session.get(AgendaItem, action.agenda_item_id) if action.agenda_item_id else None
    updates = history_of(action.id) if history else []
    return LogRow(action, meeting, _owner_name(action), item.title if item else None, today,
                  updates[-1] if updates else None, updates)


def previous_action_view(action: Action, now: datetime | None = None) -> dict:
    """An earlier meeting's action as shown in a later meeting's review of previous actions."""
    return _row(action, today_local(now or utcnow()), history=True).as_dict()


# Events may carry these collections too: an earlier action updated in the review, and history entries.
queries.VIEWS.setdefault("previous_actions", previous_action_view)
queries.VIEWS.setdefault("action_updates", lambda u, now=None: update_view(u))
queries.SORT_KEYS.setdefault("previous_actions", lambda row: (row.id,))
queries.SORT_KEYS.setdefault("action_updates", lambda row: (row.id,))


def history_of(action_id: int) -> list[ActionUpdate]:
    """An action's history, oldest first."""
    return list(db.session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == action_id).order_by(ActionUpdate.id)))


# ---------------------------------------------------------------- who reaches which action


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


def _same_owner(model, meeting: Meeting):
    """The condition that a meeting (`model`, a table or alias) was prepared by the same account as
    `meeting`: a child reference is initials or a case code, so two children may share one, and
    one chair's meetings never carry another's actions forward."""
    if meeting.owner_user_id is None:
        return model.owner_user_id.is_(None)
    return model.owner_user_id == meeting.owner_user_id


def _carried_into(action: Action, meeting: Meeting) -> bool:
    """True when `action` comes from an earlier meeting for the same child as `meeting`."""
    home = db.session.get(Meeting, action.meeting_id)
    return (
        home is not None
        and home.id != meeting.id
        and home.child_ref == meeting.child_ref
        and home.owner_user_id == meeting.owner_user_id
        and home.scheduled_start < meeting.scheduled_start
    )


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
    if _carried_into(action, change.meeting):
        return action, change.meeting.id
    raise NotFound("There is no such action in this meeting.", field="action_id")


def _audit(change: Change, action: Action, name: str, before, after, reviewing: int | None) -> None:
    actor = _actor(change)
    if reviewing:
        actor += f", in the review of previous actions of meeting {reviewing}"
    db.session.add(
        AuditEntry(
            meeting_id=action.meeting_id,
            link_id=change.link.id,
            actor=actor[:200],
            action=name,
            entity="action",
            entity_id=action.id,
            before=before,
            after=after,
            at=change.now,
        )
    )


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


def _text(value: str | None, field: str, label: str, limit: int) -> str | None:
    return clean_text(value, field, label, limit)


# ---------------------------------------------------------------- commands


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
    note = _text(args.note, "note", "The note", rules.NOTE_MAX)
    evidence = _text(args.evidence, "evidence", "The evidence", rules.EVIDENCE_MAX)
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
    entry = ActionUpdate(
        action_id=action.id,
        meeting_id=action.meeting_id,
        kind=rules.PROGRESS,
        status_before=decided.status_before,
        status_after=decided.status_after,
        occurred_on=args.occurred_on or change.today,
        note=note,
        evidence=evidence,
        author=_actor(change)[:200],
        link_id=link.id,
        participant_id=link.participant_id,
        reviewed_in_meeting_id=reviewing,
        created_at=change.now,
    )
    db.session.add(entry)
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
    note = _text(args.note, "note", "What did not happen", rules.NOTE_MAX)
    rules.check_missed_provision(
        status=action.status, occurred_on=args.occurred_on, note=note, today=change.today, agreed_on=agreed_on(action)
    )
    entry = ActionUpdate(
        action_id=action.id,
        meeting_id=action.meeting_id,
        kind=rules.MISSED_PROVISION,
        status_before=action.status,
        status_after=action.status,
        occurred_on=args.occurred_on,
        note=note,
        author=_actor(change)[:200],
        link_id=change.link.id,
        participant_id=change.link.participant_id,
        reviewed_in_meeting_id=reviewing,
        created_at=change.now,
    )
    db.session.add(entry)
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
    row = db.session.get(ChairEmail, meeting_id)
    return row.email if row else None


# ---------------------------------------------------------------- running commands from the log and "my actions"


def may_read(link: AccessLink, action: Action) -> bool:
    """Chair links read the actions of their log's scope (see Scope); participants their meeting's and
    those carried into it, less confidential ones that are not their own (access.sees_own_confidential)."""
    if link.role == access.CHAIR:
        return Scope.of(link).covers_meeting(action.meeting_id)
    if link.role == access.PARTICIPANT:
        if action.confidential and not access.sees_own_confidential(link.role, link.participant_id, action.owner_participant_id):
            return False
        if action.meeting_id == link.meeting_id:
            return True
        meeting = db.session.get(Meeting, link.meeting_id)
        return meeting is not None and _carried_into(action, meeting)
    return False


def find_action(link: AccessLink, action_id: int) -> Action:
    """An action the link may see, or NotFound (the same answer for one it may not see)."""
    action = db.session.get(Action, action_id)
    if action is None or action.deleted_at is not None or not may_read(link, action):
        raise NotFound("There is no such action.", field="action_id")
    return action


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


# ---------------------------------------------------------------- the log: filters, counts, pages

SORTS = {
    "due": "Due date",
    "follow_up": "Follow-up date",
    "status": "Status",
    "owner": "Owner",
    "agency": "Agency",
    "meeting": "Meeting date",
    "child": "Child",
    "updated": "Last activity",
}
PER_PAGE = (25, 50, 100)


@dataclass
class LogFilters:
    """What the person asked the log for."""

    owner: str | None = None
    agency: str | None = None
    statuses: tuple[str, ...] = ()
    due_from: date | None = None
    due_to: date | None = None
    follow_up_from: date | None = None
    follow_up_to: date | None = None
    overdue: bool = False
    due_this_week: bool = False
    child_ref: str | None = None
    meeting_id: int | None = None
    meeting_type: str | None = None
    sort: str = "due"
    direction: str = "asc"
    page: int = 1
    per_page: int = 50
    #: the owner filter's condition for a scope, found once per request (services: _owner_condition)
    _owner_matches: tuple | None = field(default=None, repr=False, compare=False)

    def query_args(self, **overrides) -> dict:
        """The filters as URL query arguments (for links to other pages, sorts and the CSV export)."""
        values = {
            "owner": self.owner,
            "agency": self.agency,
            "status": list(self.statuses),
            "due_from": _day(self.due_from),
            "due_to": _day(self.due_to),
            "follow_up_from": _day(self.follow_up_from),
            "follow_up_to": _day(self.follow_up_to),
            "overdue": "1" if self.overdue else None,
            "due_this_week": "1" if self.due_this_week else None,
            "child_ref": self.child_ref,
            "meeting_id": self.meeting_id,
            "meeting_type": self.meeting_type,
            "sort": self.sort if self.sort != "due" else None,
            "direction": self.direction if self.direction != "asc" else None,
            "page": self.page if self.page != 1 else None,
            "per_page": self.per_page if self.per_page != 50 else None,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v not in (None, "", [])}

    @property
    def active(self) -> bool:
        return any(
            [self.owner, self.agency, self.statuses, self.due_from, self.due_to, self.follow_up_from,
             self.follow_up_to, self.overdue, self.due_this_week, self.child_ref, self.meeting_id, self.meeting_type]
        )


def _get(args: Mapping, name: str) -> str:
    value = args.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_filters(args) -> LogFilters:
    """Read the log's filters from query arguments; every bad value gets its own message."""
    errors: dict[str, str] = {}
    f = LogFilters()

    def text(name: str, limit: int) -> str | None:
        value = _get(args, name)
        if len(value) > limit:
            errors[name] = f"Must be at most {limit} characters."
            return None
        return value or None

    def day(name: str) -> date | None:
        value = _get(args, name)
        if not value:
            return None
        try:
            return schemas._iso_date(value)
        except ValueError as exc:
            errors[name] = str(exc)
            return None

    def number(name: str, default: int, low: int, high: int) -> int:
        value = _get(args, name)
        if not value:
            return default
        if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
            errors[name] = f"Must be a whole number from {low} to {high}."
            return default
        return int(value)

    f.owner = text("owner", 120)
    f.agency = text("agency", 120)
    f.child_ref = text("child_ref", 40)
    statuses = args.getlist("status") if hasattr(args, "getlist") else ([args["status"]] if args.get("status") else [])
    statuses = [s.strip() for s in statuses if isinstance(s, str) and s.strip()]
    unknown = [s for s in statuses if s not in rules.STATUSES]
    if unknown:
        errors["status"] = f"Unknown status; choose from: {', '.join(rules.STATUSES)}."
    f.statuses = tuple(s for s in rules.STATUSES if s in statuses)
    f.due_from, f.due_to = day("due_from"), day("due_to")
    f.follow_up_from, f.follow_up_to = day("follow_up_from"), day("follow_up_to")
    if f.due_from and f.due_to and f.due_to < f.due_from:
        errors["due_to"] = "The end of the due date range is before its start."
    if f.follow_up_from and f.follow_up_to and f.follow_up_to < f.follow_up_from:
        errors["follow_up_to"] = "The end of the follow-up date range is before its start."
    f.overdue = _get(args, "overdue") in ("1", "true", "on", "yes")
    f.due_this_week = _get(args, "due_this_week") in ("1", "true", "on", "yes")
    meeting_type = text("meeting_type", 40)
    if meeting_type and meeting_type not in MEETING_TYPES:
        errors["meeting_type"] = "Unknown meeting type."
    f.meeting_type = meeting_type
    f.meeting_id = number("meeting_id", 0, 1, schemas.MAX_ID) or None
    sort = _get(args, "sort") or "due"
    if sort not in SORTS:
        errors["sort"] = f"Sort by one of: {', '.join(SORTS)}."
        sort = "due"
    f.sort = sort
    direction = _get(args, "direction") or "asc"
    if direction not in ("asc", "desc"):
        errors["direction"] = "Must be asc or desc."
        direction = "asc"
    f.direction = direction
    f.page = number("page", 1, 1, 100_000)
    f.per_page = number("per_page", 50, 1, 100)
    if f.per_page not in PER_PAGE:
        f.per_page = min(PER_PAGE, key=lambda n: abs(n - f.per_page))
    if errors:
        raise schemas.FieldErrors(errors)
    return f


@dataclass(frozen=True)
class Scope:
    """Whose actions a reader sees.

    - A chair link: the actions of every meeting prepared by the same staff account as its meeting
      (a SENCO's log across her meetings); every meeting when that account is an administrator's;
      only its own meeting when the meeting has no owner.
    - A participant link: their own actions.
    """

    participant_id: int | None = None
    #: the staff account whose meetings are in scope
    owner_user_id: int | None = None
    #: a single meeting (a chair link of a meeting without an owner)
    meeting_id: int | None = None
    everything: bool = False

    @classmethod
    def of(cls, link: AccessLink) -> Scope:
        if link.role == access.CHAIR:
            meeting = db.session.get(Meeting, link.meeting_id)
            if meeting is None or meeting.owner_user_id is None:
                return cls(meeting_id=link.meeting_id)
            owner = db.session.get(User, meeting.owner_user_id)
            if owner is not None and owner.role == access.ADMIN:
                return cls(everything=True)
            return cls(owner_user_id=meeting.owner_user_id)
        if link.role == access.PARTICIPANT and link.participant_id:
            return cls(participant_id=link.participant_id)
        raise Forbidden("This link cannot open the action log.")

    def meeting_condition(self):
        """A condition on Action.meeting_id for this scope, or None when every meeting is in it."""
        if self.meeting_id is not None:
            return Action.meeting_id == self.meeting_id
        if self.owner_user_id is not None:
            return Action.meeting_id.in_(select(Meeting.id).where(Meeting.owner_user_id == self.owner_user_id))
        return None

    def covers_meeting(self, meeting_id: int) -> bool:
        """True when the meeting's actions are in this scope (a participant's: only their own meeting's)."""
        if self.everything:
            return True
        if self.meeting_id is not None:
            return meeting_id == self.meeting_id
        if self.owner_user_id is not None:
            meeting = db.session.get(Meeting, meeting_id)
            return meeting is not None and meeting.owner_user_id == self.owner_user_id
        return False


def latest_chair_link(user) -> AccessLink | None:
    """The chair link of the account's most recent meeting that it can open (its log's way in)."""
    return db.session.scalar(
        select(AccessLink)
        .join(Meeting, Meeting.id == AccessLink.meeting_id)
        .where(
            Meeting.owner_user_id == user.id,
            AccessLink.role == access.CHAIR,
            AccessLink.revoked_at.is_(None),
            or_(AccessLink.user_id.is_(None), AccessLink.user_id == user.id),
        )
        .order_by(Meeting.scheduled_start.desc(), Meeting.id.desc())
        .limit(1)
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _base_conditions(scope: Scope, f: LogFilters) -> list:
    """Every filter but status, overdue and due-this-week (those are counted per status).

    The scope's meetings and the child and meeting-type filters are one condition on the action's
    meeting (`_meetings_wanted`): one semi-join, and the database starts from whichever of them is
    narrowest (a chair's one child: the child's few meetings, not the account's thousand).
    """
    conds: list = [Action.deleted_at.is_(None)]
    if scope.participant_id is not None:
        conds.append(Action.owner_participant_id == scope.participant_id)
    if scope.meeting_id is not None:
        conds.append(Action.meeting_id == scope.meeting_id)
    if f.owner:
        conds.append(_owner_condition(scope, f))
    if f.agency:
        conds.append(Action.owner_agency == f.agency)
    if f.due_from:
        conds.append(Action.due_date >= f.due_from)
    if f.due_to:
        conds.append(Action.due_date <= f.due_to)
    if f.follow_up_from:
        conds.append(Action.follow_up_date >= f.follow_up_from)
    if f.follow_up_to:
        conds.append(Action.follow_up_date <= f.follow_up_to)
    if f.meeting_id:
        conds.append(Action.meeting_id == f.meeting_id)
    meetings = _meetings_wanted(scope, f)
    if meetings is not None:
        meeting = Action.meeting_id
        if f.owner and db.session.get_bind().dialect.name == "sqlite":
            # `meeting_id + 0` keeps SQLite's planner off the meeting indexes here: otherwise it
            # starts from every action of a chair's meetings (20,000 in the benchmark) and tests
            # each against the owners, instead of starting from the owners' few hundred actions
            # (their indexes) and testing those against the meetings: 4 to 1.5 ms per query.
            # (PostgreSQL weighs the two itself.)
            meeting = Action.meeting_id + literal_column("0")
        conds.append(meeting.in_(meetings))
    return conds


def _meetings_wanted(scope: Scope, f: LogFilters):
    """The ids of the meetings the scope's account and the child and meeting-type filters allow
    (a subquery), or None when they allow every meeting."""
    meeting_conds = []
    if scope.owner_user_id is not None:
        meeting_conds.append(Meeting.owner_user_id == scope.owner_user_id)
    if f.child_ref:
        meeting_conds.append(func.lower(Meeting.child_ref) == f.child_ref.lower())
    if f.meeting_type:
        meeting_conds.append(Meeting.meeting_type == f.meeting_type)
    return select(Meeting.id).where(*meeting_conds) if meeting_conds else None


def _participant_meeting_conditions(scope: Scope, f: LogFilters, participant=Participant) -> list:
    """Conditions on the meeting of `participant` (Participant or an alias) matching the log's
    conditions on the actions' meetings.

    An action's owner is a participant of the action's own meeting (services.registers checks it),
    so an owner of an action in the log is a participant of a meeting in the log: the scope and the
    meeting filters narrow the participants to look at (a chair's owner search, the owner sort's join).
    """
    conds = []
    if scope.meeting_id is not None:
        conds.append(participant.meeting_id == scope.meeting_id)
    if f.meeting_id:
        conds.append(participant.meeting_id == f.meeting_id)
    meetings = _meetings_wanted(scope, f)
    if meetings is not None:
        conds.append(participant.meeting_id.in_(meetings))
    return conds


#: Above this many matching owners, the owner filter stays a subquery rather than a list of values.
OWNER_LIST_MAX = 2000


def _one_of(column, values):
    """`column IN values`. A list goes to PostgreSQL as one array parameter (`= ANY(...)`, the same
    plan as IN): hundreds of matching owners would otherwise be hundreds of bound parameters to
    render in each query of the page. A subquery, or another database, gets a plain IN.
    """
    if isinstance(values, list) and db.session.get_bind().dialect.name == "postgresql":
        item = Integer() if isinstance(column.type, Integer) else String()
        return column == any_(bindparam(None, values, type_=ARRAY(item)))
    return column.in_(values)


def _owner_condition(scope: Scope, f: LogFilters):
    """The owner filter: the action's owner is a participant, or a person outside the meeting, whose
    name contains the text typed (any case).

    Participants are found once per request and given to the page's queries as a list of ids,
    answered by ix_actions_log_owner (very broad searches stay a subquery). Only the participants of
    the log's meetings are looked at (`_participant_meeting_conditions`).

    PostgreSQL finds both kinds of name with trigram indexes (`lower(name) LIKE '%...%'`;
    ix_participants_name_trgm, ix_actions_owner_name_trgm): no b-tree index can answer a search
    inside a name, and without them it read every participant and every outside owner's name. The
    outside owners' names are then matched in the same query as the rest of the filters (a BitmapOr
    of the two indexes). SQLite has no such index: its outside owners' distinct names come from
    ix_actions_log_owner_name and are matched here, then given to the query as a list of names.
    """
    cached = f._owner_matches
    if cached is None or cached[0] != scope:
        pattern = _like(f.owner)
        postgresql = db.session.get_bind().dialect.name == "postgresql"
        if postgresql:
            # lower() LIKE, as the trigram index is built (and markedly cheaper than ILIKE unindexed).
            named = func.lower(Participant.name).like(pattern.lower(), escape="\\")
        else:
            # SQLite's LIKE already ignores ASCII case; ilike would add lower() on every row.
            named = Participant.name.like(pattern, escape="\\")
        people = select(Participant.id).where(named, *_participant_meeting_conditions(scope, f))
        pids = list(db.session.scalars(people.limit(OWNER_LIST_MAX + 1)))
        participants = _one_of(Action.owner_participant_id, pids if len(pids) <= OWNER_LIST_MAX else people)
        if postgresql:
            outside = func.lower(Action.owner_name).like(pattern.lower(), escape="\\")
        else:
            outside = _one_of(Action.owner_name, _outside_owners_named(f.owner, pattern))
        f._owner_matches = cached = (scope, or_(participants, outside))
    return cached[1]


def _outside_owners_named(text_: str, pattern: str):
    """The names of owners from outside the meetings that contain `text_` (any case): their distinct
    names from the owner-name index, matched here; very many different names: a subquery."""
    everyone = db.session.scalars(
        select(Action.owner_name).where(Action.owner_name.is_not(None)).distinct().limit(DISTINCT_MAX)
    ).all()
    if len(everyone) >= DISTINCT_MAX:  # very many different names: let the database match them all
        named = aliased(Action)
        return select(named.owner_name).where(func.lower(named.owner_name).like(pattern.lower(), escape="\\")).distinct()
    needle = text_.casefold()
    return [n for n in everyone if needle in n.casefold()]


def _standing_conditions(f: LogFilters, today: date) -> list:
    conds: list = []
    if f.statuses:
        conds.append(Action.status.in_(f.statuses))
    week_end = today + timedelta(days=rules.WEEK_DAYS)
    wanted = []
    if f.overdue:
        wanted.append(Action.due_date < today)
    if f.due_this_week:
        wanted.append(and_(Action.due_date >= today, Action.due_date < week_end))
    if wanted:
        conds.append(Action.status.in_(rules.ACTIVE))
        conds.append(or_(*wanted))
    return conds


#: When an action last moved: its last progress update, or when it was agreed (ix_actions_last_activity).
LAST_ACTIVITY = func.coalesce(Action.progress_at, Action.created_at)
_STATUS_ORDER = case({s: i for i, s in enumerate(rules.STATUSES)}, value=Action.status, else_=99)


def _order(f: LogFilters, owner_label):
    column = {
        "due": Action.due_date,
        "follow_up": Action.follow_up_date,
        "status": _STATUS_ORDER,
        "owner": owner_label,
        "agency": Action.owner_agency,
        "meeting": Meeting.scheduled_start,
        "child": Meeting.child_ref,
        "updated": LAST_ACTIVITY,
    }[f.sort]
    if f.direction == "desc":
        return [column.desc(), Action.id.desc()]
    return [column.asc(), Action.id.asc()]


@dataclass
class LogPage:
    """One page of the log with the counts people steer by."""

    rows: list[LogRow]
    total: int
    counts: dict[str, int]
    filters: LogFilters
    today: date

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "total": self.total,
            "page": self.filters.page,
            "per_page": self.filters.per_page,
            "pages": self.pages,
            "counts": self.counts,
            "actions": [r.as_dict() for r in self.rows],
        }


def counts_of(scope: Scope, f: LogFilters, today: date) -> tuple[int, dict[str, int]]:
    """How many actions match, and per status / overdue / due this week / lapsed under the other filters.

    Overdue, due this week and lapsed are counted per status with plain date conditions (FILTER)
    and summed here over the active statuses: the status is already the group, so no row is tested
    against a list of statuses. With a narrowing filter one pass over the matching actions counts
    everything. Over the whole log, the counts per status come in status order from
    ix_actions_log_status_live (no hashing of 100,000 rows), and the standings from one range of the
    same index: active actions due before the end of the week.
    """
    base = _base_conditions(scope, f)
    week_end = today + timedelta(days=rules.WEEK_DAYS)
    standings = (
        func.count().filter(Action.due_date < today),
        func.count().filter(and_(Action.due_date >= today, Action.due_date < week_end)),
        # The follow-up date is never before the due date (domain.registers.check_action_dates),
        # so a lapsed action is also overdue.
        func.count().filter(and_(Action.due_date < today, Action.follow_up_date < today)),
    )
    counts = {s: 0 for s in rules.STATUSES}
    counts.update(overdue=0, due_this_week=0, lapsed=0)
    #: per active status: (overdue, due this week, lapsed)
    standing: dict[str, tuple[int, int, int]] = {}
    if len(base) > 1:  # more than "not deleted"
        q = select(Action.status, func.count(), *standings).where(*base).group_by(Action.status)
        for status, n, overdue, week, lapsed in db.session.execute(q):
            counts[status] = counts.get(status, 0) + n
            if status in rules.ACTIVE:
                standing[status] = (overdue, week, lapsed)
    else:
        for status, n in db.session.execute(select(Action.status, func.count()).where(*base).group_by(Action.status)):
            counts[status] = counts.get(status, 0) + n
        q = (
            select(Action.status, *standings)
            .where(*base, Action.status.in_(rules.ACTIVE), Action.due_date < week_end)
            .group_by(Action.status)
        )
        for status, overdue, week, lapsed in db.session.execute(q):
            standing[status] = (overdue, week, lapsed)
    for overdue, week, lapsed in standing.values():
        counts["overdue"] += overdue
        counts["due_this_week"] += week
        counts["lapsed"] += lapsed
    counts["all"] = sum(counts[s] for s in rules.STATUSES)
    if f.overdue or f.due_this_week:
        # Overdue and due this week never overlap (due before today; due from today to the week's end).
        total = sum(
            (overdue if f.overdue else 0) + (week if f.due_this_week else 0)
            for status, (overdue, week, _) in standing.items()
            if not f.statuses or status in f.statuses
        )
    elif f.statuses:
        total = sum(counts[s] for s in f.statuses)
    else:
        total = counts["all"]
    return total, counts


def _page_ids(scope: Scope, f: LogFilters, today: date) -> list[int]:
    """The ids on the page asked for; joins only when the sort needs them, so indexes do the work."""
    owner = aliased(Participant)
    q = select(Action.id)
    if f.sort in ("meeting", "child"):
        q = q.join(Meeting, Meeting.id == Action.meeting_id)
    if f.sort == "owner":
        # An owner is a participant of the action's own meeting, so the scope and the meeting filters
        # narrow the participants to join as well (a smaller hash than every participant in the
        # installation).
        q = q.outerjoin(owner, and_(owner.id == Action.owner_participant_id, *_participant_meeting_conditions(scope, f, owner)))
    q = (
        q.where(*_base_conditions(scope, f), *_standing_conditions(f, today))
        .order_by(*_order(f, func.coalesce(owner.name, Action.owner_name)))
        .limit(f.per_page)
        .offset((f.page - 1) * f.per_page)
    )
    return list(db.session.scalars(q))


def _rows(ids: list[int], today: date) -> list[LogRow]:
    """Log rows for these action ids, in this order, with their meeting, owner, item and last update.

    Read as plain rows by primary key, three queries in all (the actions with their owner's name
    and agenda item's title, their meetings, their last updates): a page is read-only, and ORM
    objects for every action and meeting on it would cost more than the queries.
    """
    if not ids:
        return []
    actions_t, meetings_t = Action.__table__, Meeting.__table__
    owners_t, items_t = Participant.__table__, AgendaItem.__table__
    q = (
        select(actions_t, owners_t.c.name.label("owner_label"), items_t.c.title.label("item_title"))
        .outerjoin(owners_t, owners_t.c.id == actions_t.c.owner_participant_id)
        .outerjoin(items_t, items_t.c.id == actions_t.c.agenda_item_id)
        .where(actions_t.c.id.in_(ids))
    )
    actions = {r.id: r for r in db.session.execute(q)}
    meetings = {
        r.id: r
        for r in db.session.execute(
            select(meetings_t).where(meetings_t.c.id.in_({a.meeting_id for a in actions.values()}))
        )
    }
    rows = []
    for i in ids:
        a = actions.get(i)
        if a is None:
            continue
        owner = a.owner_label or a.owner_name or "someone no longer listed"
        rows.append(LogRow(a, meetings[a.meeting_id], owner, a.item_title, today))
    _attach_last_updates(rows)
    return rows


def log_page(scope: Scope, f: LogFilters, today: date) -> LogPage:
    """The page of the log asked for, with its counts."""
    total, counts = counts_of(scope, f, today)
    return LogPage(_rows(_page_ids(scope, f, today), today), total, counts, f, today)


def _attach_last_updates(rows: list[LogRow]) -> None:
    """Each row's latest history entry: the newest id per action (ix_action_updates_action), as plain rows."""
    ids = [r.action.id for r in rows]
    if not ids:
        return
    updates_t = ActionUpdate.__table__
    latest = select(func.max(updates_t.c.id)).where(updates_t.c.action_id.in_(ids)).group_by(updates_t.c.action_id)
    by_action = {u.action_id: u for u in db.session.execute(select(updates_t).where(updates_t.c.id.in_(latest)))}
    for r in rows:
        r.last_update = by_action.get(r.action.id)


#: The most distinct outside owners' names matched in Python (beyond that the database matches them).
DISTINCT_MAX = 20_000


def _distinct_values(column: str, limit: int) -> list[str]:
    """The distinct non-null values of an indexed column of actions, hopping through its index.

    One index seek per value (a "skip scan", written as a recursive query that SQLite and
    PostgreSQL both run): a few hundred agencies or owners among 100,000 actions cost a few
    milliseconds instead of reading every action. `column` is one of our own column names.
    """
    assert column in ("owner_agency",)
    sql = text(
        f"WITH RECURSIVE v(value, n) AS ("
        f" SELECT (SELECT min({column}) FROM actions), 1"
        f" UNION ALL"
        f" SELECT (SELECT min(a.{column}) FROM actions a WHERE a.{column} > v.value), n + 1"
        f" FROM v WHERE v.value IS NOT NULL AND n < :limit"
        f") SELECT value FROM v WHERE value IS NOT NULL"
    )
    return list(db.session.scalars(sql, {"limit": limit}))


def agencies(scope: Scope, limit: int = 500) -> list[str]:
    """The agencies that own actions, for the filter's choices (one index seek per agency)."""
    if scope.participant_id is not None:
        q = select(Action.owner_agency).where(
            Action.owner_participant_id == scope.participant_id, Action.deleted_at.is_(None)
        ).distinct().order_by(Action.owner_agency)
        return list(db.session.scalars(q))
    in_scope = scope.meeting_condition()
    if in_scope is not None:
        q = select(Action.owner_agency).where(in_scope, Action.deleted_at.is_(None)).distinct().order_by(Action.owner_agency)
        return list(db.session.scalars(q.limit(limit)))
    return _distinct_values("owner_agency", limit)


def action_detail(link: AccessLink, action_id: int, today: date) -> LogRow:
    """One action the link may see, with its whole history."""
    return _row(find_action(link, action_id), today, history=True)


def my_actions(link: AccessLink, today: date) -> list[LogRow]:
    """A participant's own actions (their personal link), open ones first, each with its history."""
    if link.role != access.PARTICIPANT or not link.participant_id:
        raise Forbidden("Only a participant's own link has 'my actions'.")
    actions = db.session.scalars(
        select(Action)
        .where(Action.owner_participant_id == link.participant_id, Action.deleted_at.is_(None))
        .order_by(case((Action.status.in_(rules.ACTIVE), 0), else_=1), Action.due_date, Action.id)
    )
    return [_row(a, today, history=True) for a in actions]


def meeting_actions(meeting_id: int, today: date, *, confidential: bool = True) -> list[LogRow]:
    """Every live action of one meeting, in agenda order, with history (the meeting page of the log).

    `confidential=False` leaves out actions marked confidential, for readers whose role may not
    see them (access.sees_confidential)."""
    q = select(Action).where(Action.meeting_id == meeting_id, Action.deleted_at.is_(None))
    if not confidential:
        q = q.where(Action.confidential.is_(False))
    return [_row(a, today, history=True) for a in db.session.scalars(q.order_by(Action.id))]


# ---------------------------------------------------------------- carrying actions forward


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
            _same_owner(home, meeting),
            home.id != meeting.id,
            home.scheduled_start < meeting.scheduled_start,
            Action.deleted_at.is_(None),
            or_(Action.status.in_(rules.ACTIVE), Action.id.in_(reviewed_here)),
        )
        .order_by(home.scheduled_start, Action.due_date, Action.id)
    )
    if not confidential:
        q = q.where(Action.confidential.is_(False))
    return [_row(a, today, history=True) for a in db.session.scalars(q)]


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
                _same_owner(Meeting, meeting),
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


# ---------------------------------------------------------------- overview per agency and meeting type


def overview(date_from: date, date_to: date, today: date, scope: Scope | None = None) -> dict:
    """Completion and overdue counts of actions due in the period, per agency and per meeting type
    (of the meetings in `scope`)."""
    active = Action.status.in_(rules.ACTIVE)
    measures = (
        func.count(),
        func.sum(case((Action.status == rules.CANCELLED, 1), else_=0)),
        func.sum(case((Action.status == rules.DONE, 1), else_=0)),
        func.sum(case((and_(Action.status == rules.DONE, Action.closed_on > Action.due_date), 1), else_=0)),
        func.sum(case((Action.status == rules.NOT_DONE, 1), else_=0)),
        func.sum(case((active, 1), else_=0)),
        func.sum(case((and_(active, Action.due_date < today), 1), else_=0)),
    )
    where = (Action.deleted_at.is_(None), Action.due_date >= date_from, Action.due_date <= date_to)
    in_scope = scope.meeting_condition() if scope is not None else None
    if in_scope is not None:
        where = (*where, in_scope)

    def table(key, label, join_meeting: bool) -> list[dict]:
        q = select(key, *measures).where(*where).group_by(key).order_by(key)
        if join_meeting:
            q = q.join(Meeting, Meeting.id == Action.meeting_id)
        out = []
        for name, total, cancelled, done, late, not_done, active_n, overdue in db.session.execute(q):
            counted = total - int(cancelled or 0)
            out.append(
                {
                    "key": name,
                    "label": label(name),
                    "actions": total,
                    "counted": counted,
                    "done": int(done or 0),
                    "done_late": int(late or 0),
                    "not_done": int(not_done or 0),
                    "active": int(active_n or 0),
                    "overdue": int(overdue or 0),
                    "cancelled": int(cancelled or 0),
                    "completion_rate": rules.completion_rate(int(done or 0), counted),
                }
            )
        return out

    by_agency = table(Action.owner_agency, lambda a: a, False)
    by_type = table(Meeting.meeting_type, lambda t: MEETING_TYPES.get(t, t), True)
    totals = {k: sum(r[k] for r in by_agency) for k in ("actions", "counted", "done", "done_late", "not_done", "active", "overdue", "cancelled")}
    totals["completion_rate"] = rules.completion_rate(totals["done"], totals["counted"])
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "today": today.isoformat(),
        "by_agency": by_agency,
        "by_meeting_type": by_type,
        "totals": totals,
    }


# ---------------------------------------------------------------- CSV export

CSV_COLUMNS = [
    "Action", "What", "Owner", "Agency", "Need or outcome", "Status", "Standing", "Due", "Follow-up",
    "Closed on", "Last update", "Child", "Meeting", "Meeting type", "Meeting date", "Agenda item",
]


def csv_lines(scope: Scope, f: LogFilters, today: date) -> Iterator[str]:
    """The whole filtered log as CSV (every page), in chunks; dates UK style, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    zone = local_zone()

    def cells(values) -> None:
        writer.writerow([rules.safe_cell(v) for v in values])

    def flush() -> str:
        text_ = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text_

    buffer.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    cells(CSV_COLUMNS)
    owner = aliased(Participant)
    owner_label = func.coalesce(owner.name, Action.owner_name)
    q = (
        select(
            Action.id, Action.what, owner_label, Action.owner_agency, Action.need, Action.status, Action.due_date,
            Action.follow_up_date, Action.closed_on, Action.progress_at, Meeting.child_ref, Meeting.title,
            Meeting.meeting_type, Meeting.scheduled_start, AgendaItem.title,
        )
        .join(Meeting, Meeting.id == Action.meeting_id)
        .outerjoin(owner, owner.id == Action.owner_participant_id)
        .outerjoin(AgendaItem, AgendaItem.id == Action.agenda_item_id)
        .where(*_base_conditions(scope, f), *_standing_conditions(f, today))
        .order_by(*_order(f, owner_label))
        .execution_options(yield_per=2000)
    )
    types = {k: v for k, v in MEETING_TYPES.items()}
    count = 0
    for (aid, what, name, agency, need, status, due, follow, closed, progress, child, title, mtype, start, item) in db.session.execute(q):
        cells(
            [
                aid, what, name or "", agency, need or "", rules.STATUSES.get(status, status),
                rules.standing_note(status, due, follow, closed, today),
                rules.uk_date(due), rules.uk_date(follow), rules.uk_date(closed),
                rules.uk_date(progress.astimezone(zone).date()) if progress else "",
                child, title, types.get(mtype, mtype), rules.uk_date(start.astimezone(zone).date()), item or "",
            ]
        )
        count += 1
        if count % 500 == 0:
            yield flush()
    yield flush()


def record_export(link: AccessLink, f: LogFilters, total: int) -> None:
    """The audit trail notes who exported the log, with which filters (sensitive data)."""
    log_access(link, "actions.export_csv", "action_log", after={"filters": f.query_args(page=None, per_page=None), "rows": total})


# ---------------------------------------------------------------- calendar feeds


def participant_key(participant_id: int) -> str:
    return f"participant:{participant_id}"


def email_key(email: str) -> str:
    return f"email:{email.lower()}"


def feed_for(owner_key: str) -> CalendarFeed:
    """The owner's private feed, created the first time it is asked for (safe when two ask at once)."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.owner_key == owner_key))
    if feed is not None:
        return feed
    db.session.rollback()
    begin_write()
    try:
        feed = CalendarFeed(token=new_token(), owner_key=owner_key, created_at=utcnow())
        db.session.add(feed)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.owner_key == owner_key))
    return feed


def owner_key_of(action: Action) -> str | None:
    """Whose calendar an action belongs in: its participant owner, or its outside owner's address."""
    if action.owner_participant_id:
        return participant_key(action.owner_participant_id)
    if action.owner_email:
        return email_key(action.owner_email)
    return None


def feed_actions(feed: CalendarFeed) -> list[tuple[Action, Meeting]] | None:
    """The active actions in a feed; None when the feed no longer works."""
    if feed.revoked_at is not None:
        return None
    kind, _, value = feed.owner_key.partition(":")
    q = select(Action, Meeting).join(Meeting, Meeting.id == Action.meeting_id).where(
        Action.deleted_at.is_(None), Action.status.in_(rules.ACTIVE)
    )
    if kind == "participant":
        participant = db.session.get(Participant, int(value))
        if participant is None or participant.removed_at is not None:
            return None
        q = q.where(Action.owner_participant_id == participant.id)
    elif kind == "email":
        with_address = select(ParticipantEmail.participant_id).where(func.lower(ParticipantEmail.email) == value)
        q = q.where(or_(func.lower(Action.owner_email) == value, Action.owner_participant_id.in_(with_address)))
    else:
        return None
    return list(db.session.execute(q.order_by(Action.due_date, Action.id)))


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 line folding: at most 75 octets per line, continuation lines start with a space."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def render_calendar(name: str, entries: list[tuple[Action, Meeting]], now: datetime, domain: str) -> str:
    """An iCalendar document: one all-day event per due date and per follow-up date."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Common Ground//Action log//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_text(name)}",
        "X-PUBLISHED-TTL:PT1H",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for action, meeting in entries:
        what = action.what if len(action.what) <= 80 else action.what[:79] + "…"
        details = (
            f"{action.what}\n\nOwner's agency: {action.owner_agency}\n"
            f"Agreed at: {meeting.title} ({MEETING_TYPES.get(meeting.meeting_type, meeting.meeting_type)}), "
            f"{rules.uk_date(today_local(meeting.scheduled_start))}\nChild: {meeting.child_ref}\n"
            f"Due {rules.uk_date(action.due_date)}; follow-up {rules.uk_date(action.follow_up_date)}"
        )
        for kind, day, title in (
            ("due", action.due_date, f"Due: {what} (child {meeting.child_ref})"),
            ("follow-up", action.follow_up_date, f"Follow-up: {what} (child {meeting.child_ref})"),
        ):
            lines += [
                "BEGIN:VEVENT",
                f"UID:action-{action.id}-{kind}@{domain}",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
                f"SUMMARY:{_ics_text(title)}",
                f"DESCRIPTION:{_ics_text(details)}",
                f"CATEGORIES:{_ics_text(action.owner_agency)}",
                "TRANSP:TRANSPARENT",
                f"SEQUENCE:{action.version}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


# ---------------------------------------------------------------- reminders


@dataclass
class ReminderRun:
    """What one run of the reminder sender did."""

    now: datetime
    sent: list[str] = field(default_factory=list)
    already: int = 0
    failed: list[str] = field(default_factory=list)
    no_address: int = 0
    planned: list[str] = field(default_factory=list)


def _owner_facts(today: date) -> list[tuple[rules.ActionFacts, Action, Meeting, str | None]]:
    """Active actions whose due or follow-up date is in the reminder window, with owner addresses."""
    cfg = current_app.config
    lo, hi = rules.reminder_window(today, days_before=cfg["REMINDER_DAYS_BEFORE"], catch_up_days=cfg["REMINDER_CATCH_UP_DAYS"])
    q = (
        select(Action, Meeting, ParticipantEmail.email)
        .join(Meeting, Meeting.id == Action.meeting_id)
        .outerjoin(ParticipantEmail, ParticipantEmail.participant_id == Action.owner_participant_id)
        .where(
            Action.deleted_at.is_(None),
            Action.status.in_(rules.ACTIVE),
            or_(Action.due_date.between(lo, hi), Action.follow_up_date.between(lo, hi)),
        )
        .order_by(Action.id)
    )
    out = []
    for action, meeting, participant_email in db.session.execute(q):
        email = participant_email if action.owner_participant_id else action.owner_email
        facts = rules.ActionFacts(action.id, action.status, action.due_date, action.follow_up_date, email)
        out.append((facts, action, meeting, email))
    return out


def _participant_link(participant_id: int | None) -> AccessLink | None:
    if not participant_id:
        return None
    return db.session.scalar(
        select(AccessLink).where(AccessLink.participant_id == participant_id, AccessLink.revoked_at.is_(None))
    )


def _claim(r: rules.Reminder, now: datetime) -> int | None:
    """Claim a reminder for this process; None when another sender has it (or sent it) already.

    The unique key on (kind, subject, recipient, occasion) is the claim: of several processes
    inserting the same reminder, exactly one succeeds. A failed send may be claimed again (up to
    MAIL_MAX_ATTEMPTS); a claim whose sender died mid-send is never resent (it may have gone out).
    """
    me = f"{socket.gethostname()}:{os.getpid()}"[:120]
    begin_write()
    try:
        row = ReminderSent(
            kind=r.kind, subject=r.subject, recipient=r.recipient, occasion=r.occasion, action_id=r.action_id,
            status="claimed", attempts=1, claimed_by=me, claimed_at=now,
        )
        db.session.add(row)
        db.session.commit()
        return row.id
    except IntegrityError:
        db.session.rollback()
    begin_write()
    retried = db.session.execute(
        update(ReminderSent)
        .where(
            ReminderSent.kind == r.kind, ReminderSent.subject == r.subject, ReminderSent.recipient == r.recipient,
            ReminderSent.occasion == r.occasion, ReminderSent.status == "failed",
            ReminderSent.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
        )
        .values(status="claimed", attempts=ReminderSent.attempts + 1, claimed_by=me, claimed_at=now, error=None)
    )
    db.session.commit()
    if retried.rowcount != 1:
        return None
    return db.session.scalar(
        select(ReminderSent.id).where(
            ReminderSent.kind == r.kind, ReminderSent.subject == r.subject,
            ReminderSent.recipient == r.recipient, ReminderSent.occasion == r.occasion,
        )
    )


def _deliver(claim_id: int, message, sender: mail.Sender) -> str | None:
    """Send a claimed message and mark the claim; returns the error text if it failed."""
    try:
        sender.send(message)
    except Exception as exc:  # noqa: BLE001 - any failure to hand over the message is recorded and retried later
        db.session.rollback()
        begin_write()
        db.session.execute(update(ReminderSent).where(ReminderSent.id == claim_id).values(status="failed", error=str(exc)[:1000]))
        db.session.commit()
        return str(exc)
    begin_write()
    db.session.execute(update(ReminderSent).where(ReminderSent.id == claim_id).values(status="sent", sent_at=utcnow()))
    db.session.commit()  # with the outbox backend, the message row commits together with its claim
    return None


def _owner_message(r: rules.Reminder, action: Action, meeting: Meeting, claim_id: int, today: date):
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    child = meeting.child_ref
    what = action.what if len(action.what) <= 60 else action.what[:59] + "…"
    subject = {
        rules.DUE_SOON: f"Action due {rules.uk_date(action.due_date)} (child {child}): {what}",
        rules.FOLLOW_UP_SOON: f"Follow-up {rules.uk_date(action.follow_up_date)} (child {child}): {what}",
        rules.BECAME_OVERDUE: f"Overdue since {rules.uk_date(action.due_date)} (child {child}): {what}",
    }[r.kind]
    opening = {
        rules.DUE_SOON: f"This action is due on {rules.uk_date(action.due_date)}.",
        rules.FOLLOW_UP_SOON: f"This action's follow-up date is {rules.uk_date(action.follow_up_date)}: "
        "the day someone checks it was done.",
        rules.BECAME_OVERDUE: f"This action was due on {rules.uk_date(action.due_date)} and is not yet recorded as done.",
    }[r.kind]
    link = _participant_link(action.owner_participant_id)
    lines = [
        "Hello,",
        "",
        opening,
        "",
        f"  What: {action.what}",
        f"  Agency: {action.owner_agency}",
        f"  Status: {rules.STATUSES.get(action.status, action.status)}",
        f"  Due: {rules.uk_date(action.due_date)}; follow-up: {rules.uk_date(action.follow_up_date)}",
        f"  Agreed at: {meeting.title}, {rules.uk_date(today_local(meeting.scheduled_start))} (child {child})",
        "",
    ]
    if link is not None:
        lines += ["Record progress (status, a note, evidence) from your personal link:", f"  {base}/join/{link.token}/actions", ""]
    else:
        lines += ["To record progress, reply to the chair of the meeting.", ""]
    key = owner_key_of(action)
    if key:
        lines += ["Your due and follow-up dates as a calendar you can subscribe to:", f"  {base}/calendar/{feed_for(key).token}.ics", ""]
    lines += ["This reminder is sent once. Common Ground"]
    return mail.build(r.recipient, subject, "\n".join(lines), f"reminder-{claim_id}-{r.kind}")


def _digest_message(r: rules.Reminder, meeting_ids: list[int], claim_id: int, today: date):
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    rows: list[LogRow] = []
    q = (
        select(Action)
        .where(Action.meeting_id.in_(meeting_ids), Action.deleted_at.is_(None), Action.status.in_(rules.ACTIVE))
        .order_by(Action.due_date, Action.id)
    )
    for action in db.session.scalars(q):
        rows.append(_row(action, today))
    overdue = [x for x in rows if x.standing in (rules.LAPSED, rules.OVERDUE)]
    week = [x for x in rows if x.standing == rules.DUE_THIS_WEEK]
    follow = [x for x in rows if x.standing == rules.ON_TRACK and today <= x.action.follow_up_date < today + timedelta(days=7)]
    missed = list(
        db.session.scalars(
            select(ActionUpdate)
            .where(
                ActionUpdate.meeting_id.in_(meeting_ids),
                ActionUpdate.kind == rules.MISSED_PROVISION,
                ActionUpdate.occurred_on >= today - timedelta(days=7),
            )
            .order_by(ActionUpdate.occurred_on)
        )
    )
    chair = db.session.scalar(
        select(AccessLink)
        .join(Meeting, Meeting.id == AccessLink.meeting_id)
        .where(AccessLink.meeting_id.in_(meeting_ids), AccessLink.role == access.CHAIR, AccessLink.revoked_at.is_(None))
        .order_by(Meeting.scheduled_start.desc())
    )
    monday = today - timedelta(days=today.weekday())
    subject = f"Weekly action digest, week of {rules.uk_date(monday)}: {len(overdue)} overdue, {len(week)} due this week"

    def block(title: str, items: list[LogRow]) -> list[str]:
        if not items:
            return [f"{title}: none", ""]
        out = [f"{title} ({len(items)}):"]
        for x in items:
            a, m = x.action, x.meeting
            note = rules.standing_note(a.status, a.due_date, a.follow_up_date, a.closed_on, today)
            out.append(f"  - {a.what} — {x.owner} ({a.owner_agency}); child {m.child_ref}; {note}")
        return [*out, ""]

    lines = [f"Actions from the meetings you chair, as of {rules.uk_date(today)}.", ""]
    lines += block("Overdue", overdue)
    lines += block("Due this week", week)
    lines += block("Follow-up this week", follow)
    if missed:
        lines.append(f"Support reported as not delivered in the last 7 days ({len(missed)}):")
        for u in missed:
            action = db.session.get(Action, u.action_id)
            lines.append(f"  - {rules.uk_date(u.occurred_on)}: {u.note} (action: {action.what}; reported by {u.author})")
        lines.append("")
    if chair is not None:
        lines += ["The action log:", f"  {base}/actions/{chair.token}?overdue=1", ""]
    lines += [f"{len(rows)} actions are open in all.", "Common Ground"]
    return mail.build(r.recipient, subject, "\n".join(lines), f"digest-{claim_id}")


def _digests_due(now: datetime) -> list[tuple[rules.Reminder, list[int]]]:
    cfg = current_app.config
    week = rules.digest_week(now, local_zone(), weekday=cfg["DIGEST_WEEKDAY"], hour=cfg["DIGEST_HOUR"])
    if week is None:
        return []
    by_address: dict[str, list[int]] = {}
    for meeting_id, email in db.session.execute(select(ChairEmail.meeting_id, ChairEmail.email).order_by(ChairEmail.meeting_id)):
        by_address.setdefault(email.lower(), []).append(meeting_id)
    return [(rules.Reminder(rules.WEEKLY_DIGEST, "digest", addr, week), ids) for addr, ids in sorted(by_address.items())]


def send_reminders(now: datetime, *, dry_run: bool = False) -> ReminderRun:
    """Send every reminder due at `now` that no sender has claimed yet: owners' and the chairs' digests."""
    cfg = current_app.config
    today = today_local(now)
    run = ReminderRun(now)
    facts = _owner_facts(today)
    by_id = {f.action_id: (action, meeting) for f, action, meeting, _ in facts}
    due = rules.reminders_due(
        [f for f, *_ in facts], today, days_before=cfg["REMINDER_DAYS_BEFORE"], catch_up_days=cfg["REMINDER_CATCH_UP_DAYS"]
    )
    run.no_address = sum(1 for f, *_ in facts if f.status in rules.ACTIVE and not f.owner_email)
    digests = _digests_due(now)
    db.session.rollback()  # end the read before claiming
    if dry_run:
        run.planned = [f"{r.kind} to {r.recipient} ({r.subject}, {r.occasion})" for r in due]
        run.planned += [f"{r.kind} to {r.recipient} ({r.occasion})" for r, _ in digests]
        return run
    with mail.Sender(current_app.config) as sender:
        for r in due:
            claim = _claim(r, now)
            if claim is None:
                run.already += 1
                continue
            action, meeting = by_id[r.action_id]
            action = db.session.get(Action, action.id)
            meeting = db.session.get(Meeting, meeting.id)
            error = _deliver(claim, _owner_message(r, action, meeting, claim, today), sender)
            label = f"{r.kind} to {r.recipient} for action {r.action_id} ({r.occasion})"
            (run.failed if error else run.sent).append(label + (f": {error}" if error else ""))
        for r, meeting_ids in digests:
            claim = _claim(r, now)
            if claim is None:
                run.already += 1
                continue
            error = _deliver(claim, _digest_message(r, meeting_ids, claim, today), sender)
            label = f"{r.kind} to {r.recipient} ({r.occasion})"
            (run.failed if error else run.sent).append(label + (f": {error}" if error else ""))
    return run


def outbox(limit: int = 200) -> list[OutboxMessage]:
    """Messages kept in the development outbox, newest first."""
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))


def reminder_claims(limit: int = 200) -> list[ReminderSent]:
    """Recent reminder claims (sent, failed, or left claimed by a sender that stopped), newest first."""
    return list(db.session.scalars(select(ReminderSent).order_by(ReminderSent.id.desc()).limit(limit)))
