"""Each server process's heartbeat for the rows of its sockets (services.socket_sessions.beat): while
the process lives its rows stay counted against the caps on sockets per link and per address; the
rows of a process killed outright are removed by the next beat of any other, once they are older than
SOCKET_STALE_SECONDS. Started by the process's first connection (so each of gunicorn's forked workers
starts its own), under gevent only: the in-process test client has no server process to speak for.
"""

from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask

from ..extensions import socketio
from ..models import utcnow
from ..services import socket_sessions

#: the processes (by pid) whose heartbeat is running
_RUNNING: set[int] = set()


def keep_alive(app: Flask) -> None:
    """Start this process's heartbeat, once (every connection asks; the first starts it)."""
    pid = os.getpid()
    if pid in _RUNNING or socketio.async_mode != "gevent":
        return
    seconds = float(app.config["SOCKET_HEARTBEAT_SECONDS"])
    if seconds <= 0:
        return
    # a stamp must be able to be late a beat or two without the rows counting as a dead process's
    stale_after = timedelta(seconds=max(float(app.config["SOCKET_STALE_SECONDS"]), 3 * seconds))
    _RUNNING.add(pid)
    socketio.start_background_task(_beat_forever, app, seconds, stale_after)


def _beat_forever(app: Flask, seconds: float, stale_after: timedelta) -> None:
    """Stamp this process's rows and sweep away stale ones now, then every `seconds`."""
    while True:
        try:
            with app.app_context():
                removed = socket_sessions.beat(utcnow(), stale_after)
            if removed:
                app.logger.info("removed %d sockets of server processes that stopped", removed)
        except Exception:  # the database unreachable for a moment: try again at the next beat
            app.logger.exception("socket heartbeat failed")
        socketio.sleep(seconds)
