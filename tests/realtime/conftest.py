"""Live-socket fixtures: the real python-socketio client, recording what it receives, and a fixture that
opens such clients and closes every one of them (and its HTTP session) at the end of a test."""

from __future__ import annotations

import bisect
import threading

import pytest
import requests
import socketio

from tests.conftest import add_staff, sign_in


class Client:
    """A python-socketio client that records events, refusals and its disconnection."""

    def __init__(self, transports=("websocket",)):
        self.events: list[dict] = []
        self.refusals: list = []
        self.gone = threading.Event()
        self.changed = threading.Condition()
        self.transports = list(transports)
        # python-engineio's client leaves sockets open when the server ends the connection: it drops the
        # HTTP session it made itself, and keeps the websocket. The fixture closes both.
        self.http = requests.Session()
        self.sio = socketio.Client(reconnection=False, http_session=self.http)
        self.sio.on("event", self._on_event)
        self.sio.on("connect_error", lambda data: self.refusals.append(data))
        self.sio.on("disconnect", lambda reason=None: self.gone.set())

    def _on_event(self, event):
        # python-engineio's client hands every message to a thread of its own, so two events that
        # arrive back to back can reach this handler in either order: keep them in seq order, as the
        # browser's room-core.js applies them (a gap or a duplicate still shows).
        with self.changed:
            bisect.insort(self.events, event, key=lambda e: e["seq"])
            self.changed.notify_all()

    def connect(self, url, token, **kwargs):
        self.sio.connect(
            url, auth={"token": token} if token else None, transports=self.transports, wait_timeout=5, **kwargs
        )
        return self

    def wait_for_events(self, count, timeout=5.0):
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.events) >= count, timeout), self.events
        return self.events


@pytest.fixture
def clients():
    opened: list[Client] = []

    def make(transports=("websocket",)):
        client = Client(transports)
        opened.append(client)
        return client

    yield make
    for client in opened:
        if client.sio.connected:
            client.sio.disconnect()
        client.http.close()
        if getattr(client.sio.eio, "ws", None) is not None:
            client.sio.eio.ws.shutdown()




def add_note_taker_and_observer(app, client, meeting, api) -> tuple[str, object, str]:
    """Give the meeting a signed-in staff note-taker's link and an observer; returns the note-taker's
    token, the note-taker's signed-in test client and the observer's token."""
    note_taker = add_staff(app, "notes@school.test", "Mr Notes", "note_taker")
    status, body = api(meeting["chair"], meeting["id"], "links.add_note_taker", email=note_taker["email"])
    assert status == 200, body
    notes_client = app.test_client()
    sign_in(notes_client, note_taker["email"])
    r = client.post(
        f"/api/v1/meetings/{meeting['id']}/commands/participants.add",
        json={"name": "Ms Watch", "role": "other", "agency": "other", "observer": True},
        headers={"Authorization": f"Bearer {meeting['chair']}"},
    )
    assert r.status_code == 200, r.get_json()
    return body["link"]["path"].rsplit("/", 1)[1], notes_client, r.get_json()["join_path"].rsplit("/", 1)[1]
