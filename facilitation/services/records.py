"""A socket's link and meeting, and the live clock's rows, as plain records: read by Core, written as
plain UPDATEs.

Every socket event reads its link afresh (a revocation takes effect at once) with its account and its
meeting: one statement, here, into records. The chair's clock (start, pause, resume, extend, next item,
...) is what a live meeting sends most, and each of its commands reads only that and the meeting's
agenda items, and changes a column or two of the meeting and the current item. Read as ORM objects, the link and the
agenda cost about 0.29 ms of a 1.4 ms command here, most of it the ORM's work per query (setting up how
each row becomes an object) rather than per row; the same rows read by Core, into `Record`s, cost about
0.12 ms. The commands that need more than these rows (relationships, other tables' objects in the
session) keep the ORM: `pipeline.command(..., records=True)` is how a command says it needs no more.

A `Record` has its table's columns as attributes, under the names the models give them (the domain's
rules read both alike: `domain.agenda.MeetingLike`, `ItemLike`), and notes which of them a command
gave a new value; `write` sends those as one UPDATE per row by primary key, built once per set of
columns (services.row_updates), before the unit of work's flush writes any ORM objects of the same
command. A link's record also carries its participant (id and name) and its account, for the audit
trail's "who".
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm.exc import StaleDataError

from .. import queries
from ..models import AccessLink, AgendaItem, Meeting, Participant, SocketSession, User
from .row_updates import update_statement


class Record:
    """One row of `table`: its columns as attributes; assigning a column notes it as changed (until
    `written`), assigning anything else is refused (a record has no relationships)."""

    def __init__(self, table: Table, values: dict[str, Any], **extra: Any) -> None:
        state = self.__dict__
        state.update(values)
        state.update(extra)
        state["_table"] = table
        state["_changed"] = set()

    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__
        if name not in state["_table"].c:
            raise AttributeError(f"{state['_table'].name} has no column {name!r} to set")
        if state[name] != value:
            state["_changed"].add(name)
        state[name] = value

    def changed(self) -> tuple[str, ...]:
        """The columns given a new value since the row was read (or last written), in name order."""
        return tuple(sorted(self.__dict__["_changed"]))

    def written(self) -> None:
        """Mark the record as matching its row (its changes have been written)."""
        self.__dict__["_changed"].clear()

    def __repr__(self) -> str:
        return f"<{self._table.name} record {self.__dict__.get('id')}>"


class Room(NamedTuple):
    """A link, read afresh, with its account (None for a link without one), its meeting (None when read
    without it) and the meeting's organisation."""

    link: Record
    account: Record | None
    meeting: Record | None
    organisation_id: int


_LINKS, _USERS, _MEETINGS, _ITEMS = AccessLink.__table__, User.__table__, Meeting.__table__, AgendaItem.__table__
_PARTICIPANTS, _SOCKETS = Participant.__table__, SocketSession.__table__

#: what the room's read takes of an account: what `realtime.connections` checks and the audit trail names
_ACCOUNT_COLUMNS = ("id", "organisation_id", "name", "active", "session_version")


def _labelled(table: Table, prefix: str, names=None) -> list:
    return [column.label(f"{prefix}{column.key}") for column in table.c if names is None or column.key in names]


def _room_query(with_meeting: bool):
    """The link (its participant's name, its account) and its meeting's organisation, or its whole meeting."""
    meeting = _labelled(_MEETINGS, "m_") if with_meeting else [_MEETINGS.c.organisation_id.label("m_organisation_id")]
    return (
        select(*_labelled(_LINKS, "l_"), _PARTICIPANTS.c.name.label("p_name"), *_labelled(_USERS, "u_", _ACCOUNT_COLUMNS), *meeting)
        .join(_MEETINGS, _MEETINGS.c.id == _LINKS.c.meeting_id)
        .outerjoin(_PARTICIPANTS, _PARTICIPANTS.c.id == _LINKS.c.participant_id)
        .outerjoin(_USERS, _USERS.c.id == _LINKS.c.user_id)
        .where(_LINKS.c.id == bindparam("link_id"))
    )


#: `read_room`'s statements by (with the meeting, locked), built once: every socket event reads one. A
#: command's locks the meeting's row for the rest of the transaction (PostgreSQL's FOR UPDATE OF meetings;
#: on SQLite the write lock is taken first).
_READ_ROOM = {
    (False, False): _room_query(False),
    (True, False): _room_query(True),
    (True, True): _room_query(True).with_for_update(of=_MEETINGS),
}
_READ_ITEMS = select(_ITEMS).where(_ITEMS.c.meeting_id == bindparam("meeting_id")).order_by(_ITEMS.c.position)


def read_room(connection: Connection, link_id: int, with_meeting: bool = True, lock: bool = False) -> Room | None:
    """The link `link_id` with its account and, if `with_meeting`, its meeting (its row locked if `lock`),
    as records; None if there is no such link."""
    row = connection.execute(_READ_ROOM[with_meeting, lock], {"link_id": link_id}).first()
    if row is None:
        return None
    values = row._mapping
    account = None
    if values["u_id"] is not None:
        account = Record(_USERS, {name: values[f"u_{name}"] for name in _ACCOUNT_COLUMNS})
    participant = None
    if values["l_participant_id"] is not None:
        participant = Record(_PARTICIPANTS, {"id": values["l_participant_id"], "name": values["p_name"]})
    link = Record(
        _LINKS, {c.key: values[f"l_{c.key}"] for c in _LINKS.c}, participant=participant, user=account
    )
    meeting = Record(_MEETINGS, {c.key: values[f"m_{c.key}"] for c in _MEETINGS.c}) if with_meeting else None
    return Room(link, account, meeting, values["m_organisation_id"])


class Joining(NamedTuple):
    """A link a socket connects with (`joining_link`), as a record: its meeting's status, its participant's
    attendance (None for a link of no participant), and the sockets open on the link and from the
    connecting address, on every server process (what the caps on sockets are checked against)."""

    link: Record
    status: str
    attendance: str | None
    on_link: int
    on_address: int


def _joining_query(count_sockets: bool):
    """The query of `joining_link`: the link with the two values that decide attendance taken on joining
    and, to check the caps, the sockets open on the link and from the connecting address (a NULL address
    counts nothing)."""
    counts = (
        (
            select(func.count()).where(_SOCKETS.c.link_id == _LINKS.c.id).scalar_subquery(),
            select(func.count()).where(_SOCKETS.c.address == bindparam("address")).scalar_subquery(),
        )
        if count_sockets
        else (literal(0), literal(0))
    )
    return (
        select(
            *_labelled(_LINKS, "l_"),
            _MEETINGS.c.organisation_id,
            _MEETINGS.c.status,
            _PARTICIPANTS.c.attendance,
            counts[0].label("on_link"),
            counts[1].label("on_address"),
        )
        .join(_MEETINGS, _MEETINGS.c.id == _LINKS.c.meeting_id)
        .outerjoin(_PARTICIPANTS, _PARTICIPANTS.c.id == _LINKS.c.participant_id)
        .where(_LINKS.c.token == bindparam("token"))
    )


#: Both forms of `joining_link`'s query, built once: every connection runs one (with no caps, none is counted).
_JOINING = {count: _joining_query(count) for count in (True, False)}


def joining_link(
    connection: Connection, token: str, address: str | None = None, count_sockets: bool = True
) -> Joining | None:
    """The link a connecting socket's token names, if it exists, has not been revoked and has not expired,
    with what decides whether connecting takes their attendance (services.attendance.link_connected) and,
    unless `count_sockets` is False (no caps: both counts are 0), whether one more socket from `address`
    passes a cap (services.socket_sessions.over_cap), in one statement; the rest of the connection's
    handling is scoped to its meeting's organisation (queries.use_organisation)."""
    if not queries.plausible_token(token):
        return None
    row = connection.execute(_JOINING[count_sockets], {"token": token, "address": address}).first()
    if row is None:
        return None
    values = row._mapping
    link = Record(_LINKS, {c.key: values[f"l_{c.key}"] for c in _LINKS.c})
    if not queries.link_works(link):
        return None
    queries.use_organisation(row.organisation_id)
    return Joining(link, row.status, row.attendance, row.on_link, row.on_address)


def load_items(connection: Connection, meeting_id: int) -> list[Record]:
    """A meeting's agenda items in order, as records."""
    return [Record(_ITEMS, dict(row._mapping)) for row in connection.execute(_READ_ITEMS, {"meeting_id": meeting_id})]


def write(connection: Connection, rows) -> None:
    """Write each record's changed columns (other objects are left to the session), one UPDATE per row."""
    for row in rows:
        if not isinstance(row, Record):
            continue
        changed = row.changed()
        if not changed:
            continue
        table = row._table
        parameters = {f"pk_{i}": getattr(row, column.key) for i, column in enumerate(table.primary_key.columns)}
        parameters.update({f"v_{name}": getattr(row, name) for name in changed})
        result = connection.execute(update_statement(table, changed), parameters)
        if result.rowcount != 1:
            raise StaleDataError(f"UPDATE of {table.name} {row.id} matched {result.rowcount} rows, not 1")
        row.written()


def _check_names() -> None:
    """The records' attributes are the models' attribute names: true while each column's key is its attribute's."""
    for model in (AccessLink, AgendaItem, Meeting, User, Participant):
        for prop in model.__mapper__.column_attrs:
            if prop.key != prop.columns[0].key:
                raise RuntimeError(f"{model.__name__}.{prop.key} is column {prop.columns[0].key}: records would differ")


_check_names()
