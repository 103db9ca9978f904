"""Which sockets are open on which link, kept in the database so that any server process can cut off
the sockets of a revoked link, wherever they are held, and count them against the caps.

Each row names the process holding the socket, and each process says every SOCKET_HEARTBEAT_SECONDS
that it is alive by stamping its rows (`beat`). A process killed outright stops stamping: once its rows
are older than SOCKET_STALE_SECONDS, the next beat of any other process removes them, so the sockets of
a dead process stop counting against the caps on sockets per link and per address while their people
reconnect to the others. (The only process of a deployment without a message queue forgets every row
as it starts: app.py.)

The rows of sockets opening and closing at about the same moment (a restart's reconnect storm, a
class logging in) are written together, one transaction for the group (`GroupWrites`): each commit
costs about as much as the rows in it, so a storm no longer pays one commit per socket, twice.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, insert, select, update

from ..extensions import db
from ..models import AccessLink, SocketSession, utcnow
from .writes import commit, write

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


#: open sockets on a link and from an address (a NULL parameter counts nothing), built once
_COUNTS = select(
    select(func.count()).select_from(_SESSIONS).where(_SESSIONS.c.link_id == bindparam("link_id")).scalar_subquery(),
    select(func.count()).select_from(_SESSIONS).where(_SESSIONS.c.address == bindparam("address")).scalar_subquery(),
)


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
    _group_writes().run(_Row(opened=row))


def over_cap(link: AccessLink, address: str | None, per_link: int, per_address: int) -> str | None:
    """The cap one more socket would pass, "link" or "address" (open sockets on every process), else None.

    A cap of 0 switches it off. Counted from the database, so a cap holds across server processes;
    two sockets opening at the same instant may both pass, which is one over at most per process.
    """
    by_address = per_address > 0 and bool(address)
    if per_link <= 0 and not by_address:
        return None
    # Both counts in one statement (a cap switched off is not counted).
    on_link, on_address = db.session.execute(
        _COUNTS, {"link_id": link.id if per_link > 0 else None, "address": address if by_address else None}
    ).one()
    if per_link > 0 and on_link >= per_link:
        return "link"
    if by_address and on_address >= per_address:
        return "address"
    return None


def closed(sid: str) -> None:
    """Forget a socket that has gone; returns once its row is deleted."""
    _group_writes().run(_Row(closed=sid))


# ---------------------------------------------------------------- rows written in groups

#: a row written less than this long ago means sockets are opening or closing in a burst
BURST_SECONDS = 0.05
#: the longest a row waits for a group another connection is writing, before it gives up
WAIT_SECONDS = 30.0


@dataclass(eq=False)
class _Row:
    """A socket row to write (`opened`, the row) or to delete (`closed`, its sid), and its outcome."""

    opened: dict | None = None
    closed: str | None = None
    written: threading.Event = field(default_factory=lambda: threading.Event())  # gevent's, once patched
    error: BaseException | None = None
    #: set when the connection writing a group hands the writing of the next one to this row's
    leads: bool = False


class GroupWrites:
    """Group commit for the socket rows of one app (what PostgreSQL's `commit_delay` does for commits).

    A connection with a row to write joins the group waiting to be written. If no other connection is
    writing one, it writes the group itself: in a burst (a row written in the last BURST_SECONDS) it
    first lets the server's other connections run for `gather_seconds`, so that their rows join, then
    writes the whole group in one transaction. Every connection returns once its own row is committed
    (or raises the error that stopped its group), as if it had written the row alone, so nothing that
    reads the rows (the caps, cutting off a revoked link's sockets) sees anything different; a lone
    socket's row is written at once.
    """

    def __init__(self, gather_seconds: float) -> None:
        self.gather_seconds = gather_seconds
        self._lock = threading.Lock()
        self._waiting: list[_Row] = []
        self._writing = False
        self._last_write = float("-inf")
        #: groups written, and the rows in them (for tests and benchmarks)
        self.groups = 0
        self.rows = 0

    def run(self, row: _Row) -> None:
        _release_connection()  # not held while the row waits: others need the pool's connections
        with self._lock:
            self._waiting.append(row)
            leads = row.leads = not self._writing  # this row's connection writes the next group
            self._writing = True
        if not leads:
            try:
                signalled = row.written.wait(WAIT_SECONDS)
            except BaseException:  # this connection is going away while its row waits
                self._leave(row)
                raise
            if not signalled:
                self._leave(row)
                raise TimeoutError("The socket's row was not written in time.")
            if not row.leads:
                if row.error is not None:
                    raise row.error
                return
            row.written.clear()  # handed the writing of the next group, which this row is in
        try:
            if self.gather_seconds > 0 and time.monotonic() - self._last_write < BURST_SECONDS:
                time.sleep(self.gather_seconds)  # gevent's sleep in the server: the other connections run meanwhile
        except BaseException:  # this connection is going away (its greenlet killed): another writes the group
            self._leave(row)
            raise
        with self._lock:
            group, self._waiting = self._waiting, []
        error: BaseException | None = RuntimeError("The socket rows were not written.")
        try:
            _write_group(group)
            error = None
        except Exception as exc:  # every row of the group learns why
            error = exc
        finally:
            self._done(group, error)
        if error is not None:
            raise error

    def _hand_on(self) -> None:
        """The rows waiting now are written by the first one's connection (or none is writing)."""
        with self._lock:
            self._hand_on_locked()

    def _hand_on_locked(self) -> None:
        if self._waiting:
            self._waiting[0].leads = True
            self._waiting[0].written.set()
        else:
            self._writing = False

    def _leave(self, row: _Row) -> None:
        """A row whose connection gives up or goes away before it is written: it leaves the rows waiting
        (if a group has taken it already, that group still writes it), and if it had been handed the
        writing of the next group, the next row's connection takes that on."""
        with self._lock:
            if row in self._waiting:
                self._waiting.remove(row)
            if row.leads:
                row.leads = False
                self._hand_on_locked()

    def _done(self, group: list[_Row], error: BaseException | None) -> None:
        self._last_write = time.monotonic()
        self.groups += 1
        self.rows += len(group)
        self._hand_on()  # rows that came while this group was written
        for each in group:
            each.error = error
            each.written.set()


def _release_connection() -> None:
    """End the session's read, so its connection goes back to the pool (what it has loaded stays;
    the callers have nothing to write before their row)."""
    if db.session().in_transaction():
        commit(keep_loaded=True)


def _write_group(group: list[_Row]) -> None:
    """One transaction: the rows of the sockets opened, then the deletions of those closed."""
    opened = [row.opened for row in group if row.opened is not None]
    closed = [{"sid": row.closed} for row in group if row.closed is not None]
    with write(keep_loaded=True):  # plain INSERTs and DELETEs: no unit of work, the caller's rows stay loaded
        connection = db.session.connection()
        if opened:
            connection.execute(_INSERT_SESSION, opened)
        if closed:
            connection.execute(_DELETE_SESSION, closed)


def _group_writes() -> GroupWrites:
    """This app's group writer (each app has its own database)."""
    extensions = current_app.extensions
    writer = extensions.get("socket_rows")
    if writer is None:
        writer = extensions.setdefault("socket_rows", GroupWrites(current_app.config["SOCKET_ROWS_GATHER_SECONDS"]))
    return writer


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
