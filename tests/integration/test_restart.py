"""A server process killed mid-meeting (SIGKILL, as a crash or power cut) loses nothing it acknowledged:
a new process on the same database carries on the running item's clock and the event log."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
import socketio

from tests.integration.conftest import LiveMeeting, current_item

pytestmark = pytest.mark.live

CLOCK_FIELDS = (
    "id",
    "title",
    "status",
    "run_started_at",
    "elapsed_before",
    "extended_seconds",
    "allocated_seconds",
    "ends_at",
)


def remaining(item: dict, server_now: str) -> float:
    """Seconds left on an item at the server's clock, computed from its stored timestamps."""
    now = datetime.fromisoformat(server_now)
    running = (now - datetime.fromisoformat(item["run_started_at"])).total_seconds() if item["run_started_at"] else 0
    return item["allocated_seconds"] + item["extended_seconds"] - item["elapsed_before"] - running


def test_a_killed_server_resumes_the_running_item_from_its_stored_timestamps(live_server, relaunch):
    room = LiveMeeting(live_server())
    room.command("clock.start_meeting")
    room.command("clock.next_item")
    room.command("clock.extend", seconds=120)
    room.command("clock.pause")
    room.command("clock.resume")
    room.command("clock.extend", seconds=300)
    before, measured_at = room.snapshot(), time.monotonic()
    running = current_item(before)
    assert running["status"] == "running" and running["elapsed_before"] > 0 and running["extended_seconds"] == 420

    room.server.kill()
    room.server = relaunch(room.server)

    after = room.snapshot()
    passed = time.monotonic() - measured_at
    assert after["seq"] == before["seq"]
    assert after["meeting"] == {**before["meeting"], "projected_end": after["meeting"]["projected_end"]}
    assert {k: current_item(after)[k] for k in CLOCK_FIELDS} == {k: running[k] for k in CLOCK_FIELDS}
    assert [(i["id"], i["status"], i["version"]) for i in after["items"]] == [
        (i["id"], i["status"], i["version"]) for i in before["items"]
    ]
    # The clock kept running while no process was alive: less time left by about the time that passed.
    left_before = remaining(running, before["server_now"])
    left_after = remaining(current_item(after), after["server_now"])
    assert passed - 1 <= left_before - left_after <= passed + 1, (left_before, left_after, passed)
    # And the restarted server takes commands on from the stored seq.
    assert room.command("clock.extend", seconds=60)["seq"] == before["seq"] + 1


class Listener:
    """A real python-socketio client on a participant link, recording events and (re)connections."""

    def __init__(self, url: str, token: str):
        self.events: list[dict] = []
        self.connects = 0
        self.disconnects = 0
        self.changed = threading.Condition()
        self.client = socketio.Client(reconnection_delay=0.2, reconnection_delay_max=0.5, randomization_factor=0)
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", self._on_disconnect)
        self.client.on("event", self._on_event)
        self.client.connect(url, auth={"token": token}, wait_timeout=5)

    def _note(self, fn):
        with self.changed:
            fn()
            self.changed.notify_all()

    def _on_connect(self):
        self._note(lambda: setattr(self, "connects", self.connects + 1))

    def _on_disconnect(self, reason=None):
        self._note(lambda: setattr(self, "disconnects", self.disconnects + 1))

    def _on_event(self, event):
        self._note(lambda: self.events.append(event))

    def wait(self, condition, timeout=10.0):
        with self.changed:
            assert self.changed.wait_for(condition, timeout), "timed out waiting for the socket client"

    @property
    def last_seq(self) -> int:
        return max((e["seq"] for e in self.events), default=0)

    def close(self):
        self.client.disconnect()


@pytest.fixture
def listen():
    opened: list[Listener] = []

    def open_(url, token):
        listener = Listener(url, token)
        opened.append(listener)
        return listener

    yield open_
    for listener in opened:
        listener.close()


def test_every_acknowledged_command_survives_a_kill_and_a_reconnecting_client_gets_exactly_what_it_missed(
    live_server, relaunch, listen
):
    room = LiveMeeting(live_server())
    parent = listen(room.url, room.add_participant())
    base = parent.client.call("sync", {}, timeout=5)["snapshot"]["seq"]

    sent = [("clock.start_meeting", {}), ("clock.next_item", {}), ("clock.extend", {"seconds": 60})]
    sent += [("agenda.add_item", {"title": f"Late item {n}", "minutes": 5}) for n in range(1, 8)]
    acked = [
        (room.command(name, idempotency_key=f"cmd-{n}", **args)["seq"], name) for n, (name, args) in enumerate(sent)
    ]
    room.server.kill()  # at once: no time for anything the server had not already made durable
    assert [seq for seq, _ in acked] == list(range(base + 1, base + len(sent) + 1))
    parent.wait(lambda: parent.disconnects == 1)
    seen = parent.last_seq  # whatever reached the client before the crash (possibly not the latest)
    assert [e["seq"] for e in parent.events] == list(range(base + 1, seen + 1))

    room.server = relaunch(room.server)
    logged = room.events(after_seq=0)
    assert [(e["seq"], e["type"]) for e in logged[-len(acked) :]] == acked
    assert [e["seq"] for e in logged] == list(range(1, acked[-1][0] + 1))
    # A retried command (same Idempotency-Key) is recognised after the restart, not applied again.
    assert room.command("clock.extend", idempotency_key="cmd-2", seconds=60)["seq"] == acked[2][0]

    # Committed after the crash, most likely before the client is back (it must get them either way).
    missed = [room.command("clock.pause")["seq"], room.command("clock.extend", seconds=120)["seq"]]
    parent.wait(lambda: parent.connects == 2)
    reply = parent.client.call("sync", {"last_seq": seen}, timeout=5)
    assert reply["ok"] is True and reply["seq"] == missed[-1]
    assert [e["seq"] for e in reply["events"]] == list(range(seen + 1, missed[-1] + 1))
    assert [e["type"] for e in reply["events"]] == [name for seq, name in acked if seq > seen] + [
        "clock.pause",
        "clock.extend",
    ]
    assert reply["events"] == room.events(after_seq=seen)

    # Back in the room: the next broadcast reaches the reconnected client directly.
    resumed = room.command("clock.resume")["seq"]
    parent.wait(lambda: parent.last_seq == resumed)
