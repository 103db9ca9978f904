"""A meeting's snapshot: everything a client needs to draw the room from scratch, and the parts of it
that every connection of a meeting shares (SnapshotParts), carried over from one seq to the next."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from threading import Lock
from time import monotonic

from flask import current_app
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.engine import Row

from .domain import access, agenda
from .extensions import db
from .models import AccessLink, AgendaItem, Meeting, MeetingEvent, Participant
from .queries import (
    REGISTERS,
    VIEWS,
    iso,
    item_view,
    live_entries,
    meeting_view,
    participant_view,
    public_citations,
    shown_requests,
    speaking_requests,
)


def _registers_in_use(meeting_id: int) -> set[str]:
    """The registers with a live entry in a meeting, asked in one query (a register without one is
    not queried for its rows: early in a meeting, when most people connect, most are empty)."""
    used = db.session.execute(_REGISTERS_IN_USE, {"meeting_id": meeting_id}).one()
    return {name for name, in_use in zip(REGISTERS, used, strict=True) if in_use}


#: Whether each register has a live entry in a meeting, in one statement built once.
_REGISTERS_IN_USE = select(
    *(
        select(model.id)
        .where(model.meeting_id == bindparam("meeting_id"), model.deleted_at.is_(None))
        .exists()
        .label(name)
        for name, model in REGISTERS.items()
    )
)


def plain_select(model):
    """A SELECT of a model's columns, each named as its attribute: its rows read like the model's
    objects (read-only) without the ORM's identity map, instrumentation and change tracking, which cost
    several times more per row. For what is only shown, e.g. a snapshot's agenda and participants."""
    columns = []
    for attr in inspect(model).column_attrs:
        if hasattr(Row, attr.key):  # e.g. `count`: the row's own method would hide the column
            raise RuntimeError(f"{model.__name__}.{attr.key} cannot be read from a plain row")
        columns.append(attr.columns[0].label(attr.key))
    return select(*columns)


#: A snapshot's agenda items and present participants as plain rows, in the relationships' order.
_SNAPSHOT_ITEMS = (
    plain_select(AgendaItem).where(AgendaItem.meeting_id == bindparam("meeting_id")).order_by(AgendaItem.position)
)
_SNAPSHOT_PARTICIPANTS = (
    plain_select(Participant)
    .where(Participant.meeting_id == bindparam("meeting_id"), Participant.removed_at.is_(None))
    .order_by(Participant.id)
)


def snapshot(meeting: Meeting, link: AccessLink, now: datetime) -> dict:
    """Everything a client needs to draw the room from scratch (less what its role may not see)."""
    parts = _snapshot_parts(meeting, access.sees_confidential(link.role), now)
    return {
        "seq": meeting.last_seq,
        "server_now": iso(now),
        "viewer": {
            "role": link.role,
            "participant_id": link.participant_id,
        },
        "meeting": meeting_view(meeting, parts["item_rows"], now),
        "items": parts["items"],
        "participants": parts["participants"],
        **{name: parts[name] for name in REGISTERS},
        "speaking_requests": shown_requests(parts["speaking_requests"], link.role, link.participant_id),
    }


class SnapshotParts:
    """What the snapshots of a meeting at one seq share, by audience: the agenda, the participants,
    the registers (the confidential entries only for roles that see them) and the requests to speak
    (all of them, each connection shown those its role may see: `shown_requests`).

    Every connection's first sync reads a snapshot; after a restart, or as a meeting starts, hundreds
    arrive at once at the same seq. Every change to what these parts show is a command, which raises
    the meeting's seq (design rule 3), and the seq is read from the database at each sync, so a part
    found here under the meeting's current seq is what the database would give, on every process. The
    exceptions are writes outside the command path that change another meeting's rows: the retention
    purge and a child's erasure detach later meetings' outcomes and action updates from the deleted
    meetings. They forget every part on the process that runs them (they are rare); on any other process a
    part lives at most SNAPSHOT_CACHE_SECONDS (5 by default; 0 turns the cache off). Clients already
    connected see such a change only when they next sync, so a new connection sees what they see.

    A new seq need not mean reading every part again: the parts at an earlier seq are carried over,
    and only the parts the events since then name are read (`_carried_parts`). Carried parts keep the
    time they were read, so the bound above holds for them too.

    The parts are shared: the lists and dicts are never changed after they are built (views and
    exports copy what they change)."""

    def __init__(self, size: int = 256):
        self.size = size
        self.entries: OrderedDict[tuple[int, int, bool], tuple[float, dict]] = OrderedDict()
        #: (meeting id, confidential) -> the latest seq stored for that audience
        self.latest: dict[tuple[int, bool], int] = {}
        self.lock = Lock()

    def get(self, key: tuple[int, int, bool], now: float, max_age: float) -> dict | None:
        found = self.entry(key, now, max_age)
        return found[1] if found is not None else None

    def entry(self, key: tuple[int, int, bool], now: float, max_age: float) -> tuple[float, dict] | None:
        """(when its parts were read, the parts), if stored and younger than `max_age`."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or now - entry[0] > max_age:
                return None
            self.entries.move_to_end(key)
            return entry

    def before(self, meeting_id: int, seq: int, confidential: bool, now: float, max_age: float):
        """(seq, when read, parts) of the latest parts stored for the audience at a seq before `seq`."""
        earlier = self.latest.get((meeting_id, confidential))
        if earlier is None or earlier >= seq:
            return None
        found = self.entry((meeting_id, earlier, confidential), now, max_age)
        return (earlier, *found) if found is not None else None

    def put(self, key: tuple[int, int, bool], now: float, parts: dict) -> None:
        with self.lock:
            self.entries[key] = (now, parts)
            self.entries.move_to_end(key)
            audience = (key[0], key[2])
            self.latest[audience] = max(key[1], self.latest.get(audience, key[1]))
            while len(self.entries) > self.size:
                (meeting_id, seq, confidential), _ = self.entries.popitem(last=False)
                if self.latest.get((meeting_id, confidential)) == seq:
                    del self.latest[(meeting_id, confidential)]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.latest.clear()


def _snapshot_cache() -> SnapshotParts:
    """This app's SnapshotParts (each app has its own database, so its own)."""
    return current_app.extensions.setdefault("snapshot_parts", SnapshotParts())


def forget_snapshots() -> None:
    """Meetings' rows changed outside a command (no new seq): every next snapshot is read afresh."""
    _snapshot_cache().clear()


def _snapshot_parts(meeting: Meeting, confidential: bool, now: datetime) -> dict:
    """The shared parts of a snapshot (SnapshotParts): from the cache, carried over from an earlier seq
    with the parts changed since read again, or all read now."""
    max_age = float(current_app.config["SNAPSHOT_CACHE_SECONDS"])
    if max_age <= 0:
        return _read_parts(meeting, confidential, now, PARTS)
    cache, key, clock = _snapshot_cache(), (meeting.id, meeting.last_seq, confidential), monotonic()
    parts = cache.get(key, clock, max_age)
    if parts is not None:
        return parts
    earlier = cache.before(meeting.id, meeting.last_seq, confidential, clock, max_age)
    if earlier is not None:
        seq, read_at, base = earlier
        parts = _carried_parts(meeting, confidential, now, seq, base)
        if parts is not None:
            cache.put(key, read_at, parts)
            return parts
    parts = _read_parts(meeting, confidential, now, PARTS)
    cache.put(key, clock, parts)
    return parts


#: The parts of a snapshot that SnapshotParts shares (`item_rows` goes with `items`).
PARTS = ("items", "participants", *REGISTERS, "speaking_requests")

#: The part each collection an event may name belongs to (with its `removed_` list); "meeting" is
#: in every event, and each snapshot builds the meeting's own view from the meeting's row.
_PART_OF_KEY = {
    "meeting": None,
    **{key: part for part in PARTS for key in (part, f"removed_{part}")},
}

#: How many events back parts are carried over; further back, they are all read again.
CARRY_EVENTS = 50


def _carried_parts(meeting: Meeting, confidential: bool, now: datetime, since: int, base: dict) -> dict | None:
    """The parts at the meeting's seq from those at `since`: the parts the events since then name
    read again, the rest as they were; None (read everything) when the events are not all there, name
    anything that is not a part (a flag such as `evidence_changed`, minutes, another register's view),
    or the meeting's type changed (a disagreement's routes depend on it)."""
    if meeting.last_seq - since > CARRY_EVENTS or base["meeting_type"] != meeting.meeting_type:
        return None
    events = db.session.scalars(_EVENTS_DATA, {"meeting_id": meeting.id, "since": since, "upto": meeting.last_seq}).all()
    if len(events) != meeting.last_seq - since:
        return None
    changed: set[str] = set()
    for data in events:
        for name in data:
            if name not in _PART_OF_KEY:
                return None
            changed.add(_PART_OF_KEY[name])
    changed.discard(None)
    return {**base, **_read_parts(meeting, confidential, now, changed)}


#: The data of a meeting's events in a range of seqs, built once.
_EVENTS_DATA = select(MeetingEvent.data).where(
    MeetingEvent.meeting_id == bindparam("meeting_id"),
    MeetingEvent.seq > bindparam("since"),
    MeetingEvent.seq <= bindparam("upto"),
)


def _read_parts(meeting: Meeting, confidential: bool, now: datetime, names) -> dict:
    """The named parts of a meeting's snapshot (PARTS), read now for an audience."""
    parts: dict = {"meeting_type": meeting.meeting_type}
    if "items" in names:
        # The agenda and the participants are read as plain rows: only shown, never changed here.
        items = db.session.execute(_SNAPSHOT_ITEMS, {"meeting_id": meeting.id}).all()
        parts["item_rows"] = tuple(items)
        parts["items"] = [item_view(i, now) for i in agenda.ordered(items)]
    if "participants" in names:
        parts["participants"] = [
            participant_view(p) for p in db.session.execute(_SNAPSHOT_PARTICIPANTS, {"meeting_id": meeting.id})
        ]
    wanted = [name for name in REGISTERS if name in names]
    if wanted:
        shown = _shown_to(confidential)
        cited = (lambda row: row) if confidential else public_citations
        in_use = _registers_in_use(meeting.id)
        for name in wanted:
            model = REGISTERS[name]
            parts[name] = (
                [cited(VIEWS[name](row, now)) for row in live_entries(model, meeting.id) if shown(row)]
                if name in in_use
                else []
            )
    if "speaking_requests" in names:
        # Every one of the meeting's requests, whatever the audience: a participant's own are among them.
        parts["speaking_requests"] = speaking_requests(meeting.id, access.CHAIR, None)
    return parts


def _shown_to(confidential: bool):
    """A filter of register rows for an audience: confidential entries only for one that sees them."""
    if confidential:
        return lambda row: True
    return lambda row: not getattr(row, "confidential", False)
