"""The JSON API (/api/v1): read a meeting, send any command, create meetings. Bearer = a link's token."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import json_input, queries, schemas, services, snapshots
from ..auth import allow
from ..domain import access
from ..domain import documents as document_rules
from ..domain.errors import Conflict, NotFound, RuleViolation
from ..downloads import document_file, minutes_file
from ..extensions import db
from ..models import Meeting, utcnow
from ..realtime.broadcast import broadcast
from ..schemas import error_payload
from ..services import accounts, evidence, invitations, security_events, statutory
from ..services import minutes as minutes_service
from ..services.action_log import commands, overview, review, rows, scope, search
from .openapi import allows_empty, empty_refusal, openapi_document, query_parameters

bp = Blueprint("api", __name__, url_prefix="/api")

STATUS = {
    "invalid": 422,
    "not_found": 404,
    "forbidden": 403,
    "unauthorised": 401,
    "conflict": 409,
    "too_large": 413,
    "unsupported_type": 415,
}


@bp.after_request
def _never_stored(response):
    """Every API answer (meeting data, errors about it) is kept by no browser or proxy cache, like the pages."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error(exc: Exception):
    payload = error_payload(exc)
    status = STATUS.get(payload["error"]["code"], 409)
    return jsonify(payload), status


@bp.errorhandler(RuleViolation)
def _rule_violation(exc: RuleViolation):
    if exc.code in ("forbidden", "unauthorised"):
        _record_refusal(exc.code)
    return _error(exc)


def _record_refusal(kind: str) -> None:
    """A refused token or role: logged and counted with the link (if any), the command or route, the address."""
    link = g.get("bearer_link")
    user = g.get("bearer_user")
    name = (request.view_args or {}).get("name")
    security_events.record(
        kind,
        link_id=link.id if link is not None else None,
        meeting_id=link.meeting_id if link is not None else None,
        user_id=user.id if user is not None else getattr(link, "user_id", None),
        address=request.remote_addr,
        detail=name if name in services.pipeline.COMMANDS else request.endpoint,
    )


@bp.errorhandler(schemas.FieldErrors)
def _field_errors(exc: schemas.FieldErrors):
    return _error(exc)


def _bearer_link(meeting_id: int, permission: str):
    """The request's link, checked against the meeting and the permission; 401/403/404 otherwise."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    link = queries.live_link(token) if token else None
    if link is None or not queries.link_serves(link, current_user):
        raise services.pipeline.Unauthorised("Send a valid link token as 'Authorization: Bearer <token>'.")
    g.bearer_link = link
    if link.meeting_id != meeting_id:
        # The same answer as for a meeting that does not exist: ids reveal nothing. The log says what it was.
        security_events.record(
            "forbidden", link_id=link.id, meeting_id=link.meeting_id, address=request.remote_addr, detail="other_meeting"
        )
        raise NotFound("No such meeting.")
    if not access.may(link.role, permission):
        raise services.pipeline.Forbidden("Your role in this meeting does not allow that.")
    return link


@bp.before_request
def _query_as_documented():
    """Query parameters as the OpenAPI document declares them: an unknown one, or an empty value where
    the document wants one (`?version=`, `?to=`), is refused with a message per parameter."""
    rule = request.url_rule
    if rule is None or request.method in ("HEAD", "OPTIONS"):
        return
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
    if "{name}" in path and request.view_args:  # one path per command in the document
        path = path.replace("{name}", str(request.view_args.get("name")))
    declared = query_parameters(request.method, path)
    if declared is None:
        return
    errors = {}
    for name in request.args:
        if name not in declared:
            errors[name[:60]] = "Unknown query parameter."
        elif "" in request.args.getlist(name) and not allows_empty(declared[name]):
            errors[name] = empty_refusal(declared[name])
    if errors:
        raise schemas.FieldErrors(errors)


def _json_body():
    data = request.get_json(silent=True)  # a body nested too deeply is refused before parsing (json_input)
    if data is None and request.content_length:
        if json_input.too_deep(request.get_data(cache=True)):
            raise schemas.FieldErrors({"_": json_input.TOO_DEEP})
        raise schemas.FieldErrors({"_": "The body must be JSON."})
    return data if data is not None else {}


@bp.get("/openapi.json")
@allow("anyone")
def openapi():
    """Anyone: the OpenAPI description of this API."""
    return jsonify(openapi_document())


def _meeting_maker():
    """The staff account preparing a meeting: a staff API token, or a signed-in browser session."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    user = accounts.user_for_api_token(token) if token else None
    if user is None and token is None and current_user.is_authenticated:
        user = current_user._get_current_object()
    if user is None:
        raise services.pipeline.Unauthorised("Send a staff API token as 'Authorization: Bearer <token>' (see your account page).")
    g.bearer_user = user
    queries.use_organisation(user.organisation_id)  # its settings, and its security log for a refusal
    if user.role not in access.MEETING_MAKERS:
        raise services.pipeline.Forbidden("Your account cannot prepare meetings.")
    return user, token is None


@bp.post("/v1/meetings")
@allow("bearer")
def create_meeting():
    """A staff account (API token or signed-in session): create a meeting; the answer holds its chair
    and shared-screen links. From a browser session the chair link works only for that account."""
    user, from_session = _meeting_maker()
    meeting, links = services.meetings.create_meeting(_json_body(), user, bind_chair=from_session)
    body = {
        "meeting": queries.meeting_view(meeting, list(meeting.items), utcnow()),
        "links": {role: request.host_url.rstrip("/") + path for role, path in links.items()},
        "tokens": {role: path.rsplit("/", 1)[1] for role, path in links.items()},
    }
    return jsonify(body), 201


@bp.get("/v1/meetings/<int:meeting_id>")
@allow("bearer")
def read_meeting(meeting_id: int):
    """Any link of the meeting: its full current state."""
    link = _bearer_link(meeting_id, "meeting.read")
    meeting = db.session.get(Meeting, meeting_id)
    return jsonify(snapshots.snapshot(meeting, link, utcnow()))


@bp.get("/v1/meetings/<int:meeting_id>/events")
@allow("bearer")
def read_events(meeting_id: int):
    """Any link of the meeting: events after `after_seq` in order (409 when too far behind)."""
    link = _bearer_link(meeting_id, "meeting.read")
    after = request.args.get("after_seq", "0")
    if not (after.isascii() and after.isdigit() and len(after) <= 16):
        raise schemas.FieldErrors({"after_seq": "Must be a whole number, 0 or more."})
    meeting = db.session.get(Meeting, meeting_id)
    events = queries.events_since(meeting_id, int(after), meeting.last_seq, link.role, link.participant_id)
    if events is None:
        raise RuleViolation("Too far behind or ahead to replay; read the meeting again.", code="resync")
    return jsonify({"seq": meeting.last_seq, "events": events})


#: Entries whose history can be read, and the tables they live in.
HISTORY_ENTITIES = ("decision", "action", "disagreement", "agenda_item", "participant")


@bp.get("/v1/meetings/<int:meeting_id>/history/<entity>/<int:entity_id>")
@allow("bearer")
def read_history(meeting_id: int, entity: str, entity_id: int):
    """Chair and participants: an entry's history (who changed what, when, before and after), oldest first."""
    link = _bearer_link(meeting_id, "records.history")
    if entity not in HISTORY_ENTITIES:
        raise schemas.FieldErrors({"entity": f"Must be one of: {', '.join(HISTORY_ENTITIES)}."})
    history = queries.audit_history(meeting_id, entity, entity_id, link.role)
    if not history or not queries.entry_shown(entity, entity_id, link.role):
        raise NotFound("No such entry in this meeting.")
    services.pipeline.log_access(link, "records.history", entity, note=f"{entity} {entity_id}")
    return jsonify({"entity": entity, "entity_id": entity_id, "history": history})


@bp.get("/v1/meetings/<int:meeting_id>/links")
@allow("bearer")
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
@allow("bearer")
def run_command(meeting_id: int, name: str):
    """The command's permitted roles: apply it once (Idempotency-Key), broadcast, return the result."""
    if name not in services.pipeline.COMMANDS:
        abort(404)
    link = _bearer_link(meeting_id, services.pipeline.COMMANDS[name].permission)
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        key = schemas.parse(schemas.CommandEnvelope, {"id": key, "name": name}).id
    outcome = services.pipeline.execute(link, name, _json_body(), key)
    if not outcome.replayed:
        broadcast(outcome)
    return jsonify(outcome.result), 200


@bp.app_errorhandler(Conflict)
def _conflict(exc: Conflict):
    return _error(exc)


# ---------------------------------------------------------------- minutes


@bp.get("/v1/meetings/<int:meeting_id>/minutes")
@allow("bearer")
def read_minutes(meeting_id: int):
    """Any link of the meeting: the minutes (?version=live|N, default the latest) as data, with their circulation state."""
    link = _bearer_link(meeting_id, "minutes.read")
    meeting = db.session.get(Meeting, meeting_id)
    which = minutes_service.parse_which(request.args.get("version"))
    minutes = minutes_service.minutes_for(meeting, which)
    body = {"minutes": minutes.to_dict(), "circulation": minutes_service.circulation_state(meeting, link)}
    minutes_service.record_export(link, "minutes", "json", which)
    return jsonify(body)


@bp.get("/v1/meetings/<int:meeting_id>/minutes/export/<fmt>")
@allow("bearer")
def export_minutes(meeting_id: int, fmt: str):
    """Any link of the meeting: the minutes as html, pdf, docx, md, csv, ics (?owner=<key>) or summary (?version=live|N)."""
    link = _bearer_link(meeting_id, "minutes.read")
    meeting = db.session.get(Meeting, meeting_id)
    which = minutes_service.parse_which(request.args.get("version"))
    return minutes_file(link, meeting, fmt, which, request.args.get("owner") or None, download=True)


# ---------------------------------------------------------------- the action log after the meeting


def _bearer_any(permission: str):
    """The request's link, whichever meeting it belongs to, checked against a permission."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    link = queries.live_link(token) if token else None
    if link is None or not queries.link_serves(link, current_user):
        raise services.pipeline.Unauthorised("Send a valid link token as 'Authorization: Bearer <token>'.")
    g.bearer_link = link
    if not access.may(link.role, permission):
        raise services.pipeline.Forbidden("Your role does not allow that.")
    return link


@bp.get("/v1/actions")
@allow("bearer")
def read_action_log():
    """Chair link: the actions of its staff account's meetings (an administrator's: all); participant link: their own."""
    link = _bearer_any("actions.read_log")
    filters = search.parse_filters(request.args)
    today = rows.today_local(utcnow())
    return jsonify(search.log_page(scope.Scope.of(link), filters, today).as_dict())


@bp.get("/v1/actions/overview")
@allow("bearer")
def read_action_overview():
    """Chair link: completion rate and overdue counts per agency and meeting type for actions due in a period."""
    link = _bearer_any("actions.read_log")
    if link.role != access.CHAIR:
        raise services.pipeline.Forbidden("Only a chair link has the overview.")
    today = rows.today_local(utcnow())
    errors, period = {}, {}
    for name, default in (("from", None), ("to", today)):
        raw = request.args.get(name, "")
        try:
            period[name] = schemas._iso_date(raw) if raw else default
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise schemas.FieldErrors(errors)
    start = period["from"] or period["to"].replace(day=1)
    if period["to"] < start:
        raise schemas.FieldErrors({"to": "The end of the period is before its start."})
    return jsonify(overview.overview(start, period["to"], today, scope.Scope.of(link)))


@bp.get("/v1/actions/<int:action_id>")
@allow("bearer")
def read_action(action_id: int):
    """Chair link: any action; participant link: an action of their meeting. With its full history."""
    link = _bearer_any("actions.read_log")
    return jsonify(search.action_detail(link, action_id, rows.today_local(utcnow())).as_dict())


def _action_command(action_id: int, name: str, fields_model):
    link = _bearer_any(name)
    body = _json_body()
    schemas.parse(fields_model, body)  # the action is named by the path, not the body
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        key = schemas.parse(schemas.CommandEnvelope, {"id": key, "name": name}).id
    outcome = commands.run_on_action(link, name, action_id, body, key)
    if not outcome.replayed:
        broadcast(outcome)
    return jsonify(outcome.result), 200


@bp.post("/v1/actions/<int:action_id>/progress")
@allow("bearer")
def record_action_progress(action_id: int):
    """The action's owner (participant link) or a chair link: record progress, in the action's own meeting."""
    return _action_command(action_id, "actions.record_progress", schemas.ProgressFields)


@bp.post("/v1/actions/<int:action_id>/missed-provision")
@allow("bearer")
def report_missed_provision(action_id: int):
    """A participant of the action's meeting or a chair link: agreed support did not happen on a day."""
    return _action_command(action_id, "actions.report_missed", schemas.MissedProvisionFields)


@bp.get("/v1/meetings/<int:meeting_id>/previous-actions")
@allow("bearer")
def read_previous_actions(meeting_id: int):
    """Any link of the meeting: actions still open from earlier meetings for the same child, with history."""
    link = _bearer_link(meeting_id, "meeting.read")
    meeting = db.session.get(Meeting, meeting_id)
    today = rows.today_local(utcnow())
    shown = review.previous_actions(meeting, today, confidential=access.sees_confidential(link.role))
    return jsonify(
        {
            "meeting_id": meeting_id,
            "review_item_id": review.review_item_id(meeting_id),
            "current_item_id": meeting.current_item_id,
            "actions": [row.as_dict() for row in shown],
        }
    )


@bp.get("/v1/meetings/<int:meeting_id>/timeline")
@allow("bearer")
def read_timeline(meeting_id: int):
    """Chair, note-taker and participants: the meeting's statutory dates before and after it, with sources."""
    _bearer_link(meeting_id, "statutory.timeline")
    meeting = db.session.get(Meeting, meeting_id)
    return jsonify(statutory.timeline(meeting, rows.today_local(utcnow())))


@bp.get("/v1/meetings/<int:meeting_id>/invitations")
@allow("bearer")
def read_invitations(meeting_id: int):
    """Chair: each person's invitation by e-mail, their reply and notice, and who the meeting type expects."""
    _bearer_link(meeting_id, "invitations.read")
    meeting = db.session.get(Meeting, meeting_id)
    return jsonify(invitations.chair_view(meeting, rows.today_local(utcnow())))


@bp.post("/v1/meetings/<int:meeting_id>/routes/preview")
@allow("bearer")
def preview_route(meeting_id: int):
    """Chair and note-takers: what a disagreement's route says for the dates typed, before saving (nothing is kept)."""
    _bearer_link(meeting_id, "routes.preview")
    args = schemas.parse(schemas.RoutePreviewArgs, _json_body())
    meeting = db.session.get(Meeting, meeting_id)
    return jsonify(services.registers.preview_route(meeting, args, rows.today_local(utcnow())))


@bp.get("/v1/statutory/rules")
@allow("anyone")
def read_statutory_rules():
    """Anyone: the statutory rules in force today (optionally of one jurisdiction), with formulas and sources."""
    jurisdiction = request.args.get("jurisdiction")
    if jurisdiction is not None and jurisdiction not in ("ENG", "US"):
        raise schemas.FieldErrors({"jurisdiction": "Unknown jurisdiction: ENG or US."})
    today = rows.today_local(utcnow())
    return jsonify({"rules": statutory.listing(jurisdiction, today), "notice": statutory.NOT_LEGAL_ADVICE})


@bp.post("/v1/statutory/compute")
@allow("anyone")
def compute_statutory_date():
    """Anyone: compute one rule's date from its start dates (no meeting data is read or kept)."""
    args = schemas.parse(schemas.StatutoryComputeArgs, _json_body())
    return jsonify(statutory.calculate(args, rows.today_local(utcnow())))


# ---------------------------------------------------------------- the evidence pack and its documents

#: What an upload's form may carry besides the file and its fields: the multipart framing.
UPLOAD_OVERHEAD = 64 * 1024


@bp.get("/v1/meetings/<int:meeting_id>/evidence")
@allow("bearer")
def read_evidence(meeting_id: int):
    """Chair, note-takers and participants: the evidence pack as the link may read it (a participant: their
    own requests and documents, and the pack once circulated, less confidential documents not theirs)."""
    link = _bearer_link(meeting_id, "evidence.read")
    return jsonify(evidence.pack_for(link, rows.today_local(utcnow())))


@bp.post("/v1/meetings/<int:meeting_id>/documents")
@allow("bearer")
def upload_document(meeting_id: int):
    """Chair, note-takers and participants (against their own request): upload a PDF, DOCX, PNG or JPEG
    (multipart field `file`; `request_id`, `confidential`); 413 too large, 415 another kind, 422 otherwise."""
    link = _bearer_link(meeting_id, "documents.upload")
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    request.max_content_length = limit + UPLOAD_OVERHEAD
    too_large = document_rules.TooLarge(
        f"The file is larger than the {document_rules.human_size(limit)} allowed.", field="file"
    )
    if request.content_length is not None and request.content_length > limit + UPLOAD_OVERHEAD:
        raise too_large
    try:
        files, form = request.files, request.form
    except RequestEntityTooLarge:
        raise too_large from None
    if list(files) != ["file"] or len(files.getlist("file")) != 1:
        raise schemas.FieldErrors({"file": "Send one file, as the multipart field `file`."})
    upload = files["file"]
    try:
        data = upload.stream.read(limit + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file: let it go now
    fields = {name: form.get(name) for name in form}
    outcome, document = evidence.upload(link, data, upload.filename or "", upload.mimetype, fields)
    broadcast(outcome)
    return jsonify({"ok": True, "seq": outcome.seq, "document": evidence.document_view(document)}), 201


@bp.get("/v1/meetings/<int:meeting_id>/documents/<int:document_id>")
@allow("bearer")
def download_document(meeting_id: int, document_id: int):
    """Chair, note-takers and participants allowed the document: its bytes, as an attachment (logged)."""
    link = _bearer_link(meeting_id, "documents.download")
    document, data = evidence.download(link, document_id)
    return document_file(document, data)
