"""The one path every command takes: check, decide, write with its audit rows and event, commit.

Whether a command arrives over Socket.IO or the JSON API it runs through `execute`, so the rules,
the audit trail, the sequence numbers and idempotency are the same for both. Command modules
(meetings, agenda, participants, links, registers, minutes, action_log) declare their commands with
`@command`; nothing else in the package commits a room command.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from .. import queries, schemas
from ..domain import access
from ..domain.errors import Conflict, NotFound, RuleViolation
from ..extensions import db
from ..models import (
    AccessLink,
    AgendaItem,
    AuditEntry,
    CommandRecord,
    Meeting,
    MeetingEvent,
    User,
    utcnow,
)
from . import records
from .records import Record
from .row_updates import write_changed_rows


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
    #: work for after the commit and its broadcast (e-mail to send), each returning further outcomes
    after_commit: list[Callable[[], list[Outcome]]] = field(default_factory=list)

    @property
    def seq(self) -> int | None:
        return self.event["seq"] if self.event else self.result.get("seq")


@dataclass
class Change:
    """What a command touched, collected while it runs and turned into one event."""

    #: ORM objects, or records (services.records) for a command declared with records=True
    meeting: Meeting | Record
    items: list[AgendaItem] | list[Record]
    link: AccessLink | Record
    now: datetime
    #: collection name ("items", "participants", "decisions", ...) -> id -> row
    changed: dict[str, dict[int, Any]] = field(default_factory=dict)
    removed: dict[str, list[int]] = field(default_factory=dict)
    other_events: list[tuple[int, dict]] = field(default_factory=list)
    #: audit rows, written with the event in one multi-row INSERT when the command has run
    audits: list[dict] = field(default_factory=list)
    #: flags for the event beyond the changed rows (e.g. "the statutory timeline changed: read it again")
    flags: dict[str, Any] = field(default_factory=dict)
    #: work that may run only once this command is committed (see Outcome.after_commit)
    after_commit: list[Callable[[], list[Outcome]]] = field(default_factory=list)
    later_keys: set[str] = field(default_factory=set)

    def later(self, key: str, task: Callable[[], list[Outcome]]) -> None:
        """Run `task` after the commit and the event's broadcast, once per `key` however often it is asked for."""
        if key not in self.later_keys:
            self.later_keys.add(key)
            self.after_commit.append(task)

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

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        before=None,
        after=None,
        *,
        meeting_id: int | None = None,
        actor: str | None = None,
        account: bool = True,
    ) -> None:
        """Note a change for the audit trail, written with the command's event (by default in this meeting, by this link)."""
        # An earlier meeting's action changed in a later meeting's review is audited in its own meeting
        # (`meeting_id`), with an actor saying where; the action log's rows have always named the link
        # only, not the staff account (`account=False`).
        self.audits.append(
            {
                "meeting_id": meeting_id if meeting_id is not None else self.meeting.id,
                "link_id": self.link.id,
                "user_id": getattr(self.link, "user_id", None) if account else None,
                "actor": actor if actor is not None else actor_label(self.link),
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
    #: the type of the event it writes, when not its own name
    event: str | None = None
    #: it reads and changes only the link, the meeting and its agenda items, and works on them as records
    #: (services.records) when the caller has read them so; else on ORM objects
    records: bool = False

    @property
    def permission(self) -> str:
        return self.name


COMMANDS: dict[str, Command] = {}


def command(name: str, args: type[schemas.Args], summary: str, event: str | None = None, records: bool = False):
    """Register a handler as the command `name` (its events typed `event`, by default the name); it
    must have a row in the permission table. `records`: see Command."""
    if name not in access.PERMISSIONS:
        raise RuntimeError(f"command {name} has no entry in domain.access.PERMISSIONS")

    def register(fn):
        COMMANDS[name] = Command(name, args, fn, summary, event, records)
        return fn

    return register


def works_on_records(name: Any) -> bool:
    """True for a command that may be given its link, meeting and agenda as records (Command.records)."""
    spec = COMMANDS.get(name) if isinstance(name, str) else None
    return spec is not None and spec.records


def actor_label(link: AccessLink | Record) -> str:
    """A readable name for who used a link, for the audit trail."""
    if link.participant is not None:
        return f"{link.participant.name} ({link.role})"
    user_id = getattr(link, "user_id", None)
    if isinstance(link, Record):
        user = link.user  # read with it (records.read_room)
    else:
        user = db.session.get(User, user_id) if user_id else None
    label = {"chair": "Chair", "note_taker": "Note-taker", "screen": "Shared screen"}.get(link.role, link.role)
    return f"{user.name} ({label})" if user is not None else label


def local_zone() -> ZoneInfo:
    """The organisation's time zone (its settings), else the TIMEZONE configured (Europe/London by default)."""
    return queries.organisation_zone()


def as_utc(value: datetime) -> datetime:
    """A datetime as aware UTC; a naive one is read as the organisation's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def log_access(
    link: AccessLink, action: str, entity: str, *, after: dict | None = None, note: str | None = None
) -> None:
    """Note in the audit trail who read or exported part of a meeting's record (special-category data)."""
    begin_write()
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


def execute(
    link: AccessLink | Record | None,
    name: str,
    raw_args: Any,
    command_id: str | None = None,
    *,
    locked: Meeting | Record | None = None,
    keep_loaded: bool = False,
) -> Outcome:
    """Check, decide, write and commit one command; return its result and event.

    `locked`: the link's meeting, when the caller has already begun the write transaction and read it
    with its row locked (the socket handlers read the link and its meeting in one statement), so it is
    not read a second time. A link and meeting read as records (services.records) serve a command
    declared with records=True; any other command reads them again as ORM objects. `keep_loaded`: the
    rows the command read stay loaded after its commit (see `commit`), for a caller that reads none of
    them again (a socket event's session ends with it)."""
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
    connection = begin_write()
    try:
        meeting = locked if locked is not None and locked.id == meeting_id else None
        if isinstance(meeting, Record) and not spec.records:
            meeting = None
        if isinstance(link, Record) and not spec.records:
            link = db.session.get(AccessLink, link.id)
        if meeting is None:
            meeting = locked_meeting(meeting_id)
        if meeting is None:
            raise Unauthorised("This link is not valid. Ask the chair for a new one.")
        queries.use_meeting_organisation(meeting)  # its organisation's settings, time zone and log
        if isinstance(meeting, Record):
            items = records.load_items(connection, meeting_id)
        else:
            items = queries.load_items(meeting_id)
        change = Change(meeting, items, link, utcnow())
        result = spec.handler(change, args) or {}
        event = _record_change(change, spec.event or name, connection)
        result = {"ok": True, "seq": event["seq"], **result}
        if command_id:
            connection.execute(
                _INSERT_COMMAND_RECORD,
                {
                    "meeting_id": meeting_id,
                    "command_id": command_id,
                    "name": name,
                    "fingerprint": fingerprint,
                    "result": result,
                    "created_at": change.now,
                },
            )
        commit(keep_loaded)
    except (IntegrityError, RuleViolation):
        db.session.rollback()
        done = _recorded(meeting_id, command_id, fingerprint) if command_id else None
        if done is None:
            raise
        return done
    except Exception:
        db.session.rollback()
        raise
    return Outcome(
        result=result,
        event=event,
        meeting_id=meeting_id,
        other_events=change.other_events,
        after_commit=change.after_commit,
    )


def _record_change(change: Change, name: str, connection: Connection) -> dict:
    """Write the change's event and audit rows (in the open transaction, on its `connection`); returns the event."""
    event = append_event(change, name, connection)
    # The rows every command writes go in as plain INSERTs (Core), not through the ORM's unit
    # of work: the same SQL for about a millisecond less per command (benchmarks/room_fanout.py).
    if change.audits:
        connection.execute(_INSERT_AUDIT, change.audits)
    return event


# Built once: a statement made per call (`insert(...).values(...)`) is built and keyed for the
# compiled cache on every command; these are compiled once and take their values as parameters.
_INSERT_EVENT = insert(MeetingEvent.__table__)
_INSERT_AUDIT = insert(AuditEntry.__table__)
_INSERT_COMMAND_RECORD = insert(CommandRecord.__table__)
_BUMP_SEQ = (
    update(Meeting.__table__).where(Meeting.__table__.c.id == bindparam("meeting_id")).values(last_seq=bindparam("seq"))
)


def apply(link: AccessLink, name: str, decide: Callable[[Change], bool]) -> Outcome | None:
    """A change the server makes itself on a link's behalf (not a client's command, so in no
    permission table): one transaction with its audit rows and event, as `execute`; None, with
    nothing written, when `decide` finds nothing to change."""
    connection = begin_write()
    try:
        meeting = queries.use_meeting_organisation(locked_meeting(link.meeting_id))
        change = Change(meeting, queries.load_items(meeting.id), link, utcnow()) if meeting else None
        if change is None or not decide(change):
            db.session.rollback()
            return None
        event = _record_change(change, name, connection)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return Outcome(result={"ok": True, "seq": event["seq"]}, event=event, meeting_id=meeting.id)


def _fingerprint(name: str, args: schemas.Args) -> str:
    canonical = json.dumps([name, args.model_dump(mode="json")], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _recorded(meeting_id: int, command_id: str, fingerprint: str | None) -> Outcome | None:
    """The stored outcome of a command id already applied; a different command under it is refused."""
    record = db.session.scalar(
        select(CommandRecord).where(CommandRecord.meeting_id == meeting_id, CommandRecord.command_id == command_id)
    )
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise RuleViolation(
            "This command id was already used for a different command; send a new id.", code="id_reused"
        )
    return Outcome(result=record.result, meeting_id=meeting_id, replayed=True)


def locked_meeting(meeting_id: int) -> Meeting | None:
    """The meeting read afresh, its row locked for the rest of the transaction (PostgreSQL's FOR
    UPDATE; on SQLite, begin_write's lock already serialises writers)."""
    return db.session.scalars(_LOCK_MEETING, {"meeting_id": meeting_id}).first()


#: The query of `locked_meeting`, built once (Session.get builds and keys its query on every call).
_LOCK_MEETING = (
    select(Meeting)
    .where(Meeting.id == bindparam("meeting_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def commit(keep_loaded: bool = False) -> None:
    """Commit the session's transaction. `keep_loaded`: the rows it has read stay loaded instead of being
    marked for reading again at their next use, which costs a pass over every row loaded (for a write
    whose caller reads none of them again, or one that changes none of them, e.g. a socket noted as open)."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = expire and not keep_loaded
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def begin_write() -> Connection:
    """Start the command's transaction, taking SQLite's write lock up front; returns the session's
    connection for it (the same until the transaction ends).

    SQLite's default deferred transaction would upgrade its lock at the first write and can fail
    there under concurrency; taking it first makes concurrent commands simply queue. The BEGIN goes
    straight to the driver (sqlite3 then knows it is in a transaction, and the session's commit or
    rollback ends it), which spares it the engine's statement machinery, about 0.02 ms.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")
    return connection


def append_event(change: Change, name: str, connection: Connection) -> dict:
    """Write the command's event with the meeting's next seq (on the transaction's `connection`); returns
    it as broadcast."""
    meeting = change.meeting
    # The command's own changes are written first (new rows get their ids for the event): records' by
    # services.records, the meeting's next seq with them (one UPDATE of the meeting's row); ORM objects'
    # as plain UPDATEs when it only changed columns of rows it loaded (services.row_updates), else by the
    # unit of work's flush. For an ORM meeting the seq then goes up with a plain UPDATE, and the loaded row
    # is told its new value, so the meeting stays out of the unit of work unless the command itself
    # changed it. These UPDATEs and the INSERTs every command makes go straight to the connection, past
    # the session's per-statement bookkeeping (about 20 µs each).
    if isinstance(meeting, Record):
        meeting.last_seq += 1
    records.write(connection, [meeting, *change.items])
    write_changed_rows(db.session())
    db.session.flush()
    if not isinstance(meeting, Record):
        connection.execute(_BUMP_SEQ, {"meeting_id": meeting.id, "seq": meeting.last_seq + 1})
        set_committed_value(meeting, "last_seq", meeting.last_seq + 1)
    now = change.now
    data: dict[str, Any] = {"meeting": queries.meeting_view(meeting, change.items, now)}
    for collection, rows in change.changed.items():
        view = queries.VIEWS[collection]
        data[collection] = [view(row, now) for row in sorted(rows.values(), key=queries.SORT_KEYS[collection])]
    for collection, ids in change.removed.items():
        data[f"removed_{collection}"] = ids
    data.update(change.flags)
    connection.execute(
        _INSERT_EVENT,
        {"meeting_id": meeting.id, "seq": meeting.last_seq, "type": name, "data": data, "created_at": now},
    )
    return {"seq": meeting.last_seq, "type": name, "data": data, "at": queries.iso(now)}


def check_version(entity, version: int, current: dict) -> None:
    """Refuse an edit based on an old version of `entity`, with its current values."""
    if entity.version != version:
        raise Conflict(
            "Someone else changed this since you opened it. The current values are shown; "
            "make your change again if it is still needed.",
            current=current,
        )


def append_event_to(change: Change, meeting_id: int, name: str, data: dict) -> None:
    """Add an event to another meeting's log in this transaction (its row locked), broadcast after
    commit with the command's own event (e.g. an earlier meeting's action updated in a later
    meeting's review of previous actions)."""
    meeting = locked_meeting(meeting_id)
    meeting.last_seq += 1
    items = queries.load_items(meeting_id)
    row = MeetingEvent(
        meeting_id=meeting_id,
        seq=meeting.last_seq,
        type=name,
        data={"meeting": queries.meeting_view(meeting, items, change.now), **data},
        created_at=change.now,
    )
    db.session.add(row)
    change.other_events.append((meeting_id, queries.event_envelope(row)))
