"""Group commit: writes that arrive at about the same moment go in one transaction.

A commit costs about as much as the rows in it, so where many connections each have a small write at
once (a restart's reconnect storm noting its sockets, a class joining a meeting as it starts) one
commit for the group saves a commit per connection. What PostgreSQL's `commit_delay` does for commits.
Used for the rows of open sockets (services.socket_sessions) and the attendance taken as participants'
links connect (services.attendance).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from ..extensions import db
from .writes import commit

log = logging.getLogger(__name__)

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
    #: set once a group has taken this write (it is no longer waiting), and once that group is done
    taken: bool = False
    done: bool = False
    #: set when this write's connection gives up or goes away after a group has taken it
    abandoned: bool = False


class GroupWrites:
    """Group commit for one kind of write of one app.

    A connection with a write joins the group waiting. If no other connection is writing one, it writes
    the group itself: in a burst (a group written in the last BURST_SECONDS) it first lets the server's
    other connections run for `gather_seconds`, so that their writes join, then hands the whole group to
    `write_group`, which writes it (in one transaction, or one per meeting) and may set each write's
    `result` or `error`. Every connection returns once its own write is committed (with its result), or
    raises the error that stopped it, as if it had written alone; a lone write is written at once.

    A connection that gives up (WAIT_SECONDS) or goes away after a group has taken its write cannot stop
    that group writing it. Where a write left behind would be wrong (the row of a socket that never
    connected counts against the caps until the process stops), `undo(value)` gives the write that takes
    it back; it is run, in a thread of its own in `app`'s context, after the group that wrote the original
    (so an `undo` needs its `app`).
    """

    def __init__(
        self,
        gather_seconds: float,
        write_group: Callable[[list[Waiting]], None],
        undo: Callable[[Any], Any] | None = None,
        app: Any = None,
    ) -> None:
        if undo is not None and app is None:
            raise ValueError("an undo runs in its app's context: give the app")
        self.gather_seconds = gather_seconds
        self.write_group = write_group
        self.undo = undo
        self.app = app
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
            for each in group:
                each.taken = True
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
        waiting, and if it had been handed the writing of the next group, the next write's connection
        takes that on. If a group has taken it already, that group still writes it: it is undone once
        that group is done (or now, if the group was done as the connection gave up)."""
        undo_now = False
        with self._lock:
            if row in self._waiting:
                self._waiting.remove(row)
            elif row.taken:
                row.abandoned = True
                undo_now = row.done and row.error is None
            if row.leads:
                row.leads = False
                self._hand_on_locked()
        if undo_now:
            self._undo(row)

    def _done(self, group: list[Waiting], error: BaseException | None) -> None:
        self._last_write = time.monotonic()
        self.groups += 1
        self.rows += len(group)
        with self._lock:
            for each in group:
                if error is not None:
                    each.error = error
                each.done = True
            left = [each for each in group if each.abandoned and each.error is None]
            self._hand_on_locked()  # writes that came while this group was written
        for each in group:
            each.written.set()
        for each in left:  # written, but their connections gave up on them meanwhile
            self._undo(each)

    def _undo(self, row: Waiting) -> None:
        """Take back a write whose connection gave up on it after its group took it (see `undo`), in a
        thread of its own: that connection is failing, and the writing connection has its own to finish."""
        value = self.undo(row.value) if self.undo is not None else None
        if value is None:
            return

        def run() -> None:
            try:
                with self.app.app_context():
                    self.run(value)
            except Exception:  # nobody waits on this thread: the log says what is left behind
                log.exception("could not undo a write given up on: %r", value)

        threading.Thread(target=run, name="group-commit-undo", daemon=True).start()


def for_app(
    name: str, write_group: Callable[[list[Waiting]], None], undo: Callable[[Any], Any] | None = None
) -> GroupWrites:
    """This app's group writer of one kind (each app has its own database), gathering for
    SOCKET_ROWS_GATHER_SECONDS in a burst."""
    extensions = current_app.extensions
    writer = extensions.get(name)
    if writer is None:
        app = current_app._get_current_object()
        gather = app.config["SOCKET_ROWS_GATHER_SECONDS"]
        writer = extensions.setdefault(name, GroupWrites(gather, write_group, undo, app))
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
