"""The rows of open sockets name their server process, which stamps them as alive: the rows of a
process that stopped stamping (killed outright) are removed by another's beat, so they stop counting
against the caps on sockets per link; a live process's rows stay. (Two real processes, one killed:
tests/integration/test_scale_out.py.)"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from facilitation import queries
from facilitation.extensions import db
from facilitation.models import SocketSession, utcnow
from facilitation.services import socket_sessions

STALE = timedelta(seconds=60)


def rows(app) -> dict[str, tuple]:
    with app.app_context():
        return {r.sid: (r.process_id, r.seen_at) for r in db.session.scalars(select(SocketSession))}


def note_sockets(app, token: str, process: str, seen_ago: timedelta, n: int) -> None:
    """Rows as another server process left them: n sockets of `token`'s link, last stamped `seen_ago`."""
    with app.app_context():
        link = queries.live_link(token)
        when = utcnow() - seen_ago
        db.session.execute(
            insert(SocketSession),
            [
                {"sid": f"{process}-{i}", "link_id": link.id, "meeting_id": link.meeting_id, "address": "10.0.0.9",
                 "connected_at": when, "process_id": process, "seen_at": when}
                for i in range(n)
            ],
        )  # fmt: skip
        db.session.commit()


def test_a_beat_stamps_this_process_s_rows_and_removes_only_those_of_a_process_that_stopped(app, meeting, sockets):
    ours = sockets(meeting["participants"][0])
    note_sockets(app, meeting["participants"][1], "stopped", timedelta(seconds=61), 2)
    note_sockets(app, meeting["participants"][1], "alive", timedelta(seconds=20), 1)
    before = rows(app)
    (own_sid,) = [sid for sid, (process, _) in before.items() if process == socket_sessions.process_id()]
    now = utcnow()
    with app.app_context():
        assert socket_sessions.beat(now, STALE) == 2
    after = rows(app)
    assert set(after) == {own_sid, "alive-0"}
    assert after[own_sid][1] == now and after["alive-0"] == before["alive-0"]
    assert ours.is_connected()


def test_a_dead_process_s_sockets_stop_counting_against_the_link_s_cap_after_a_beat(app, meeting, sockets):
    parent = meeting["participants"][0]
    cap = app.config["MAX_SOCKETS_PER_LINK"]
    note_sockets(app, parent, "killed", timedelta(minutes=5), cap)
    refused = sockets(parent)
    assert not refused.is_connected()
    with app.app_context():
        assert socket_sessions.beat(utcnow(), STALE) == cap
    back = sockets(parent)
    assert back.is_connected()
    assert back.emit("sync", {}, callback=True)["ok"]


def test_each_process_has_its_own_id_and_a_forked_child_makes_a_new_one():
    import os

    first = socket_sessions.process_id()
    assert first == socket_sessions.process_id() and len(first) == 16
    pid = os.fork()
    if pid == 0:  # the child: a new id, reported by its exit status
        os._exit(0 if socket_sessions.process_id() != first else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
