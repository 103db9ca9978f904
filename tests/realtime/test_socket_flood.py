"""Socket flooding, with the in-process test client: each connection has an allowance of events; events
over it are refused and change nothing, and a connection that keeps flooding is disconnected.

The allowance here is tiny and does not refill (so the counts are exact); the live-server tests in
test_live_socket.py use the default configuration.
"""

from __future__ import annotations

import time

import pytest

from facilitation.realtime import flood
from tests.conftest import app_with, events_of

BURST = 5


@pytest.fixture
def app(tmp_path):
    """An app whose connections may send BURST events and almost nothing after (overrides the shared fixture)."""
    with app_with(
        tmp_path, SOCKET_EVENTS_PER_SECOND=0.001, SOCKET_EVENT_BURST=BURST, SOCKET_FLOOD_DISCONNECT_SECONDS=0.5
    ) as app:
        yield app


def decision(n: int) -> dict:
    return {"id": f"flood-{n}", "name": "decisions.record", "args": {"text": f"Decision {n}"}}


def test_commands_over_the_allowance_are_refused_and_only_the_allowed_ones_are_applied(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    before = parent.emit("sync", {}, callback=True)["snapshot"]["seq"]
    acks = [chair.emit("command", decision(n), callback=True) for n in range(12)]
    assert [a["ok"] for a in acks] == [True] * BURST + [False] * (12 - BURST), acks
    refused = acks[BURST:]
    assert {a["error"]["code"] for a in refused} == {"rate_limited"}
    assert all(a["error"]["message"] for a in refused)
    # The meeting moved on by exactly the accepted commands, and the others in it received each of them.
    received = events_of(parent)
    assert (
        [e["seq"] for e in received] == [a["seq"] for a in acks[:BURST]] == list(range(before + 1, before + 1 + BURST))
    )
    after = parent.emit("sync", {}, callback=True)["snapshot"]
    assert after["seq"] == before + BURST
    assert [d["text"] for d in after["decisions"]] == [f"Decision {n}" for n in range(BURST)]


def test_one_connection_flooding_does_not_use_up_anyone_else_s_allowance(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    for _ in range(BURST + 3):
        chair.emit("time", {}, callback=True)
    assert chair.emit("time", {}, callback=True)["error"]["code"] == "rate_limited"
    assert parent.emit("time", {}, callback=True)["ok"] is True
    # The same link on a new connection starts with its own allowance.
    again = sockets(meeting["chair"])
    assert again.emit("time", {}, callback=True)["ok"] is True


def test_undeclared_events_count_against_the_allowance_too(meeting, sockets):
    chair = sockets(meeting["chair"])
    answers = [chair.emit("no_such_event", {}, callback=True) for _ in range(BURST + 1)]
    assert [a["error"]["code"] for a in answers] == ["unknown_event"] * BURST + ["rate_limited"]


def test_a_connection_that_keeps_flooding_is_disconnected_and_its_allowance_forgotten(meeting, sockets):
    chair, parent = sockets(meeting["chair"]), sockets(meeting["participants"][0])
    assert parent.emit("time", {}, callback=True)["ok"] is True
    for _ in range(BURST):
        chair.emit("time", {}, callback=True)
    allowances = len(flood._buckets)
    deadline = time.monotonic() + 5
    while chair.is_connected() and time.monotonic() < deadline:
        assert chair.emit("time", {}, callback=True)["error"]["code"] == "rate_limited"
        time.sleep(0.01)
    assert not chair.is_connected(), "still connected after flooding for 5 s (limit 0.5 s)"
    assert len(flood._buckets) == allowances - 1
    # Everyone else carries on.
    assert parent.is_connected() and parent.emit("time", {}, callback=True)["ok"] is True
    parent.disconnect()
    assert len(flood._buckets) == allowances - 2
