"""What a socket event reads: its link, account and meeting in one statement (a command's inside its write
lock, so the meeting it decides on is the latest), a clock probe only its link and the meeting's
organisation, and never the session cookie again after connect."""

from __future__ import annotations

from contextlib import contextmanager

from flask.sessions import NullSession
from sqlalchemy import event

from facilitation.extensions import db
from tests.realtime.conftest import add_note_taker_and_observer


@contextmanager
def statements(app):
    """The SQL the database is sent while the block runs, in order: what sqlite3 itself runs (its trace
    callback), so a statement sent straight to the driver, such as the write lock's BEGIN, is seen too."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def note(statement: str) -> None:
        seen.append(" ".join(statement.split()))

    def traced(dbapi_connection, record, proxy) -> None:
        dbapi_connection.set_trace_callback(note)

    def untraced(dbapi_connection, record) -> None:
        dbapi_connection.set_trace_callback(None)

    event.listen(engine, "checkout", traced)
    event.listen(engine, "checkin", untraced)
    try:
        yield seen
    finally:
        event.remove(engine, "checkout", traced)
        event.remove(engine, "checkin", untraced)


def reads_of_meetings(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith("SELECT") and " FROM access_links JOIN meetings" in s or " FROM meetings" in s]


def test_a_command_reads_its_link_and_meeting_once_inside_its_write_lock(app, meeting, sockets):
    chair = sockets(meeting["chair"])
    chair.emit("sync", {}, callback=True)
    with statements(app) as seen:
        ack = chair.emit("command", {"id": "c1", "name": "decisions.record", "args": {"text": "Weekly reading support"}}, callback=True)
    assert ack["ok"], ack
    meeting_reads = reads_of_meetings(seen)
    assert len(meeting_reads) == 1, seen  # the link's read, joined to its meeting: no second read
    assert "access_links" in meeting_reads[0]
    # SQLite: the write lock is taken before that read, so no other writer can move the seq after it
    assert seen.index("BEGIN IMMEDIATE") < seen.index(meeting_reads[0]), seen
    assert seen.count("BEGIN IMMEDIATE") == 1


def test_a_sync_reads_its_meeting_with_its_link_and_takes_no_write_lock(app, meeting, sockets):
    parent = sockets(meeting["participants"][0])
    chair = sockets(meeting["chair"])
    chair.emit("command", {"id": "c1", "name": "decisions.record", "args": {"text": "Weekly reading support"}}, callback=True)
    with statements(app) as seen:
        snapshot = parent.emit("sync", {}, callback=True)["snapshot"]
    assert [d["text"] for d in snapshot["decisions"]] == ["Weekly reading support"]
    assert len(reads_of_meetings(seen)) == 1, seen
    assert "BEGIN IMMEDIATE" not in seen


def test_events_after_connect_use_the_session_copied_at_connect_and_never_read_the_cookie_again(app, client, meeting, api, sockets):
    notes_token, notes_client, _ = add_note_taker_and_observer(app, client, meeting, api)
    interface = app.session_interface
    opened: list[str] = []
    real_open = type(interface).open_session

    def counting_open(self, app_, request):
        session = real_open(self, app_, request)
        if not isinstance(session, NullSession):  # the cookie was read (verified and decoded)
            opened.append(request.path)
        return session

    type(interface).open_session = counting_open
    try:
        notes = sockets(notes_token, notes_client)  # a staff link: works only with its account signed in
        assert notes.is_connected()
        after_connect = len(opened)
        assert after_connect >= 1  # connect reads the cookie: who is signed in
        for n in range(3):
            assert notes.emit("time", {}, callback=True)["ok"]
            ack = notes.emit("command", {"id": f"n{n}", "name": "decisions.record", "args": {"text": f"Decision {n}"}}, callback=True)
            assert ack["ok"], ack
        assert notes.emit("sync", {}, callback=True)["ok"]
        # 7 events, each one the signed-in account checked against the session copied at connect
        assert len(opened) == after_connect
        assert client.get("/").status_code in (200, 302) and len(opened) == after_connect + 1  # pages still read it
    finally:
        type(interface).open_session = real_open


def test_a_clock_probe_reads_only_its_link_and_the_meeting_s_organisation(app, meeting, sockets):
    parent = sockets(meeting["participants"][0])
    with statements(app) as seen:
        ack = parent.emit("time", {}, callback=True)
    assert ack["ok"] and "server_now" in ack
    assert len(seen) == 1 and "meetings.organisation_id" in seen[0], seen
    assert "meetings.last_seq" not in seen[0]  # not the whole meeting: a browser probes its clock several times as it joins
