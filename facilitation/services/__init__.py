"""The imperative shell: load, let the domain decide, save with an audit entry, commit, return events.

This is the only module that commits. Every command follows the same path (`execute`), whether it
arrives over Socket.IO or the JSON API, so the rules, the audit trail, the sequence numbers and
idempotency are the same for both.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from .. import queries, schemas
from ..domain import access, agenda
from ..domain import meetings as meeting_rules
from ..domain.errors import Conflict, NotFound, RuleViolation
from ..extensions import db
from ..models import (
    AccessLink,
    AgendaItem,
    AuditEntry,
    CommandRecord,
    Meeting,
    MeetingEvent,
    Participant,
    User,
    utcnow,
)


class Forbidden(RuleViolation):
    """The link's role is not allowed this command."""

    code = "forbidden"


class Unauthorised(RuleViolation):
    """The link is unknown, revoked or belongs to another meeting."""

    code = "unauthorised"


@dataclass
class Outcome:
    """What a command did: its result for the sender and the event for everyone in the room."""

    result: dict
    event: dict | None = None
    meeting_id: int | None = None
    replayed: bool = False
    #: (meeting id, event) for other meetings' rooms the command also wrote to, e.g. an earlier
    #: meeting's action updated in a later meeting's review of previous actions
    other_events: list[tuple[int, dict]] = field(default_factory=list)

    @property
    def seq(self) -> int | None:
        return self.event["seq"] if self.event else self.result.get("seq")


@dataclass
class Change:
    """What a command touched, collected while it runs and turned into one event."""

    meeting: Meeting
    items: list[AgendaItem]
    link: AccessLink
    now: datetime
    #: collection name ("items", "participants", "decisions", ...) -> id -> row
    changed: dict[str, dict[int, Any]] = field(default_factory=dict)
    removed: dict[str, list[int]] = field(default_factory=dict)
    other_events: list[tuple[int, dict]] = field(default_factory=list)
    #: audit rows, written with the event in one multi-row INSERT when the command has run
    audits: list[dict] = field(default_factory=list)

    def put(self, collection: str, *rows) -> None:
        for row in rows:
            self.changed.setdefault(collection, {})[row.id] = row

    def drop(self, collection: str, row_id: int) -> None:
        self.removed.setdefault(collection, []).append(row_id)

    def touched(self, items: list[AgendaItem]) -> None:
        self.put("items", *items)

    @property
    def meeting_day(self):
        return self.meeting.scheduled_start.astimezone(local_zone()).date()

    @property
    def today(self):
        return self.now.astimezone(local_zone()).date()

    def audit(self, action: str, entity: str, entity_id: int | None, before=None, after=None) -> None:
        self.audits.append(
            {
                "meeting_id": self.meeting.id,
                "link_id": self.link.id,
                "user_id": getattr(self.link, "user_id", None),
                "actor": actor_label(self.link),
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": before,
                "after": after,
                "note": None,
                "at": self.now,
            }
        )


@dataclass(frozen=True)
class Command:
    """A command the chair (or another role) can send; its permission is in domain.access."""

    name: str
    args: type[schemas.Args]
    handler: Callable[[Change, Any], dict | None]
    summary: str

    @property
    def permission(self) -> str:
        return self.name


COMMANDS: dict[str, Command] = {}


def command(name: str, args: type[schemas.Args], summary: str):
    """Register a handler as the command `name`; it must have a row in the permission table."""
    if name not in access.PERMISSIONS:
        raise RuntimeError(f"command {name} has no entry in domain.access.PERMISSIONS")

    def register(fn):
        COMMANDS[name] = Command(name, args, fn, summary)
        return fn

    return register


def actor_label(link: AccessLink) -> str:
    """A readable name for who used a link, for the audit trail."""
    if link.participant is not None:
        return f"{link.participant.name} ({link.role})"
    user_id = getattr(link, "user_id", None)
    user = db.session.get(User, user_id) if user_id else None
    label = {"chair": "Chair", "note_taker": "Note-taker", "screen": "Shared screen"}.get(link.role, link.role)
    return f"{user.name} ({label})" if user is not None else label


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE", "Europe/London"))


def as_utc(value: datetime) -> datetime:
    """A datetime as aware UTC; a naive one is read as the organisation's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def log_access(link: AccessLink, action: str, entity: str, *, after: dict | None = None, note: str | None = None) -> None:
    """Note in the audit trail who read or exported part of a meeting's record (special-category data)."""
    _begin_write()
    db.session.add(
        AuditEntry(
            meeting_id=link.meeting_id,
            link_id=link.id,
            actor=actor_label(link),
            action=action,
            entity=entity,
            entity_id=None,
            after=after,
            note=note,
            at=utcnow(),
        )
    )
    db.session.commit()


def new_token() -> str:
    return secrets.token_urlsafe(32)


# ---------------------------------------------------------------- the one path for every command


def execute(link: AccessLink | None, name: str, raw_args: Any, command_id: str | None = None) -> Outcome:
    """Check, decide, write and commit one command; return its result and event."""
    if link is None or link.revoked_at is not None:
        raise Unauthorised("This link is not valid. Ask the chair for a new one.")
    spec = COMMANDS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise NotFound("Unknown command.", field="name")
    if not access.may(link.role, spec.permission):
        raise Forbidden("Your role in this meeting does not allow that.")
    args = schemas.parse(spec.args, raw_args)
    meeting_id = link.meeting_id
    fingerprint = _fingerprint(name, args) if command_id else None

    # A retried command id is found by the unique (meeting, command id) of its record: the insert
    # below fails and the stored outcome is returned (or, if this run was refused, looked up then),
    # which saves every first-time command a lookup.
    _begin_write()
    try:
        meeting = db.session.get(Meeting, meeting_id, with_for_update=True, populate_existing=True)
        if meeting is None:
            raise Unauthorised("This link is not valid. Ask the chair for a new one.")
        change = Change(meeting, queries.load_items(meeting_id), link, utcnow())
        result = spec.handler(change, args) or {}
        event = _append_event(change, name)
        result = {"ok": True, "seq": event["seq"], **result}
        # The rows every command writes go in as plain INSERTs (Core), not through the ORM's unit
        # of work: the same SQL for about a millisecond less per command (benchmarks/room_fanout.py).
        if change.audits:
            db.session.execute(insert(AuditEntry.__table__), change.audits)
        if command_id:
            db.session.execute(
                insert(CommandRecord.__table__).values(
                    meeting_id=meeting_id,
                    command_id=command_id,
                    name=name,
                    fingerprint=fingerprint,
                    result=result,
                    created_at=change.now,
                )
            )
        db.session.commit()
    except (IntegrityError, RuleViolation):
        db.session.rollback()
        done = _recorded(meeting_id, command_id, fingerprint) if command_id else None
        if done is None:
            raise
        return done
    except Exception:
        db.session.rollback()
        raise
    return Outcome(result=result, event=event, meeting_id=meeting_id, other_events=change.other_events)


def _fingerprint(name: str, args: schemas.Args) -> str:
    canonical = json.dumps([name, args.model_dump(mode="json")], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _recorded(meeting_id: int, command_id: str, fingerprint: str | None) -> Outcome | None:
    """The stored outcome of a command id already applied; a different command under it is refused."""
    record = db.session.scalar(
        select(CommandRecord).where(
            CommandRecord.meeting_id == meeting_id, CommandRecord.command_id == command_id
        )
    )
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise RuleViolation(
            "This command id was already used for a different command; send a new id.", code="id_reused"
        )
    return Outcome(result=record.result, meeting_id=meeting_id, replayed=True)


def _begin_write() -> None:
    """Start the command's transaction, taking SQLite's write lock up front.

    SQLite's default deferred transaction would upgrade its lock at the first write and can fail
    there under concurrency; taking it first makes concurrent commands simply queue.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _append_event(change: Change, name: str) -> dict:
    meeting = change.meeting
    meeting.last_seq += 1
    now = change.now
    data: dict[str, Any] = {"meeting": queries.meeting_view(meeting, change.items, now)}
    for collection, rows in change.changed.items():
        view = queries.VIEWS[collection]
        data[collection] = [view(row, now) for row in sorted(rows.values(), key=queries.SORT_KEYS[collection])]
    for collection, ids in change.removed.items():
        data[f"removed_{collection}"] = ids
    db.session.execute(
        insert(MeetingEvent.__table__).values(meeting_id=meeting.id, seq=meeting.last_seq, type=name, data=data, created_at=now)
    )
    return {"seq": meeting.last_seq, "type": name, "data": data, "at": queries.iso(now)}


# ---------------------------------------------------------------- meetings


def create_meeting(raw_args: Any, owner: User | None = None, *, bind_chair: bool = True) -> tuple[Meeting, dict]:
    """Prepare a meeting (usual agenda for its type if asked); return it with its chair and screen links.

    The staff account that prepares it owns it; its chair link then works only for that account
    when signed in (`bind_chair`), so a forwarded chair link alone opens nothing. A system using
    the JSON API with an API token gets an unbound chair link: the token holder is the chair.
    """
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
    )
    db.session.add(meeting)
    if args.use_usual_agenda:
        for position, (item_title, minutes) in enumerate(meeting_rules.USUAL_AGENDAS[meeting_type], 1):
            meeting.items.append(
                AgendaItem(position=position, title=item_title, allocated_seconds=minutes * 60)
            )
    # The next meeting for a child opens with a review of the actions still open from earlier ones.
    _action_log.open_with_review_of_previous_actions(db.session, meeting)
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


def _check_version(entity, version: int, current: dict) -> None:
    if entity.version != version:
        raise Conflict(
            "Someone else changed this since you opened it. The current values are shown; "
            "make your change again if it is still needed.",
            current=current,
        )


@command("meeting.update", schemas.UpdateMeetingArgs, "Edit the meeting's title, type, child reference or times")
def update_meeting(change: Change, args: schemas.UpdateMeetingArgs) -> None:
    """Edit the meeting's details; stale versions get a conflict."""
    meeting = change.meeting
    before = queries.meeting_view(meeting, change.items, change.now)
    _check_version(meeting, args.version, before)
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
    meeting.title, meeting.meeting_type, meeting.child_ref = title, meeting_type, child_ref
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
    change.audit("meeting.update", "meeting", meeting.id, before, queries.meeting_view(meeting, change.items, change.now))


# ---------------------------------------------------------------- preparing the agenda


def _item(change: Change, item_id: int) -> AgendaItem:
    for item in change.items:
        if item.id == item_id:
            return item
    raise NotFound("There is no such agenda item in this meeting.", field="item_id")


@command("agenda.add_item", schemas.AddItemArgs, "Add an agenda item at the end")
def add_item(change: Change, args: schemas.AddItemArgs) -> dict:
    """Add an item at the end of the agenda."""
    position = agenda.check_can_add_item(change.meeting, change.items)
    title, presenter, seconds = agenda.clean_item_fields(args.title, args.presenter, args.minutes)
    item = AgendaItem(
        meeting_id=change.meeting.id,
        position=position,
        title=title,
        presenter=presenter,
        allocated_seconds=seconds,
        extended_seconds=0,
        status=agenda.PENDING,
        deferred=False,
        elapsed_before=0.0,
        version=1,
    )
    db.session.add(item)
    db.session.flush()
    change.items.append(item)
    change.touched([item])
    change.audit("agenda.add_item", "agenda_item", item.id, None, queries.item_view(item, change.now))
    return {"item_id": item.id}


@command("agenda.update_item", schemas.UpdateItemArgs, "Edit an agenda item's title, presenter or minutes")
def update_item(change: Change, args: schemas.UpdateItemArgs) -> None:
    """Edit an item not yet covered; stale versions get a conflict."""
    item = _item(change, args.item_id)
    before = queries.item_view(item, change.now)
    _check_version(item, args.version, before)
    agenda.check_can_edit_item(change.meeting, item)
    title, presenter, seconds = agenda.clean_item_fields(
        args.title if args.title is not None else item.title,
        args.presenter if "presenter" in args.model_fields_set else item.presenter,
        args.minutes if args.minutes is not None else item.allocated_seconds // 60,
    )
    item.title, item.presenter, item.allocated_seconds = title, presenter, seconds
    item.version += 1
    change.touched([item])
    change.audit("agenda.update_item", "agenda_item", item.id, before, queries.item_view(item, change.now))


@command("agenda.remove_item", schemas.ItemArgs, "Remove an agenda item that has not been started")
def remove_item(change: Change, args: schemas.ItemArgs) -> None:
    """Remove an item that has not been started."""
    item = _item(change, args.item_id)
    agenda.check_can_remove_item(change.meeting, item)
    before = queries.item_view(item, change.now)
    change.items.remove(item)
    db.session.delete(item)
    change.drop("items", item.id)
    change.audit("agenda.remove_item", "agenda_item", item.id, before, None)


@command("agenda.reorder", schemas.ReorderArgs, "Put the agenda items in a new order")
def reorder_items(change: Change, args: schemas.ReorderArgs) -> None:
    """Reorder the whole agenda."""
    if change.meeting.status == agenda.ENDED:
        raise RuleViolation("The meeting has ended; its agenda can no longer change.")
    before = [i.id for i in agenda.ordered(change.items)]
    moved = agenda.reorder(change.items, list(args.item_ids))
    for item in moved:
        item.version += 1
    change.touched(moved)
    change.audit("agenda.reorder", "meeting", change.meeting.id, {"order": before}, {"order": list(args.item_ids)})


# ---------------------------------------------------------------- running the clock


def _clock(name: str, decide: Callable, summary: str, args_model=schemas.NoArgs, arg: str | None = None):
    """Register a clock command: the domain function decides, the item changes are recorded."""

    def handler(change: Change, args) -> None:
        before = change.meeting.current_item_id
        extra = [getattr(args, arg)] if arg else []
        changed = decide(change.meeting, change.items, *extra, change.now)
        change.touched(changed)
        change.audit(
            name,
            "meeting",
            change.meeting.id,
            {"current_item_id": before},
            {"current_item_id": change.meeting.current_item_id, **({arg: getattr(args, arg)} if arg else {})},
        )

    handler.__doc__ = summary
    command(name, args_model, summary)(handler)


_clock("clock.start_meeting", agenda.start_meeting, "Start the meeting and the first item's clock")
_clock("clock.pause", agenda.pause, "Pause the current item's clock")
_clock("clock.resume", agenda.resume, "Resume the current item's clock")
_clock("clock.extend", agenda.extend, "Give the current item more time", schemas.ExtendArgs, "seconds")
_clock("clock.next_item", agenda.next_item, "Finish the current item and start the next")
_clock("clock.previous_item", agenda.previous_item, "Go back to the previous item")
_clock("clock.goto_item", agenda.goto_item, "Open a chosen item", schemas.ItemArgs, "item_id")
_clock("clock.skip_item", agenda.skip_item, "Skip an item (the current one if none named)", schemas.OptionalItemArgs, "item_id")
_clock("clock.defer_item", agenda.defer_item, "Move an item to the end of the agenda (the current one if none named)", schemas.OptionalItemArgs, "item_id")
_clock("clock.end_meeting", agenda.end_meeting, "End the meeting")


# ---------------------------------------------------------------- participants


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
        meeting_id=change.meeting.id, name=name, role=role, agency=agency, agency_name=agency_name, version=1
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
        _action_log.set_participant_email(change, participant, args.email)
    change.put("participants", participant)
    change.audit("participants.add", "participant", participant.id, None, queries.participant_view(participant))
    db.session.flush()
    return {"participant_id": participant.id, "join_path": queries.link_path(link), "link": link_view(link)}


@command("participants.update", schemas.UpdateParticipantArgs, "Edit a participant's name, role or agency")
def update_participant(change: Change, args: schemas.UpdateParticipantArgs) -> None:
    """Edit a participant; stale versions get a conflict."""
    participant = _participant(change, args.participant_id)
    before = queries.participant_view(participant)
    _check_version(participant, args.version, before)
    name, role, agency, agency_name = meeting_rules.clean_participant_fields(
        args.name if args.name is not None else participant.name,
        args.role if args.role is not None else participant.role,
        args.agency if args.agency is not None else participant.agency,
        args.agency_name if "agency_name" in args.model_fields_set else participant.agency_name,
    )
    participant.name, participant.role = name, role
    participant.agency, participant.agency_name = agency, agency_name
    participant.version += 1
    if "email" in args.model_fields_set:
        _action_log.set_participant_email(change, participant, args.email)
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
    change.drop("participants", participant.id)
    change.audit("participants.remove", "participant", participant.id, before, None)
    return {"revoked_link_ids": revoked}


# ---------------------------------------------------------------- links


def invite_expiry(meeting: Meeting) -> datetime:
    """When a new invite link for this meeting stops working: the organisation's period after its end."""
    from .accounts import organisation

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


@command("links.add_note_taker", schemas.AddNoteTakerArgs, "Give a staff note-taker a link that works only when they are signed in")
def add_note_taker(change: Change, args: schemas.AddNoteTakerArgs) -> dict:
    """A note-taker records in the meeting from the chair console without its clock."""
    from .accounts import user_by_email

    user = user_by_email(args.email)
    if user is None or not user.active:
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


from . import action_log as _action_log  # noqa: E402  (the action log's commands; participants' e-mail)
from . import minutes as _minutes  # noqa: E402,F401  (registers the minutes' commands)
from . import registers as _registers  # noqa: E402,F401  (registers the record's commands)
