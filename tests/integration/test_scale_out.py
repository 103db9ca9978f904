"""Two server processes sharing PostgreSQL and Redis behave as one room: every event reaches everyone
on both, in order, with no gaps; a revoked link is cut off on whichever process holds it."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.conftest import meeting_payload

pytestmark = pytest.mark.live


def reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres_url():
    if not reachable(5432):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    psycopg2 = pytest.importorskip("psycopg2")
    name = f"cg_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    admin.cursor().execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,)
    )
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@pytest.fixture
def redis_url():
    if not reachable(6379):
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/0"


class Listener:
    """A real Socket.IO client that applies a meeting's events in seq order, as the browser does.

    Two processes each publish the events they commit, so one committed just after another on the other
    process can arrive first; the browser (static/js/room-core.js) then fills the gap before applying
    it. Here an event that arrives ahead waits until the ones before it have come: `seqs` is what the
    room shows, in order, and an event that never comes leaves it short."""

    def __init__(self, url: str, token: str):
        self.sio = socketio.Client(reconnection=False)
        self.seqs: list[int] = []
        self.applied: int | None = None  # the last seq applied (the snapshot's, to begin with)
        self.waiting: dict[int, dict] = {}  # events that came ahead of a seq not yet here
        self.lock = threading.Lock()
        self.disconnected = threading.Event()
        self.sio.on("event", self.on_event)
        self.sio.on("disconnect", lambda *a: self.disconnected.set())
        self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        self.seq = self.sio.call("sync", {}, timeout=10)["snapshot"]["seq"]
        with self.lock:
            self.applied = self.seq
            self._apply_ready()

    def on_event(self, event):
        with self.lock:
            self.waiting[event["seq"]] = event
            if self.applied is not None:
                self._apply_ready()

    def _apply_ready(self):
        for seq in [s for s in self.waiting if s <= self.applied]:
            del self.waiting[seq]  # in the snapshot already, or a second copy
        while self.applied + 1 in self.waiting:
            self.applied += 1
            del self.waiting[self.applied]
            self.seqs.append(self.applied)

    def close(self):
        if self.sio.connected:
            self.sio.disconnect()


def two_processes(live_server, tmp_path, postgres_url, redis_url, **settings):
    """Two server processes sharing a fresh PostgreSQL database and a Redis channel of their own, and a
    meeting made on the first over the API; returns both servers and the meeting's API body."""
    env = {
        "DATABASE_URL": postgres_url,
        "SOCKETIO_MESSAGE_QUEUE": redis_url,
        "SOCKETIO_CHANNEL": f"cg-test-{uuid.uuid4().hex[:8]}",
        **settings,
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = live_server(env=env, workdir=tmp_path / "a")
    b = live_server(env=env, workdir=tmp_path / "b", init=False)
    body = requests.post(
        f"{a.url}/api/v1/meetings", json=meeting_payload(), headers={"Authorization": f"Bearer {a.api_token}"}, timeout=10
    ).json()
    return a, b, body


def test_a_command_on_either_process_reaches_everyone_on_both_in_order(live_server, tmp_path, postgres_url, redis_url):
    a, b, body = two_processes(live_server, tmp_path, postgres_url, redis_url)
    mid, chair = body["meeting"]["id"], body["tokens"]["chair"]
    tokens = []
    for i in range(4):
        r = requests.post(
            f"{a.url}/api/v1/meetings/{mid}/commands/participants.add",
            json={"name": f"Person {i}", "role": "parent", "agency": "family"},
            headers={"Authorization": f"Bearer {chair}"},
            timeout=10,
        )
        tokens.append(r.json()["join_path"].rsplit("/", 1)[1])

    listeners = [Listener(a.url if i % 2 else b.url, t) for i, t in enumerate(tokens)]
    listeners.append(Listener(b.url, body["tokens"]["screen"]))
    chair_a = Listener(a.url, chair)
    chair_b = Listener(b.url, chair)
    try:
        start = chair_a.seq
        acks = [chair_a.sio.call("command", {"id": "go", "name": "clock.start_meeting", "args": {}}, timeout=10)]
        for n in range(20):
            sender = chair_a if n % 2 else chair_b
            name = "clock.pause" if n % 2 == 0 else "clock.resume"
            acks.append(sender.sio.call("command", {"id": f"c{n}", "name": name, "args": {}}, timeout=10))
        assert all(ack["ok"] for ack in acks), acks
        expected = list(range(start + 1, start + 22))
        assert [ack["seq"] for ack in acks] == expected
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(len(x.seqs) < len(expected) for x in listeners + [chair_a, chair_b]):
            time.sleep(0.05)
        for x in listeners + [chair_a, chair_b]:
            assert x.seqs == expected
    finally:
        for x in listeners + [chair_a, chair_b]:
            x.close()


def test_commands_sent_at_once_on_both_processes_are_all_applied_each_under_its_own_seq(
    live_server, tmp_path, postgres_url, redis_url
):
    # A socket command reads its link and meeting in one statement that locks the meeting's row
    # (FOR UPDATE OF meetings): without that lock, two commands at once would take the same seq and
    # one would fail.
    a, b, body = two_processes(live_server, tmp_path, postgres_url, redis_url)
    chair = body["tokens"]["chair"]
    screen = Listener(b.url, body["tokens"]["screen"])
    senders = [Listener(url, chair) for url in (a.url, b.url, a.url, b.url)]
    start = screen.seq
    acks: list[dict] = []
    go = threading.Barrier(len(senders))

    def send(n: int, sender: Listener) -> None:
        go.wait()
        for k in range(8):
            args = {"text": f"Decision {n}-{k}"}
            ack = sender.sio.call("command", {"id": f"d{n}-{k}", "name": "decisions.record", "args": args}, timeout=20)
            acks.append(ack)  # list.append is atomic

    try:
        threads = [threading.Thread(target=send, args=(n, s)) for n, s in enumerate(senders)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(acks) == 32 and all(ack["ok"] for ack in acks), [ack for ack in acks if not ack["ok"]]
        expected = list(range(start + 1, start + 33))
        assert sorted(ack["seq"] for ack in acks) == expected
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(screen.seqs) < 32:
            time.sleep(0.05)
        assert screen.seqs == expected  # the room sees every one, in order
        snapshot = screen.sio.call("sync", {}, timeout=10)["snapshot"]
        assert len(snapshot["decisions"]) == 32 and snapshot["seq"] == start + 32
    finally:
        for x in senders + [screen]:
            x.close()


def test_removing_a_participant_cuts_off_their_connection_on_the_other_process(live_server, tmp_path, postgres_url, redis_url):
    a, b, body = two_processes(live_server, tmp_path, postgres_url, redis_url)
    mid, chair = body["meeting"]["id"], body["tokens"]["chair"]
    added = requests.post(
        f"{a.url}/api/v1/meetings/{mid}/commands/participants.add",
        json={"name": "Leaving", "role": "parent", "agency": "family"},
        headers={"Authorization": f"Bearer {chair}"},
        timeout=10,
    ).json()
    leaving = Listener(b.url, added["join_path"].rsplit("/", 1)[1])
    try:
        r = requests.post(
            f"{a.url}/api/v1/meetings/{mid}/commands/participants.remove",
            json={"participant_id": added["participant_id"]},
            headers={"Authorization": f"Bearer {chair}"},
            timeout=10,
        )
        assert r.status_code == 200
        assert leaving.disconnected.wait(5), "the removed participant's socket on the other process stayed open"
        requests.post(
            f"{a.url}/api/v1/meetings/{mid}/commands/clock.start_meeting",
            headers={"Authorization": f"Bearer {chair}"},
            timeout=10,
        )
        time.sleep(0.3)
        assert leaving.seqs == [r.json()["seq"]] or leaving.seqs == []
    finally:
        leaving.close()


class Refused(Exception):
    pass


def connect(url: str, token: str) -> socketio.Client:
    """A real client's connection with a link; raises Refused with the server's reason when refused."""
    sio = socketio.Client(reconnection=False)
    refusals: list = []
    sio.on("connect_error", refusals.append)
    try:
        sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        raise Refused(refusals[0]["message"] if refusals else "no reason") from None
    return sio


def test_a_killed_process_s_sockets_stop_counting_against_the_caps_on_the_other(live_server, tmp_path, postgres_url, redis_url):
    # Each process stamps its sockets' rows as alive (here every 0.2 s); once the killed one's are a
    # second old the other's next beat removes them, and the link can connect again there.
    a, b, body = two_processes(
        live_server, tmp_path, postgres_url, redis_url,
        MAX_SOCKETS_PER_LINK="2", SOCKET_HEARTBEAT_SECONDS="0.2", SOCKET_STALE_SECONDS="1",
    )  # fmt: skip
    screen = body["tokens"]["screen"]
    opened = [connect(a.url, screen), connect(a.url, screen)]
    watching = connect(b.url, body["tokens"]["chair"])  # b is serving (and beating) too
    try:
        a.kill()
        killed_at = time.monotonic()
        with pytest.raises(Refused, match="too_many_connections"):
            connect(b.url, screen)  # the killed process's rows are fresh: they still count
        assert time.monotonic() - killed_at < 0.8, "too slow to show the rows still counting"
        deadline = time.monotonic() + 10
        back = None
        while back is None and time.monotonic() < deadline:
            time.sleep(0.25)
            try:
                back = connect(b.url, screen)
            except Refused as refused:
                assert str(refused) == "too_many_connections"
                continue
        assert back is not None, "the killed process's sockets still count against the link's cap"
        assert back.call("sync", {}, timeout=10)["ok"]
        assert 0.8 < time.monotonic() - killed_at < 10
        back.disconnect()
    finally:
        for sio in opened + [watching]:
            if sio.connected:
                sio.disconnect()
