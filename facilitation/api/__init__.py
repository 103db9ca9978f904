"""The JSON API (/api/v1): read a meeting, send any command, create meetings. Bearer = a link's token."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from .. import queries, schemas, services
from ..domain import access
from ..domain.errors import Conflict, RuleViolation
from ..extensions import db
from ..models import Meeting, utcnow
from ..realtime import broadcast, error_payload
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api")

STATUS = {
    "invalid": 422,
    "not_found": 404,
    "forbidden": 403,
    "unauthorised": 401,
    "conflict": 409,
}


def _error(exc: Exception):
    payload = error_payload(exc)
    status = STATUS.get(payload["error"]["code"], 409)
    return jsonify(payload), status


@bp.errorhandler(RuleViolation)
def _rule_violation(exc: RuleViolation):
    return _error(exc)


@bp.errorhandler(schemas.FieldErrors)
def _field_errors(exc: schemas.FieldErrors):
    return _error(exc)


def _bearer_link(meeting_id: int, permission: str):
    """The request's link, checked against the meeting and the permission; 401/403/404 otherwise."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    link = queries.live_link(token) if token else None
    if link is None:
        raise services.Unauthorised("Send a valid link token as 'Authorization: Bearer <token>'.")
    if link.meeting_id != meeting_id:
        # The same answer as for a meeting that does not exist: ids reveal nothing.
        raise services.NotFound("No such meeting.")
    if not access.may(link.role, permission):
        raise services.Forbidden("Your role in this meeting does not allow that.")
    return link


def _json_body():
    data = request.get_json(silent=True)
    if data is None and request.content_length:
        raise schemas.FieldErrors({"_": "The body must be JSON."})
    return data if data is not None else {}


@bp.get("/openapi.json")
def openapi():
    """Anyone: the OpenAPI description of this API."""
    return jsonify(openapi_document())


@bp.post("/v1/meetings")
def create_meeting():
    """Anyone preparing a meeting: create it; the answer holds the chair and shared-screen links."""
    meeting, links = services.create_meeting(_json_body())
    body = {
        "meeting": queries.meeting_view(meeting, list(meeting.items), utcnow()),
        "links": {role: request.host_url.rstrip("/") + path for role, path in links.items()},
        "tokens": {role: path.rsplit("/", 1)[1] for role, path in links.items()},
    }
    return jsonify(body), 201


@bp.get("/v1/meetings/<int:meeting_id>")
def read_meeting(meeting_id: int):
    """Any link of the meeting: its full current state."""
    link = _bearer_link(meeting_id, "meeting.read")
    meeting = db.session.get(Meeting, meeting_id)
    return jsonify(queries.snapshot(meeting, link, utcnow()))


@bp.get("/v1/meetings/<int:meeting_id>/events")
def read_events(meeting_id: int):
    """Any link of the meeting: events after `after_seq` in order (409 when too far behind)."""
    _bearer_link(meeting_id, "meeting.read")
    after = request.args.get("after_seq", "0")
    if not (after.isascii() and after.isdigit() and len(after) <= 16):
        raise schemas.FieldErrors({"after_seq": "Must be a whole number, 0 or more."})
    meeting = db.session.get(Meeting, meeting_id)
    events = queries.events_since(meeting_id, int(after), meeting.last_seq)
    if events is None:
        raise RuleViolation("Too far behind or ahead to replay; read the meeting again.", code="resync")
    return jsonify({"seq": meeting.last_seq, "events": events})


@bp.get("/v1/meetings/<int:meeting_id>/links")
def read_links(meeting_id: int):
    """Chair: the meeting's working links (chair, shared screen, each participant)."""
    _bearer_link(meeting_id, "participants.read_links")
    base = request.host_url.rstrip("/")
    return jsonify(
        {
            "links": [
                {"role": link.role, "participant_id": link.participant_id, "url": base + queries.link_path(link)}
                for link in queries.meeting_links(meeting_id)
            ]
        }
    )


@bp.post("/v1/meetings/<int:meeting_id>/commands/<name>")
def run_command(meeting_id: int, name: str):
    """The command's permitted roles: apply it once (Idempotency-Key), broadcast, return the result."""
    if name not in services.COMMANDS:
        abort(404)
    link = _bearer_link(meeting_id, services.COMMANDS[name].permission)
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        key = schemas.parse(schemas.CommandEnvelope, {"id": key, "name": name}).id
    outcome = services.execute(link, name, _json_body(), key)
    if not outcome.replayed:
        broadcast(outcome)
    return jsonify(outcome.result), 200


@bp.app_errorhandler(Conflict)
def _conflict(exc: Conflict):
    return _error(exc)
