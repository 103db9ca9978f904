"""Broadcasting after commit: a committed command's events to the meeting's rooms, and cutting off the
open sockets of links that stop working. Views and the API use this module; they never need the
socket handlers (realtime.connections).

Each connection is in `meeting:<id>` and in one of `meeting:<id>:confidential` (roles that see
confidential entries) or `meeting:<id>:restricted` (everyone else): an event with a confidential
entry goes whole to the first and with that entry removed to the second, under the same seq.

A participant link is also in `participant:<meeting id>:<participant id>`. An event carrying requests
to speak goes whole to the chair and note-takers, with the asker's own request to the asker's room,
and to everyone else in the restricted room (less the asker's sockets) without it, typed `private`.
"""

from __future__ import annotations

from collections.abc import Iterable

from engineio import packet as eio_packet
from socketio import PubSubManager
from socketio import packet as sio_packet
from sqlalchemy import select

from .. import queries
from ..domain import access
from ..extensions import db, socketio
from ..models import AccessLink, SocketSession, utcnow
from ..services.pipeline import Outcome

WITHDRAWN = "This link has been withdrawn by the chair."


class SocketPacket(sio_packet.Packet):
    """python-socketio's packet, checking for binary data by encoding the data as JSON (in C) and
    keeping that text for `encode`, instead of walking every value in Python first: a snapshot
    has thousands of them. Data with bytes in it (never ours) takes python-socketio's own path."""

    _text: str | None = None

    def __init__(
        self, packet_type=sio_packet.EVENT, data=None, namespace=None, id=None, binary=None, encoded_packet=None
    ):
        text = None
        if binary is None and encoded_packet is None and isinstance(data, list | dict):
            try:
                text = self.json.dumps(data, separators=(",", ":"))
            except TypeError:  # bytes somewhere (or something JSON cannot say): the library decides
                text = None
            else:
                binary = False
        super().__init__(packet_type, data, namespace, id, binary, encoded_packet)
        self._text = text

    def encode(self):
        """As python-socketio encodes a packet without attachments, with the JSON made once."""
        if self._text is None or self.packet_type not in (sio_packet.EVENT, sio_packet.ACK):
            return super().encode()
        encoded = str(self.packet_type)
        if self.namespace is not None and self.namespace != "/":
            encoded += self.namespace + ","
        if self.id is not None:
            encoded += str(self.id)
        return encoded + self._text


def meeting_room(meeting_id: int) -> str:
    """The room every connection of a meeting is in."""
    return f"meeting:{meeting_id}"


def audience_room(meeting_id: int, role: str) -> str:
    """The room of the connections that receive events as `role` does (see the module docstring)."""
    return f"meeting:{meeting_id}:{'confidential' if access.sees_confidential(role) else 'restricted'}"


def participant_room(meeting_id: int, participant_id: int) -> str:
    """The room of one participant's own connections (their requests to speak reach only them)."""
    return f"participant:{meeting_id}:{participant_id}"


def emit_event(meeting_id: int, event: dict) -> None:
    """Send one event to everyone in a meeting, confidential entries and requests to speak only to
    those who may see them."""
    askers = queries.askers(event["data"])
    if not askers and queries.redacted(event["data"]) is None:
        send_to_room(event, meeting_room(meeting_id))
        return
    send_to_room(event, audience_room(meeting_id, access.CHAIR))
    # The askers' own copies go first: a socket that connected since its sids were read below
    # receives both, and keeps the first of the two under one seq.
    for participant_id in sorted(askers):
        own = queries.for_role(event, access.PARTICIPANT, participant_id=participant_id)
        send_to_room(own, participant_room(meeting_id, participant_id))
    send_to_room(
        queries.for_role(event, access.OBSERVER),
        audience_room(meeting_id, access.OBSERVER),
        skip_sids=_sids_of(meeting_id, askers),
    )


def send_to_room(event: dict, room: str, skip_sids: list[str] | None = None) -> None:
    """Send `event` to every connection in `room` (less `skip_sids`), encoded once for all of them.

    As python-socketio's own emit, but an idle WebSocket (engine.io's writer waiting on an empty
    queue: serving.BoundedWebSocket and serving._poll) gets the one pre-built frame written straight
    to it, without a hop through its queue and writer; any other connection (one still connecting,
    a busy writer, long-polling) gets the packet through its queue as before. With a message queue
    (several processes) python-socketio's emit publishes it instead.
    """
    server = socketio.server
    manager = server.manager
    if isinstance(manager, PubSubManager):
        socketio.emit("event", event, to=room, skip_sid=skip_sids)
        return
    namespace = "/"
    if namespace not in manager.rooms:
        return
    encoded = server.packet_class(sio_packet.EVENT, namespace=namespace, data=["event", event]).encode()
    if isinstance(encoded, list):  # binary attachments: never in our events, but python-socketio knows how
        socketio.emit("event", event, to=room, skip_sid=skip_sids)
        return
    eio_pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
    skip = set(skip_sids or ())
    sockets = server.eio.sockets
    frame = None
    for sid, eio_sid in manager.get_participants(namespace, room):
        if sid in skip:
            continue
        sock = sockets.get(eio_sid)
        ws = getattr(sock, "direct_ws", None)
        if ws is not None and ws.idle(sock):
            if frame is None:
                frame = ws.text_frame(eio_pkt.encode())
            ws.send_now(sock, frame, eio_pkt)
        else:
            server._send_eio_packet(eio_sid, eio_pkt)


def _sids_of(meeting_id: int, participant_ids: set[int]) -> list[str]:
    """The open sockets of these participants' links, on whichever process holds them."""
    if not participant_ids:
        return []
    return list(
        db.session.scalars(
            select(SocketSession.sid)
            .join(AccessLink, AccessLink.id == SocketSession.link_id)
            .where(AccessLink.meeting_id == meeting_id, AccessLink.participant_id.in_(participant_ids))
        )
    )


def broadcast(outcome: Outcome) -> None:
    """Send a committed command's event to everyone in the meeting, then act on revocations."""
    if outcome.event is None:
        return
    now = queries.iso(utcnow())
    emit_event(outcome.meeting_id, {**outcome.event, "server_now": now})
    for meeting_id, event in outcome.other_events:
        emit_event(meeting_id, {**event, "server_now": now})
    for link_id in outcome.result.get("revoked_link_ids", []):
        cut_off(link_id)
    # What the command left for after its commit (invitations to e-mail), and the events that writes.
    for task in outcome.after_commit:
        for follow in task():
            broadcast(follow)


def disconnect(sids: Iterable[str], message: str) -> None:
    """Tell open sockets why they are being closed, then close them (on whichever process holds them)."""
    for sid in sids:
        socketio.emit("access_revoked", {"message": message}, to=sid)
        socketio.server.disconnect(sid, namespace="/")


def cut_off(link_id: int, message: str = WITHDRAWN) -> None:
    """Disconnect every open socket of a revoked link, on whichever server process holds it."""
    disconnect(db.session.scalars(select(SocketSession.sid).where(SocketSession.link_id == link_id)).all(), message)


def cut_off_links(link_ids: list[int], message: str) -> None:
    """Disconnect the open sockets of several links (an account signed out, or was turned off)."""
    for link_id in link_ids:
        cut_off(link_id, message)
