"""What the in-process Socket.IO test client bypasses, against a live server with the real python-socketio
client: the Origin check (another site, a port next door, a sandboxed `null` origin), link checks at the
handshake, the message size limit, fan-out between clients, and flooding."""

from __future__ import annotations

import json
import sys
import threading
import time

import pytest
import requests
import socketio

from tests.conftest import LiveServer, free_port, prepared_server
from tests.integration.conftest import LiveMeeting

pytestmark = pytest.mark.live

LIMIT = 64 * 1024  # MAX_SOCKET_MESSAGE_BYTES, the default configuration


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One live server for this module's tests (none of them harms it); each test has its own meeting."""
    server = prepared_server(tmp_path_factory.mktemp("live-socket"))
    yield server
    server.stop()


@pytest.fixture
def room(server):
    meeting = LiveMeeting(server)
    meeting.add_participant("Sam Parent", "parent", "family")
    meeting.add_participant("Dr Eve Psych", "educational_psychologist", "ep_service")
    return meeting


def needs_websocket_client(transports):
    if "websocket" in transports:
        pytest.importorskip("websocket", reason="python-socketio needs websocket-client for the websocket transport")


def foreign_origins(room) -> list[str]:
    """Origins a browser could send that are not this server's: another site, a port next door, a sandbox."""
    return ["http://evil.example", f"http://127.0.0.1:{room.server.port + 1}", "null"]


def test_a_socket_opened_from_a_foreign_origin_is_refused(room, clients):
    # Polling: python-socketio sends exactly the Origin given (its websocket transport adds a second one).
    for origin in foreign_origins(room):
        client = clients(("polling",))
        with pytest.raises(socketio.exceptions.ConnectionError, match="400"):
            client.connect(room.url, room.chair, headers={"Origin": origin})
        assert not client.sio.connected
    # The same link from the server's own origin connects: it was the Origin that was refused.
    assert clients(("polling",)).connect(room.url, room.chair, headers={"Origin": room.url}).sio.connected


def test_a_raw_websocket_from_a_foreign_origin_gets_no_session(room):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = f"ws://127.0.0.1:{room.server.port}/socket.io/?EIO=4&transport=websocket"
    for origin in foreign_origins(room):
        # Refused before the upgrade: never a 101, so another site's page never holds an open WebSocket.
        with pytest.raises(InvalidStatus) as refused:
            connect(url, origin=origin, open_timeout=5).close()
        assert refused.value.response.status_code in (400, 403), origin
    with connect(url, origin=room.url, open_timeout=5) as ws:
        assert ws.recv(timeout=5).startswith('0{"sid":')  # engine.io's open packet
    # A client that sends no Origin (not a browser) is judged by its link, as before.
    with connect(url, open_timeout=5) as ws:
        assert ws.recv(timeout=5).startswith('0{"sid":')


#: What every answer of the server carries, Socket.IO's included (tests/web/test_security_headers.py checks the values).
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
)


def polling_session(server) -> tuple[str, requests.Response]:
    """Open an engine.io polling session by hand; returns its URL (with the sid) and the opening answer."""
    base = f"{server.url}/socket.io/?EIO=4&transport=polling"
    opened = requests.get(base, headers={"Origin": server.url}, timeout=5)
    assert opened.status_code == 200 and opened.text.startswith("0{"), opened.text
    return f"{base}&sid={json.loads(opened.text[1:])['sid']}", opened


def test_socket_io_polling_answers_carry_the_security_headers_and_are_never_stored(server):
    session, opened = polling_session(server)
    answers = {
        "open": opened,
        "poll": requests.post(session, data="40", headers={"Origin": server.url}, timeout=5),
        "unknown session": requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling&sid=nope", timeout=5),
        "foreign origin": requests.get(session, headers={"Origin": "http://evil.example"}, timeout=5),
    }
    for what, answer in answers.items():
        for name in SECURITY_HEADERS:
            assert name in answer.headers, (what, name)
        assert answer.headers["X-Frame-Options"] == "DENY" and answer.headers["Referrer-Policy"] == "no-referrer"
        assert answer.headers.get("Cache-Control") == "no-store", what
    wrong_method = requests.put(session, data="", timeout=5)
    assert wrong_method.status_code == 405 and "POST" in wrong_method.headers["Allow"]


def test_a_megabyte_posted_on_a_polling_session_is_refused_at_once_and_the_server_goes_on(server):
    session, _ = polling_session(server)
    body = b"4" + b"x" * (1024 * 1024)
    started = time.monotonic()
    refused = requests.post(session, data=body, timeout=30)
    assert refused.status_code == 413
    assert time.monotonic() - started < 2, "the server read or waited on a body it was going to refuse"
    # The session it came on is closed, as a WebSocket sending the same would be.
    assert requests.get(session, timeout=5).status_code == 400
    # Without a Content-Length (chunked), the body is read only up to the limit.
    started = time.monotonic()
    chunked = requests.post(polling_session(server)[0], data=iter([body[:65536]] * 16), timeout=30)
    assert chunked.status_code == 413 and time.monotonic() - started < 2
    # The server still serves: a page, and a new session that sends a message within the limit.
    assert requests.get(f"{server.url}/", timeout=5).status_code == 200
    session, _ = polling_session(server)
    assert requests.post(session, data="40", timeout=5).text == "OK"


def test_under_gunicorn_s_worker_too_a_foreign_origin_is_refused_before_the_upgrade(tmp_path):
    """docs/deployment.md serves app:app with gevent-websocket's gunicorn worker: the same handler, the same refusal."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    pytest.importorskip("gunicorn")
    port = free_port()
    worker = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
    gunicorn = LiveServer(tmp_path, port=port, command=[
        sys.executable, "-m", "gunicorn", "-k", worker, "-w", "1", "-b", f"127.0.0.1:{port}", "--no-control-socket", "app:app",
    ])
    gunicorn.flask("init-db")
    gunicorn.start()
    try:
        url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
        with pytest.raises(InvalidStatus) as refused:
            connect(url, origin="http://evil.example", open_timeout=10).close()
        assert refused.value.response.status_code == 400
        with connect(url, origin=gunicorn.url, open_timeout=10) as ws:
            assert ws.recv(timeout=5).startswith('0{"sid":')
        session, opened = polling_session(gunicorn)
        assert opened.headers.get("Cache-Control") == "no-store" and opened.headers.get("X-Frame-Options") == "DENY"
        assert requests.post(session, data=b"4" + b"x" * (1024 * 1024), timeout=10).status_code == 413
    finally:
        gunicorn.stop()


def test_a_socket_with_a_bad_or_withdrawn_link_is_refused(room, clients):
    removed = room.add_participant("Leaving Person", "other", "other")
    participant_id = room.snapshot()["participants"][-1]["id"]
    room.command("participants.remove", participant_id=participant_id)
    for token in ("x" * 43, "short", None, removed, room.chair + "x"):
        client = clients()
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(room.url, token)
        assert client.refusals == [{"message": "unauthorised"}], token
        assert not client.sio.connected


@pytest.mark.parametrize("transports", [("polling",), ("websocket",)], ids=["polling", "websocket"])
def test_a_message_over_the_size_limit_is_refused_and_changes_nothing(room, clients, transports):
    needs_websocket_client(transports)
    before = room.snapshot()
    chair = clients(transports).connect(room.url, room.chair)
    answers = []
    # A valid command, padded by an extra argument the handler ignores: only its size is wrong.
    oversized = ({"id": "big-1", "name": "clock.start_meeting", "args": {}}, "x" * LIMIT)
    chair.sio.emit("command", oversized, callback=lambda *a: answers.append(a))
    # Over polling too the refusal is at once: the POST gets 413 and the session is closed.
    assert chair.gone.wait(3), "the server kept a connection that sent an oversized message"
    assert answers == []
    after = room.snapshot()
    assert after["seq"] == before["seq"] and after["meeting"]["status"] == "draft"
    assert room.events(after_seq=before["seq"]) == []

    # The same command with padding under the limit is applied: the padding itself is harmless.
    again = clients(transports).connect(room.url, room.chair)
    ack = again.sio.call(
        "command", ({"id": "big-2", "name": "clock.start_meeting", "args": {}}, "x" * (LIMIT - 1024)), timeout=5
    )
    assert ack["ok"] is True and ack["seq"] == before["seq"] + 1


def test_two_participants_both_receive_what_the_chair_does_with_consecutive_seq_numbers(room, clients):
    parent = clients().connect(room.url, room.participants[0])
    psych = clients(("polling",)).connect(room.url, room.participants[1])  # either transport gets the same
    chair = clients().connect(room.url, room.chair)
    acks = [
        chair.sio.call("command", {"id": f"c-{n}", "name": name, "args": args}, timeout=5)
        for n, (name, args) in enumerate(
            [("clock.start_meeting", {}), ("clock.next_item", {}), ("clock.extend", {"seconds": 120})]
        )
    ]
    assert all(ack["ok"] for ack in acks), acks
    seqs = [ack["seq"] for ack in acks]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    for person in (parent, psych, chair):
        events = person.wait_for_events(3)
        assert [e["seq"] for e in events] == seqs
        assert [e["type"] for e in events] == ["clock.start_meeting", "clock.next_item", "clock.extend"]
    strip = lambda events: [{k: v for k, v in e.items() if k != "server_now"} for e in events]  # noqa: E731
    assert strip(parent.events) == strip(psych.events) == room.events(after_seq=seqs[0] - 1)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_a_huge_websocket_frame_is_cut_off_from_its_header_without_being_buffered(server):
    """A frame's length is checked before its payload is read: the server never holds the 50 MB."""
    websocket = pytest.importorskip("websocket")
    before = rss_kib(server.proc.pid)
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", origin=server.url, timeout=10
    )
    ws.recv()  # the Engine.IO open packet
    chunk = b"4" + b"x" * (1024 * 1024 - 1)
    # Announce one 50 MB text frame, then stream its payload: a server that buffers whole frames
    # would read all of it into memory before looking.
    try:
        with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError, OSError)):
            ws.send_frame(websocket.ABNF(1, 0, 0, 0, websocket.ABNF.OPCODE_TEXT, 1, chunk * 50))
            for _ in range(20):
                ws.send("3")
                ws.recv()
    finally:
        ws.shutdown()  # the server cut the connection; the socket on this side is still open
    grown = rss_kib(server.proc.pid) - before
    assert grown < 20 * 1024, f"server memory grew by {grown} KiB"


# ---------------------------------------------------------------- flooding (default allowance: 20 a second, 40 at once)

#: SOCKET_EVENTS_PER_SECOND, SOCKET_EVENT_BURST, SOCKET_FLOOD_DISCONNECT_SECONDS
RATE, BURST, DISCONNECT_AFTER = 20, 40, 5.0


def test_a_flood_of_commands_gets_rate_limited_answers_and_only_the_allowed_ones_are_applied(room, clients):
    parent = clients().connect(room.url, room.participants[0])
    chair = clients().connect(room.url, room.chair)
    before = room.snapshot()["seq"]
    acks: list[dict] = []
    answered = threading.Condition()

    def on_ack(ack):
        with answered:
            acks.append(ack)
            answered.notify_all()

    started = time.monotonic()
    for n in range(300):
        command = {"id": f"flood-{n}", "name": "decisions.record", "args": {"text": f"D{n}"}}
        chair.sio.emit("command", command, callback=on_ack)
    with answered:
        assert answered.wait_for(lambda: len(acks) == 300, 30), f"{len(acks)} of 300 answered"
    took = time.monotonic() - started

    applied = [a for a in acks if a["ok"]]
    refused = [a for a in acks if not a["ok"]]
    assert {a["error"]["code"] for a in refused} == {"rate_limited"}, refused[:3]
    assert BURST <= len(applied) <= BURST + RATE * took + 1, (len(applied), took)
    # Nothing beyond the accepted commands was applied: the meeting's seq and event log moved by exactly as many.
    seqs = sorted(a["seq"] for a in applied)
    assert seqs == list(range(before + 1, before + 1 + len(applied)))
    assert room.snapshot()["seq"] == before + len(applied)
    assert [e["seq"] for e in room.events(after_seq=before)] == seqs
    # Everyone else in the meeting still received every legitimate event.
    assert [e["seq"] for e in parent.wait_for_events(len(applied), timeout=10)] == seqs
    # A short flood is not punished for long: a moment later the chair is heard again.
    assert chair.sio.connected
    time.sleep(0.2)
    ack = chair.sio.call("command", {"id": "after-flood", "name": "clock.start_meeting", "args": {}}, timeout=5)
    assert ack["ok"] is True and ack["seq"] == before + len(applied) + 1


def test_a_connection_that_floods_for_seconds_is_disconnected_and_the_others_stay(room, clients):
    parent = clients().connect(room.url, room.participants[0])
    chair = clients().connect(room.url, room.chair)
    started = time.monotonic()
    while not chair.gone.is_set() and time.monotonic() - started < 3 * DISCONNECT_AFTER:
        try:
            chair.sio.emit("time", {})
        except socketio.exceptions.BadNamespaceError:  # disconnected while sending
            break
        time.sleep(0.002)  # about 500 a second: 25 times the allowance
    assert chair.gone.wait(2), "the server kept a connection that flooded it for 15 s"
    lasted = time.monotonic() - started
    assert DISCONNECT_AFTER - 0.5 < lasted < DISCONNECT_AFTER + 3, lasted  # over the limit for ~5 s, not less
    # The others in the meeting were not affected, and the same link may connect again.
    assert parent.sio.connected and parent.sio.call("time", {}, timeout=5)["ok"] is True
    again = clients().connect(room.url, room.chair)
    assert again.sio.call("time", {}, timeout=5)["ok"] is True


class RawSocket:
    """Socket.IO spoken by hand over a WebSocket, for messages the python-socketio client cannot build
    (it recurses over what it sends, so it cannot send thousands of levels of nesting)."""

    def __init__(self, ws, token):
        self.ws = ws
        assert self.ws.recv(timeout=5).startswith("0")
        self.ws.send("40" + json.dumps({"token": token}))
        assert self._next().startswith("40")

    def _next(self) -> str:
        while True:
            message = self.ws.recv(timeout=5)
            if message == "2":  # engine.io's ping
                self.ws.send("3")
                continue
            return message

    def call(self, ack_id: int, text: str):
        """Send an event whose data is `text` (a JSON array, as sent); return its acknowledgement."""
        self.ws.send(f"42{ack_id}{text}")
        while True:
            message = self._next()
            if message.startswith(f"43{ack_id}"):
                return json.loads(message[2 + len(str(ack_id)):])[0]


def test_a_message_nested_thousands_deep_gets_a_clear_refusal_and_the_connection_goes_on(room):
    from websockets.sync.client import connect

    url = f"ws://127.0.0.1:{room.server.port}/socket.io/?EIO=4&transport=websocket"
    with connect(url, origin=room.url, open_timeout=5) as ws:
        refused_and_going_on(room, RawSocket(ws, room.chair))


def refused_and_going_on(room, chair: RawSocket) -> None:
    before = room.snapshot()["seq"]
    log_before = room.server.log.read_text()
    for ack_id, depth in enumerate((50, 5000, 20000), 1):
        deep = "[" * depth + "]" * depth
        answer = chair.call(ack_id, f'["command",{{"id":"deep-{depth}","name":"clock.start_meeting","args":{{"deep":{deep}}}}}]')
        assert answer["ok"] is False and answer["error"]["code"] == "invalid", answer
        assert "nested too deeply" in answer["error"]["message"]
    # The same connection still works, nothing was applied, and the server logged no failure.
    assert chair.call(9, '["time",{}]')["ok"] is True
    assert room.snapshot()["seq"] == before
    assert "Traceback" not in room.server.log.read_text()[len(log_before):]


def test_an_api_body_nested_thousands_deep_gets_a_clear_refusal(room):
    before = room.snapshot()["seq"]
    body = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    r = requests.post(f"{room.url}/api/v1/meetings/{room.id}/commands/agenda.add_item", data=body,
                      headers={"Authorization": f"Bearer {room.chair}", "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 422, r.text
    assert "nested too deeply" in json.dumps(r.json())
    assert room.snapshot()["seq"] == before
