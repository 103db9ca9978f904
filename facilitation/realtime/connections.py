"""The socket handlers: who may connect, what each connection may send, and its answers.

Events a client may send, each declared here with the permission it needs (anything else is
refused by the catch-all handler):

- `sync`    {last_seq}            -> ack {ok, events:[...]} or {ok, snapshot:{...}}
- `command` {id, name, args}      -> ack {ok, seq, ...} or {ok: false, error}
- `time`    {}                    -> ack {server_now}   (clock-offset probe)

The server sends `event` {seq, type, data, at, server_now} after each committed command to the
meeting's rooms, and `access_revoked` to a connection whose link stops working (realtime.broadcast,
which also says which rooms a connection joins).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, request, session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room
from pydantic import ValidationError
from sqlalchemy import bindparam, select

from .. import json_input, queries, schemas, snapshots
from ..domain import access
from ..domain.errors import RuleViolation
from ..extensions import db, socketio
from ..models import AccessLink, Meeting, User, utcnow
from ..services import attendance, pipeline, records, security_events, socket_sessions
from . import liveness
from .broadcast import audience_room, broadcast, meeting_room, participant_room
from .flood import forget_socket, refuse_flood

log = logging.getLogger(__name__)

#: Socket events a client may send, and the permission each needs (`command` checks per command).
SOCKET_EVENTS: dict[str, str | None] = {"sync": "meeting.read", "time": "meeting.read", "command": None}


#: The query of `current_link` for a command that needs ORM objects (Command.records is False), built
#: once: the link and its account read afresh with its meeting, the meeting's row locked (PostgreSQL's FOR
#: UPDATE OF meetings; on SQLite the write lock is taken first), so the meeting is the one it decides on.
_COMMAND_LINK = (
    select(AccessLink, User, Meeting)
    .join(Meeting, Meeting.id == AccessLink.meeting_id)
    .outerjoin(User, User.id == AccessLink.user_id)
    .where(AccessLink.id == bindparam("link_id"))
    .execution_options(populate_existing=True)
    .with_for_update(of=Meeting)
)


def current_link(event: str, data: Any = None) -> tuple[AccessLink | records.Record, Meeting | records.Record | None] | None:
    """The connection's link, read afresh so that a revocation takes effect on the next event, with its
    meeting in the same statement (a clock probe, `time`, only with the meeting's organisation: a browser
    probes several times as it joins). As records (services.records), which cost less than the ORM's
    objects, for every event but a command that needs the ORM's (Command.records); a command begins its
    write transaction first and reads the meeting with its row locked. The checks are the same either way."""
    link_id = session.get("link_id")
    if link_id is None:
        return None
    if event == "command" and not (isinstance(data, dict) and pipeline.works_on_records(data.get("name"))):
        pipeline.begin_write()
        row = db.session.execute(_COMMAND_LINK, {"link_id": link_id}).first()
        room = (row[0], row[1], row[2], row[2].organisation_id) if row is not None else None
    else:
        connection = pipeline.begin_write() if event == "command" else db.session.connection()
        room = records.read_room(connection, link_id, with_meeting=event != "time", lock=event == "command")
    if room is None or not queries.link_works(room[0]):
        return None
    link, user, meeting, organisation_id = room
    queries.use_organisation(organisation_id)  # the event is about the link's meeting, in its organisation
    if link.user_id is not None:
        # A staff link: its account must still be active, and signed in with the same session (the
        # session's id as the model makes it, for an account read as a record too).
        if user is None or not user.active or User.get_id(user) != session.get("account_session"):
            return None
        if not queries.account_reaches(user, organisation_id):  # another organisation's grant was withdrawn
            return None
    return link, meeting


def socket_event(name: str) -> Callable:
    """Declare a client event: checks the link on every call and turns refusals into acks."""
    if name not in SOCKET_EVENTS:
        raise RuntimeError(f"socket event {name} is not declared in SOCKET_EVENTS")
    permission = SOCKET_EVENTS[name]

    def wrap(fn):
        @socketio.on(name)
        @wraps(fn)
        def handler(data=None, *extra):
            refused = refuse_flood(request.sid)  # first, before any database work
            if refused:
                return refused
            found = current_link(name, data)
            if found is None:
                db.session.rollback()
                security_events.record(
                    "unauthorised",
                    link_id=session.get("link_id"),
                    meeting_id=session.get("meeting_id"),
                    address=request.remote_addr,
                    detail=name,
                )
                socketio.server.disconnect(request.sid, namespace="/")
                return {"ok": False, "error": {"code": "unauthorised", "message": "This link is no longer valid."}}
            link, meeting = found
            if permission and not access.may(link.role, permission):  # never a command: it has its own check
                _record("forbidden", link, name)
                return {"ok": False, "error": {"code": "forbidden", "message": "Not allowed for your role."}}
            if isinstance(data, json_input.Refused):  # nested too deeply to read (json_input)
                db.session.rollback()
                return {"ok": False, "error": {"code": "invalid", "message": data.message}}
            try:
                return fn(link, meeting, data)
            except (RuleViolation, schemas.FieldErrors) as exc:
                db.session.rollback()
                if isinstance(exc, pipeline.Forbidden):
                    _record("forbidden", link, _command_name(data) or name)
                return schemas.error_payload(exc)
            except ValidationError:
                db.session.rollback()
                return {"ok": False, "error": {"code": "invalid", "message": "The message is malformed."}}

        return fn

    return wrap


TOO_MANY_CONNECTIONS = (
    "Too many connections are open with this {what}. Close this meeting on another device or browser "
    "tab, then reload this page."
)


def _record(kind: str, link: AccessLink | None = None, detail: str | None = None) -> None:
    """Log and count a socket refusal: the link and meeting (when known), the address, a reason code."""
    security_events.record(
        kind,
        link_id=link.id if link is not None else None,
        meeting_id=link.meeting_id if link is not None else None,
        user_id=link.user_id if link is not None else None,
        address=request.remote_addr,  # REMOTE_ADDR of the connection's environ, after ProxyFix
        detail=detail,
    )


def _command_name(data: Any) -> str | None:
    """The name of the command a refused message asked for, if it is one of ours (never free text)."""
    name = data.get("name") if isinstance(data, dict) else None
    return name if name in pipeline.COMMANDS else None


@socketio.on("connect")
def on_connect(auth: Any = None):
    """Anyone with a link connects with {token}; they join their meeting's room (a participant's
    link during a live meeting records them as joined: `attendance.joined` to everyone)."""
    liveness.keep_alive(current_app._get_current_object())  # this process's sockets' rows kept alive
    token = auth.get("token") if isinstance(auth, dict) else None
    address = request.remote_addr
    per_link, per_address = current_app.config["MAX_SOCKETS_PER_LINK"], current_app.config["MAX_SOCKETS_PER_ADDRESS"]
    # The link, and the sockets open on it and from this address (none counted with both caps off), in one read.
    found = records.joining_link(
        db.session.connection(), token, address if per_address > 0 else None, count_sockets=per_link > 0 or per_address > 0
    )
    link = found.link if found is not None else None
    if link is None or not queries.link_serves(link, current_user):
        reason = "no_token" if not isinstance(token, str) else "bad_link" if link is None else "not_signed_in"
        _record("connection_refused", link, reason)
        raise ConnectionRefusedError("unauthorised")
    over = socket_sessions.over_cap(found, per_link, per_address)
    if over:
        _record("too_many_connections", link, over)
        what = "link" if over == "link" else "network address"
        raise ConnectionRefusedError("too_many_connections", {"message": TOO_MANY_CONNECTIONS.format(what=what)})
    session["link_id"] = link.id
    session["meeting_id"] = link.meeting_id  # for the security log of later refusals, without a query
    if link.user_id is not None:
        session["account_session"] = current_user.get_id()
    join_room(meeting_room(link.meeting_id))
    join_room(audience_room(link.meeting_id, link.role))
    if link.role == access.PARTICIPANT and link.participant_id is not None:
        join_room(participant_room(link.meeting_id, link.participant_id))
    socket_sessions.opened(request.sid, link, address)
    # A participant's own link connecting during the meeting takes their attendance (remote, for the
    # chair to confirm); everyone in the meeting receives the event.
    joined = attendance.link_connected(link, found.status, found.attendance)
    if joined is not None:
        broadcast(joined)
    return True


@socketio.on("disconnect")
def on_disconnect(reason: Any = None):
    """Forget the connection."""
    forget_socket(request.sid)
    socket_sessions.closed(request.sid)


@socket_event("sync")
def on_sync(link: records.Record, meeting: records.Record, data: Any) -> dict:
    """Any client, on (re)connect: the events after `last_seq`, or a full snapshot."""
    args = schemas.parse(schemas.SyncArgs, data)
    if args.last_seq is not None:
        events = queries.events_since(meeting.id, args.last_seq, meeting.last_seq, link.role, link.participant_id)
        if events is not None:
            return {"ok": True, "events": events, "seq": meeting.last_seq, "server_now": queries.iso(utcnow())}
    return {"ok": True, "snapshot": snapshots.snapshot(meeting, link, utcnow())}


@socket_event("time")
def on_time(link: records.Record, meeting: None, data: Any) -> dict:
    """Any client: the server's clock, to correct countdowns for the browser's clock offset."""
    return {"ok": True, "server_now": queries.iso(utcnow())}


@socket_event("command")
def on_command(link: AccessLink | records.Record, meeting: Meeting | records.Record, data: Any) -> dict:
    """Any role the permission table allows for the command: apply it once; everyone in the meeting gets the event."""
    envelope = schemas.parse(schemas.CommandEnvelope, data)
    # current_link began the write transaction and read the meeting with its row locked; nothing here
    # reads the command's rows again after its commit (the broadcast sends the event it built), and the
    # event's session ends with it, so they are not marked for reading again
    outcome = pipeline.execute(link, envelope.name, envelope.args, envelope.id, locked=meeting, keep_loaded=True)
    if not outcome.replayed:
        broadcast(outcome)
    return outcome.result


@socketio.on("*")
def on_undeclared(event: str, *args):
    """Any event not declared above is refused."""
    refused = refuse_flood(request.sid)  # unknown events count too: a flood is a flood
    if refused:
        return refused
    security_events.record(
        "forbidden",
        link_id=session.get("link_id"),
        meeting_id=session.get("meeting_id"),
        address=request.remote_addr,
        detail="unknown_event",
    )
    return {"ok": False, "error": {"code": "unknown_event", "message": "Unknown event."}}


@socketio.on_error_default
def on_error(exc: Exception):
    """An unexpected failure: log it, tell the client without details, change nothing."""
    db.session.rollback()
    current_app.logger.exception("socket event failed")
    return {"ok": False, "error": {"code": "server_error", "message": "Something went wrong; nothing was changed."}}
