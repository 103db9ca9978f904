"""Security events and socket caps against a live server with the real python-socketio client: a refused
connection, a command the role may not send and a flood each leave a structured line in the server's log
(ids, the address, a reason; no names, no typed text) and are counted in the database every process
shares; a link or an address over its cap of open sockets is refused with a clear message."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
import socketio

from tests.conftest import LiveServer, prepared_server
from tests.integration.conftest import LiveMeeting, relaunch  # noqa: F401  (shared fixture)
from tests.realtime.conftest import Client

pytestmark = pytest.mark.live

NAMES = ("Sam Parent", "Dr Eve Psych")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One live server with the default caps; repeats of an event are written a second after it."""
    server = prepared_server(tmp_path_factory.mktemp("security-events"), env={"SECURITY_EVENTS_FLUSH_SECONDS": "1"})
    yield server
    server.stop()


@pytest.fixture
def room(server):
    meeting = LiveMeeting(server)
    for name, role, agency in (("Sam Parent", "parent", "family"), ("Dr Eve Psych", "educational_psychologist", "ep_service")):
        meeting.add_participant(name, role, agency)
    return meeting


def log_lines(server: LiveServer) -> list[dict]:
    """The security events in the server's log (each one JSON line)."""
    out = []
    for line in server.log.read_text(errors="replace").splitlines():
        if line.startswith('{"security_event"'):
            out.append(json.loads(line))
    return out


def counted(server: LiveServer, kind: str, **where) -> int:
    """Events of `kind` counted in the server's database (optionally only some meeting's, or reason)."""
    sql = "SELECT COALESCE(SUM(count), 0) FROM security_events WHERE kind = ?"
    args: list = [kind]
    for column, value in where.items():
        sql += f" AND {column} = ?"
        args.append(value)
    with sqlite3.connect(server.workdir / "live.db") as db:
        return db.execute(sql, args).fetchone()[0]


def eventually(check, timeout=15.0):
    # Generous: a loaded 2-core CI machine runs the server, the clients and the test at once.
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_a_refused_connection_is_logged_and_counted(server, clients):
    before = counted(server, "connection_refused", detail="bad_link")
    client = clients()
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, "x" * 43)
    assert client.refusals == [{"message": "unauthorised"}]
    assert eventually(lambda: counted(server, "connection_refused", detail="bad_link") == before + 1)
    line = [x for x in log_lines(server) if x["security_event"] == "connection_refused"][-1]
    assert line["detail"] == "bad_link" and line["address"] == "127.0.0.1" and "link_id" not in line
    assert "x" * 43 not in server.log.read_text()  # the token tried is not written down either


def test_a_forbidden_command_over_a_socket_is_logged_with_ids_and_no_names_or_typed_text(room, clients):
    parent = clients().connect(room.url, room.participants[0])
    ack = parent.sio.call(
        "command", {"id": "f-1", "name": "decisions.record", "args": {"text": "Zebedee's private words"}}, timeout=5
    )
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    assert eventually(lambda: counted(room.server, "forbidden", meeting_id=room.id) == 1)
    [line] = [x for x in log_lines(room.server) if x["security_event"] == "forbidden" and x.get("meeting_id") == room.id]
    assert line["detail"] == "decisions.record" and isinstance(line["link_id"], int) and line["address"] == "127.0.0.1"
    text = room.server.log.read_text()
    assert "Zebedee" not in text and not any(name in text for name in NAMES)


def test_the_eleventh_socket_of_one_link_is_refused_with_a_clear_message_and_the_ten_stay(room, clients):
    chair = clients().connect(room.url, room.chair)
    ten = [clients().connect(room.url, room.participants[0]) for _ in range(10)]
    eleventh = clients()
    with pytest.raises(socketio.exceptions.ConnectionError):
        eleventh.connect(room.url, room.participants[0])
    [refusal] = eleventh.refusals
    assert refusal["message"] == "too_many_connections"
    assert "Too many connections are open with this link" in refusal["data"]["message"]
    assert not eleventh.sio.connected
    # The first ten are untouched: each still receives the meeting's events.
    seq = chair.sio.call("command", {"id": "cap-1", "name": "clock.start_meeting", "args": {}}, timeout=5)["seq"]
    for person in ten:
        assert person.sio.connected and [e["seq"] for e in person.wait_for_events(1)] == [seq]
    # Another person's link is not affected, and the refusal is logged and counted.
    assert clients().connect(room.url, room.participants[1]).sio.connected
    assert eventually(lambda: counted(room.server, "too_many_connections", meeting_id=room.id, detail="link") == 1)
    assert any(
        x["security_event"] == "too_many_connections" and x.get("meeting_id") == room.id for x in log_lines(room.server)
    )
    # The cap counts open sockets: once one of the ten has gone, the link connects again.
    ten[0].sio.disconnect()
    again = clients()
    assert eventually(lambda: _connects(again, room.url, room.participants[0]))


def _connects(client: Client, url: str, token: str) -> bool:
    try:
        client.connect(url, token)
    except socketio.exceptions.ConnectionError:
        client.refusals.clear()
        return False
    return True


def test_sockets_from_one_address_are_capped_whichever_links_they_use(live_server, clients):
    server = live_server(env={"MAX_SOCKETS_PER_ADDRESS": "3"})
    room = LiveMeeting(server)
    parent = room.add_participant("Sam Parent", "parent", "family")
    opened = [clients().connect(room.url, token) for token in (room.chair, room.screen, parent)]
    fourth = clients()
    with pytest.raises(socketio.exceptions.ConnectionError):
        fourth.connect(room.url, parent)
    assert fourth.refusals[0]["message"] == "too_many_connections"
    assert "network address" in fourth.refusals[0]["data"]["message"]
    assert all(c.sio.connected for c in opened)
    assert eventually(lambda: counted(server, "too_many_connections", detail="address") == 1)


def test_a_flood_is_logged_in_a_few_lines_and_every_refusal_is_counted(room, clients):
    chair = clients().connect(room.url, room.chair)
    answers = []
    for _ in range(200):
        chair.sio.emit("time", {}, callback=lambda ack: answers.append(ack))
    assert eventually(lambda: len(answers) == 200, timeout=15)
    refused = sum(1 for a in answers if not a["ok"] and a["error"]["code"] == "rate_limited")
    assert refused >= 40  # 200 less the burst (40) and the refill while sending (20/s): 40 or more within 6 s
    # The repeats are added a second later (SECURITY_EVENTS_FLUSH_SECONDS), in one write.
    assert eventually(lambda: counted(room.server, "rate_limited", meeting_id=room.id) == refused), (
        counted(room.server, "rate_limited", meeting_id=room.id),
        refused,
    )

    def logged() -> list[dict]:
        return [x for x in log_lines(room.server) if x["security_event"] == "rate_limited" and x.get("meeting_id") == room.id]

    # The "repeated" line is written just after the repeats' count is committed: wait for it as well.
    assert eventually(lambda: sum(x.get("repeated", 1) for x in logged()) == refused), (logged(), refused)
    assert len(logged()) <= 4  # a first line and a "repeated" line per minute, not one per refusal


def test_after_a_crash_everyone_reconnects_within_the_caps(live_server, relaunch, clients):  # noqa: F811 - a fixture
    # A process killed outright leaves its sockets on record; without a queue it is the only process,
    # so the next one forgets them when it starts instead of counting them against the caps.
    server = live_server(env={"MAX_SOCKETS_PER_ADDRESS": "3", "MAX_SOCKETS_PER_LINK": "2"})
    room = LiveMeeting(server)
    parent = room.add_participant("Sam Parent", "parent", "family")
    for token in (room.chair, parent, parent):
        clients().connect(room.url, token)
    server.kill()
    server = relaunch(server)
    back = [clients().connect(room.url, token) for token in (room.chair, parent, parent)]
    assert all(c.sio.connected for c in back)
