"""Group commit: writes that arrive at about the same moment go in one transaction.

A commit costs about as much as the rows in it, so where many connections each have a small write at
once (a restart's reconnect storm noting its sockets, a class joining a meeting as it starts) one
commit for the group saves a commit per connection. What PostgreSQL's `commit_delay` does for commits.
Used for the rows of open sockets (services.socket_sessions) and the attendance taken as participants'
links connect (services.attendance).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from ..extensions import db
from .writes import commit

#: a group written less than this long ago means writes are arriving in a burst
BURST_SECONDS = 0.05
#: the longest a write waits for a group another connection is writing, before it gives up
WAIT_SECONDS = 30.0


@dataclass(eq=False)
class Waiting:
    """One write waiting in a group (`value`: what the group's writer needs), and its outcome."""

    value: Any = None
    #: what the group's writer gave this write back (e.g. the event to broadcast), and any error of its own
    result: Any = None
    error: BaseException | None = None
    written: threading.Event = field(default_factory=lambda: threading.Event())  # gevent's, once patched
    #: set when the connection writing a group hands the writing of the next one to this write's
    leads: bool = False


class GroupWrites:
    """Group commit for one kind of write of one app.

    A connection with a write joins the group waiting. If no other connection is writing one, it writes
    the group itself: in a burst (a group written in the last BURST_SECONDS) it first lets the server's
    other connections run for `gather_seconds`, so that their writes join, then hands the whole group to
    `write_group`, which writes it (in one transaction, or one per meeting) and may set each write's
    `result` or `error`. Every connection returns once its own write is committed (with its result), or
    raises the error that stopped it, as if it had written alone; a lone write is written at once.
    """

    def __init__(self, gather_seconds: float, write_group: Callable[[list[Waiting]], None]) -> None:
        self.gather_seconds = gather_seconds
        self.write_group = write_group
        self._lock = threading.Lock()
        self._waiting: list[Waiting] = []
        self._writing = False
        self._last_write = float("-inf")
        #: groups written, and the writes in them (for tests and benchmarks)
        self.groups = 0
        self.rows = 0

    def run(self, value: Any) -> Any:
        """Write `value` with whatever else is waiting; returns its result once committed."""
        row = Waiting(value)
        _release_connection()  # not held while the write waits: others need the pool's connections
        with self._lock:
            self._waiting.append(row)
            leads = row.leads = not self._writing  # this connection writes the next group
            self._writing = True
        if not leads:
            try:
                signalled = row.written.wait(WAIT_SECONDS)
            except BaseException:  # this connection is going away while its write waits
                self._leave(row)
                raise
            if not signalled:
                self._leave(row)
                raise TimeoutError("The write was not committed in time.")
            if not row.leads:
                return _outcome(row)
            row.written.clear()  # handed the writing of the next group, which this write is in
        try:
            if self.gather_seconds > 0 and time.monotonic() - self._last_write < BURST_SECONDS:
                time.sleep(self.gather_seconds)  # gevent's sleep in the server: the other connections run meanwhile
        except BaseException:  # this connection is going away (its greenlet killed): another writes the group
            self._leave(row)
            raise
        with self._lock:
            group, self._waiting = self._waiting, []
        error: BaseException | None = RuntimeError("The group was not written.")
        try:
            self.write_group(group)
            error = None
        except Exception as exc:  # every write of the group learns why
            error = exc
        finally:
            self._done(group, error)
        return _outcome(row)

    def _hand_on(self) -> None:
        """The writes waiting now are written by the first one's connection (or none is writing)."""
        with self._lock:
            self._hand_on_locked()

    def _hand_on_locked(self) -> None:
        if self._waiting:
            self._waiting[0].leads = True
            self._waiting[0].written.set()
        else:
            self._writing = False

    def _leave(self, row: Waiting) -> None:
        """A write whose connection gives up or goes away before it is written: it leaves the writes
        waiting (if a group has taken it already, that group still writes it), and if it had been handed
        the writing of the next group, the next write's connection takes that on."""
        with self._lock:
            if row in self._waiting:
                self._waiting.remove(row)
            if row.leads:
                row.leads = False
                self._hand_on_locked()

    def _done(self, group: list[Waiting], error: BaseException | None) -> None:
        self._last_write = time.monotonic()
        self.groups += 1
        self.rows += len(group)
        self._hand_on()  # writes that came while this group was written
        for each in group:
            if error is not None:
                each.error = error
            each.written.set()


def for_app(name: str, write_group: Callable[[list[Waiting]], None]) -> GroupWrites:
    """This app's group writer of one kind (each app has its own database), gathering for
    SOCKET_ROWS_GATHER_SECONDS in a burst."""
    extensions = current_app.extensions
    writer = extensions.get(name)
    if writer is None:
        writer = extensions.setdefault(name, GroupWrites(current_app.config["SOCKET_ROWS_GATHER_SECONDS"], write_group))
    return writer


def _outcome(row: Waiting) -> Any:
    if row.error is not None:
        raise row.error
    return row.result


def _release_connection() -> None:
    """End the session's read, so its connection goes back to the pool (what it has loaded stays;
    the callers have nothing to write before their group's)."""
    if db.session().in_transaction():
        commit(keep_loaded=True)
