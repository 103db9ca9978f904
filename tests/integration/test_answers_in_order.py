"""Answers written straight to the socket (serving._send, as the broadcast writes its events) arrive
whole and in order, also when the client reads slowly and the socket takes only part of a frame: the
rest waits in engine.io's queue, and everything after it waits behind it.

A raw WebSocket client (the `websockets` library, no Socket.IO client) on a live `python app.py`."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import pytest
from websockets.sync.client import connect

from tests.integration.conftest import LiveMeeting

pytestmark = pytest.mark.live

REQUESTS = 2400


def socket_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"


def join(ws, token: str) -> None:
    """Open engine.io and connect to Socket.IO with the link's token."""
    assert ws.recv(timeout=10).startswith("0")  # engine.io's open packet
    ws.send("40" + json.dumps({"token": token}))
    connected = ws.recv(timeout=10)
    assert connected.startswith("40{"), connected


def test_many_answers_to_a_client_that_reads_late_arrive_whole_and_in_order(live_server):
    room = LiveMeeting(live_server(env={"SOCKET_EVENTS_PER_SECOND": "0"}))
    token = room.add_participant()
    # A small receive window, so that what the client has not read backs up into the server's socket.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((urlsplit(room.url).hostname, urlsplit(room.url).port))
    with connect(socket_url(room.url), sock=sock, max_size=None, max_queue=4, open_timeout=10) as ws:
        join(ws, token)
        # Requests sent without reading a single answer: about 2 MB of snapshots, more than the socket
        # buffers hold, so the server's writes are cut short and the rest has to queue.
        for ack_id in range(1, REQUESTS + 1):
            ws.send(f"42{ack_id}" + json.dumps(["sync" if ack_id % 3 else "time", {}]))
        time.sleep(1.0)  # the server writes while nobody reads
        answers = []
        while len(answers) < REQUESTS:
            text = ws.recv(timeout=30)
            if text == "2":  # engine.io's ping: answered, as a client does
                ws.send("3")
                continue
            assert text.startswith("43"), text[:80]
            ack_id, _, body = text[2:].partition("[")
            answers.append((int(ack_id), json.loads("[" + body)[0]))
    assert [ack_id for ack_id, _ in answers] == list(range(1, REQUESTS + 1))
    for ack_id, answer in answers:
        assert answer["ok"] is True, answer
        if ack_id % 3:
            assert answer["snapshot"]["meeting"]["id"] == room.id
        else:
            assert "server_now" in answer
    assert sum(len(json.dumps(answer)) for _, answer in answers) > 6_000_000


def test_a_connection_whose_answers_all_go_straight_to_the_socket_stays_open_past_its_pings(live_server):
    """engine.io's writer gives a connection up when nothing reaches its queue for a ping interval and a
    ping timeout. Answers and events skip the queue, so the pings must still go through it: a client that
    asks something every 0.2 s for several such spans is answered every time and never closed."""
    room = LiveMeeting(live_server(env={"SOCKET_PING_SECONDS": "1", "SOCKET_PING_TIMEOUT_SECONDS": "1"}))
    token = room.add_participant()
    pings = answered = 0
    with connect(socket_url(room.url), open_timeout=10) as ws:
        join(ws, token)
        deadline = time.monotonic() + 5.0  # two and a half spans of ping interval + timeout
        ack_id = 0
        while time.monotonic() < deadline:
            ack_id += 1
            ws.send(f"42{ack_id}" + json.dumps(["time", {}]))
            while True:
                text = ws.recv(timeout=5)  # a closed connection raises here
                if text == "2":
                    pings += 1
                    ws.send("3")
                    continue
                assert text.startswith(f"43{ack_id}["), text[:80]
                answered += 1
                break
            time.sleep(0.2)
    assert answered == ack_id and answered >= 20
    assert pings >= 3
