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

from sqlalchemy import select

from .. import queries
from ..domain import access
from ..extensions import db, socketio
from ..models import AccessLink, SocketSession, utcnow
from ..services.pipeline import Outcome

WITHDRAWN = "This link has been withdrawn by the chair."


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
        socketio.emit("event", event, to=meeting_room(meeting_id))
        return
    socketio.emit("event", event, to=audience_room(meeting_id, access.CHAIR))
    # The askers' own copies go first: a socket that connected since its sids were read below
    # receives both, and keeps the first of the two under one seq.
    for participant_id in sorted(askers):
        own = queries.for_role(event, access.PARTICIPANT, participant_id=participant_id)
        socketio.emit("event", own, to=participant_room(meeting_id, participant_id))
    socketio.emit(
        "event",
        queries.for_role(event, access.OBSERVER),
        to=audience_room(meeting_id, access.OBSERVER),
        skip_sid=_sids_of(meeting_id, askers),
    )


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
