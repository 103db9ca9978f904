"""Which sockets are open on which link, kept in the database so that any server process can cut off
the sockets of a revoked link, wherever they are held, and count them against the caps.

Each row names the process holding the socket, and each process says every SOCKET_HEARTBEAT_SECONDS
that it is alive by stamping its rows (`beat`). A process killed outright stops stamping: once its rows
are older than SOCKET_STALE_SECONDS, the next beat of any other process removes them, so the sockets of
a dead process stop counting against the caps on sockets per link and per address while their people
reconnect to the others. (The only process of a deployment without a message queue forgets every row
as it starts: app.py.)

The rows of sockets opening and closing at about the same moment (a restart's reconnect storm, a
class logging in) are written together, one transaction for the group (services.group_commit): each
commit costs about as much as the rows in it, so a storm no longer pays one commit per socket, twice.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, update

from ..extensions import db
from ..models import AccessLink, SocketSession, utcnow
from . import group_commit
from .group_commit import GroupWrites, Waiting
from .records import Joining
from .writes import write

_SESSIONS = SocketSession.__table__
_INSERT_SESSION = insert(_SESSIONS)
_DELETE_SESSION = delete(_SESSIONS).where(_SESSIONS.c.sid == bindparam("sid"))
_STAMP = update(_SESSIONS).where(_SESSIONS.c.process_id == bindparam("holder")).values(seen_at=bindparam("now"))
_SWEEP = delete(_SESSIONS).where(_SESSIONS.c.seen_at < bindparam("before"))

#: (pid, id): this process's id in socket rows, made afresh in a forked child (gunicorn's workers)
_PROCESS: list = [None, None]


def process_id() -> str:
    """This server process's id in the rows of its sockets (random; new in each forked process)."""
    if _PROCESS[0] != os.getpid():
        _PROCESS[:] = [os.getpid(), secrets.token_hex(8)]
    return _PROCESS[1]


def opened(sid: str, link: AccessLink, address: str | None = None) -> None:
    """Note a socket that has just connected with `link` from `address`; returns once its row is
    committed (the link stays loaded: the connect handler goes on with it)."""
    now = utcnow()
    row = {
        "sid": sid,
        "link_id": link.id,
        "meeting_id": link.meeting_id,
        "address": address,
        "connected_at": now,
        "process_id": process_id(),
        "seen_at": now,
    }
    _group_writes().run(("opened", row))


def over_cap(joining: Joining, per_link: int, per_address: int) -> str | None:
    """The cap one more socket on a link would pass, "link" or "address", else None: from the sockets open
    on the link and from the connecting address, on every server process, as read with the link
    (records.joining_link). A cap of 0 switches it off.

    Counted from the database, so a cap holds across server processes; two sockets opening at the same
    instant may both pass, which is one over at most per process.
    """
    if per_link > 0 and joining.on_link >= per_link:
        return "link"
    if per_address > 0 and joining.on_address >= per_address:
        return "address"
    return None


def closed(sid: str) -> None:
    """Forget a socket that has gone; returns once its row is deleted."""
    _group_writes().run(("closed", sid))


# ---------------------------------------------------------------- rows written in groups


def _write_group(group: list[Waiting]) -> None:
    """One transaction: the rows of the sockets opened, then the deletions of those closed."""
    opened = [row.value[1] for row in group if row.value[0] == "opened"]
    closed = [{"sid": row.value[1]} for row in group if row.value[0] == "closed"]
    with write(keep_loaded=True):  # plain INSERTs and DELETEs: no unit of work, the caller's rows stay loaded
        connection = db.session.connection()
        if opened:
            connection.execute(_INSERT_SESSION, opened)
        if closed:
            connection.execute(_DELETE_SESSION, closed)


def _undo(value: tuple) -> tuple | None:
    """A socket's row written after its connection gave up (it never connected, so no disconnect will
    remove it): deleted again. A deletion needs no undoing."""
    kind, row = value
    return ("closed", row["sid"]) if kind == "opened" else None


def _group_writes() -> GroupWrites:
    """This app's group writer of socket rows."""
    return group_commit.for_app("socket_rows", _write_group, _undo)


def beat(now: datetime, stale_after: timedelta) -> int:
    """Stamp this process's rows as alive at `now`, and remove every row not stamped since
    `now - stale_after` (a process that has stopped); returns how many were removed."""
    with write(keep_loaded=True):
        connection = db.session.connection()
        connection.execute(_STAMP, {"holder": process_id(), "now": now})
        return connection.execute(_SWEEP, {"before": now - stale_after}).rowcount


def forget_all() -> int:
    """Forget every socket on record (at the start of the only server process: any row is left over
    from a run that was killed before its sockets closed); returns how many there were."""
    with write():
        return db.session.execute(delete(SocketSession)).rowcount
