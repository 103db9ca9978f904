"""Socket rows written in groups (services.group_commit.GroupWrites): sockets opening or closing at
about the same moment share one commit, and each returns only once its own row is committed, as if it
had written it alone. Real threads and a real SQLite file here; the server under gevent does the same
with greenlets (tests/integration and the browser tests run it)."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from facilitation import queries
from facilitation.extensions import db
from facilitation.models import SocketSession, utcnow
from facilitation.services import group_commit, records, socket_sessions
from tests.conftest import add_staff, app_with, meeting_payload


@contextmanager
def grouping_app(tmp_path, gather_seconds: float):
    with app_with(tmp_path, SOCKET_ROWS_GATHER_SECONDS=gather_seconds) as app:
        yield app


def over_cap(link, address: str, per_link: int, per_address: int) -> str | None:
    """The cap one more socket on `link` from `address` would pass, as the connect handler checks it."""
    return socket_sessions.over_cap(records.joining_link(db.session.connection(), link.token, address), per_link, per_address)


def database_file(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def committed(app, sid: str) -> bool:
    """Whether the row is in the database for everyone else (read on a connection of its own)."""
    with sqlite3.connect(database_file(app)) as other:
        return other.execute("SELECT count(*) FROM socket_sessions WHERE sid = ?", (sid,)).fetchone()[0] == 1


def a_link(app, make_meeting_in):
    token = make_meeting_in(app)
    with app.app_context():
        return queries.live_link(token)


@pytest.fixture
def make_meeting_in():
    def make(app) -> str:
        staff = add_staff(app)
        created = app.test_client().post(
            "/api/v1/meetings", json=meeting_payload(), headers={"Authorization": f"Bearer {staff['api_token']}"}
        )
        assert created.status_code == 201, created.get_json()
        return created.get_json()["tokens"]["chair"]

    return make


def at_once(app, n: int, work) -> list:
    """Run work(i) in n threads released together, each in its own app context; returns each outcome
    (None, or the exception it raised) and whether its row was committed when it returned."""
    start = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i: int) -> None:
        with app.app_context():
            start.wait()
            try:
                outcomes[i] = ("returned", work(i))
            except Exception as exc:  # noqa: BLE001 - the test looks at what each thread got
                outcomes[i] = ("raised", exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_sockets_opening_at_once_share_commits_and_each_returns_once_its_row_is_committed(tmp_path, make_meeting_in):
    with grouping_app(tmp_path, gather_seconds=0.05) as app:
        link = a_link(app, make_meeting_in)
        with app.app_context():
            socket_sessions.opened("first", link, "10.0.0.1")  # a burst has begun
            writer = app.extensions["socket_rows"]
            groups_before = writer.groups

        def open_one(i: int) -> bool:
            socket_sessions.opened(f"sid-{i}", link, "10.0.0.2")
            return committed(app, f"sid-{i}")  # already there for everyone when opened() returns

        outcomes = at_once(app, 20, open_one)
        assert outcomes == [("returned", True)] * 20
        assert writer.groups - groups_before < 20  # fewer commits than sockets
        assert writer.rows == 21
        with app.app_context():
            assert over_cap(link, "10.0.0.2", per_link=100, per_address=20) == "address"


def test_sockets_closing_at_once_are_all_forgotten(tmp_path, make_meeting_in):
    with grouping_app(tmp_path, gather_seconds=0.05) as app:
        link = a_link(app, make_meeting_in)
        with app.app_context():
            for i in range(12):
                socket_sessions.opened(f"sid-{i}", link, "10.0.0.3")

        def close_one(i: int) -> bool:
            socket_sessions.closed(f"sid-{i}")
            return committed(app, f"sid-{i}")

        assert at_once(app, 12, close_one) == [("returned", False)] * 12
        with app.app_context():
            assert over_cap(link, "10.0.0.3", per_link=1, per_address=1) is None


def test_a_group_that_cannot_be_written_fails_every_socket_in_it_and_writes_none_of_them(tmp_path, make_meeting_in):
    with grouping_app(tmp_path, gather_seconds=0.3) as app:
        link = a_link(app, make_meeting_in)
        with app.app_context():
            db.session.execute(
                insert(SocketSession),
                {"sid": "taken", "link_id": link.id, "meeting_id": link.meeting_id, "connected_at": utcnow()},
            )
            db.session.commit()
            socket_sessions.opened("first", link, None)  # a burst: the next group waits for everyone

        def open_one(i: int) -> None:  # one of them reuses a socket id already on record: the group's INSERT fails
            socket_sessions.opened("taken" if i == 0 else f"sid-{i}", link, None)

        outcomes = at_once(app, 8, open_one)
        assert [kind for kind, _ in outcomes] == ["raised"] * 8
        assert all(isinstance(exc, IntegrityError) for _, exc in outcomes)
        assert not any(committed(app, f"sid-{i}") for i in range(1, 8))
        with app.app_context():  # the writer goes on: the next socket is written
            socket_sessions.opened("after", link, None)
        assert committed(app, "after")


def test_a_lone_socket_is_written_at_once_without_waiting_for_a_group(tmp_path, make_meeting_in):
    with grouping_app(tmp_path, gather_seconds=5.0) as app:
        link = a_link(app, make_meeting_in)
        with app.app_context():
            socket_sessions.opened("earlier", link, None)
            time.sleep(group_commit.BURST_SECONDS * 2)  # quiet since
            began = time.monotonic()
            socket_sessions.opened("alone", link, None)
            assert time.monotonic() - began < 1.0
        assert committed(app, "alone")


def test_a_connection_that_goes_away_while_its_group_gathers_hands_the_writing_on(tmp_path, make_meeting_in, monkeypatch):
    """Under gevent a connection's greenlet can be killed while it waits for others to join its group:
    the rows waiting with it are still written, by the next one's connection, and later ones too."""
    with grouping_app(tmp_path, gather_seconds=0.05) as app:
        link = a_link(app, make_meeting_in)
        with app.app_context():
            socket_sessions.opened("first", link, None)
            writer = app.extensions["socket_rows"]

        class Gone(BaseException):
            pass

        gone = []

        class Clock:
            monotonic = staticmethod(time.monotonic)

            @staticmethod
            def sleep(seconds):
                if gone:  # only the first gatherer goes away
                    return time.sleep(seconds)
                gone.append(threading.current_thread().name)
                deadline = time.monotonic() + 5
                while len(writer._waiting) < 4 and time.monotonic() < deadline:
                    time.sleep(0.01)
                raise Gone()

        monkeypatch.setattr(group_commit, "time", Clock)

        def open_one(i: int) -> bool:
            try:
                socket_sessions.opened(f"sid-{i}", link, None)
            except Gone:
                return "gone"
            return committed(app, f"sid-{i}")

        outcomes = at_once(app, 4, open_one)
        assert sorted(str(value) for _, value in outcomes) == ["True", "True", "True", "gone"]
        with app.app_context():
            socket_sessions.opened("later", link, None)
        assert committed(app, "later")


def test_a_row_handed_the_writing_that_goes_away_hands_it_to_the_next_and_the_last_one_ends_it():
    writer = group_commit.GroupWrites(gather_seconds=0.0, write_group=lambda group: None)
    handed, second, third = (group_commit.Waiting(("closed", sid)) for sid in ("a", "b", "c"))
    handed.leads = True  # as the connection that wrote the last group leaves it
    writer._waiting[:] = [handed, second, third]
    writer._writing = True
    writer._leave(handed)  # its connection gives up (30 s) or is killed while waiting
    assert writer._waiting == [second, third]
    assert second.leads and second.written.is_set() and not third.leads
    assert writer._writing
    writer._leave(third)  # a row not handed anything just leaves
    assert writer._waiting == [second] and second.leads
    writer._waiting.clear()
    writer._leave(second)  # nothing left waiting: no one is writing, the next row writes at once
    assert not writer._writing


def eventually(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def test_a_socket_that_gives_up_after_its_group_took_its_row_leaves_no_row_behind(tmp_path, make_meeting_in, monkeypatch):
    """The group writing a row cannot be stopped by the connection giving up on it (30 s, or the
    client going away): the row is written, but the socket never connected, so no disconnect would
    remove it, and it would count against the caps until the process stops. It is deleted again."""
    with grouping_app(tmp_path, gather_seconds=0.1) as app:
        link = a_link(app, make_meeting_in)
        with app.app_context():
            socket_sessions.opened("first", link, "10.0.0.4")
        monkeypatch.setattr(group_commit, "BURST_SECONDS", 60.0)  # still a burst: the next group gathers
        write_group = socket_sessions._write_group
        slow = threading.Event()

        def slow_write(group):  # the database is slow to take the group
            if ("opened", "gives-up") in [(row.value[0], row.value[1]["sid"]) for row in group if row.value[0] == "opened"]:
                slow.wait(5)
            write_group(group)

        monkeypatch.setattr(app.extensions["socket_rows"], "write_group", slow_write)
        monkeypatch.setattr(group_commit, "WAIT_SECONDS", 0.3)

        def open_one(i: int):
            if i == 1:
                time.sleep(0.03)  # joins the group the first one gathers
            socket_sessions.opened("writes" if i == 0 else "gives-up", link, "10.0.0.4")
            return committed(app, "writes" if i == 0 else "gives-up")

        release = threading.Timer(0.8, slow.set)  # after the second has given up
        release.start()
        outcomes = at_once(app, 2, open_one)
        release.cancel()
        assert outcomes[0] == ("returned", True)
        assert outcomes[1][0] == "raised" and isinstance(outcomes[1][1], TimeoutError)
        assert eventually(lambda: not committed(app, "gives-up"))
        assert committed(app, "writes")
        with app.app_context():  # only the sockets that connected count against the caps
            assert over_cap(link, "10.0.0.4", per_link=0, per_address=3) is None
            assert over_cap(link, "10.0.0.4", per_link=0, per_address=2) == "address"


def test_a_write_given_up_just_as_its_group_is_done_is_undone_at_once(tmp_path):
    with app_with(tmp_path) as app:
        written: list = []
        writer = group_commit.GroupWrites(0.0, lambda group: written.extend(row.value for row in group),
                                          undo=lambda value: ("undo", value), app=app)  # fmt: skip
        row = group_commit.Waiting("mine")
        row.taken = row.done = True  # its group wrote it as its connection's wait ran out
        writer._leave(row)
        assert eventually(lambda: written == [("undo", "mine")])
        failed = group_commit.Waiting("failed", error=RuntimeError("not written"))
        failed.taken = failed.done = True
        writer._leave(failed)  # not written: nothing to undo
        time.sleep(0.1)
        assert written == [("undo", "mine")]


def test_a_group_writer_that_can_undo_needs_the_app_its_undo_runs_in():
    with pytest.raises(ValueError, match="app"):
        group_commit.GroupWrites(0.0, lambda group: None, undo=lambda value: value)
