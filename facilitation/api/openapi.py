"""The OpenAPI 3.1 description, built from the same command table and schemas the code runs on."""

from __future__ import annotations

from functools import lru_cache

from .. import schemas, services
from ..domain import access

REF = "#/components/schemas/{model}"


def _schema(model, components: dict) -> dict:
    """A model's JSON schema; nested models it refers to go into `components`."""
    schema = model.model_json_schema(ref_template=REF)
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    return schema


def _error_responses(*codes: int) -> dict:
    text = {
        401: "The token is missing, unknown or revoked.",
        403: "The link's role may not do this.",
        404: "No such meeting (or not this link's meeting).",
        409: "Not allowed in the meeting's current state, or an edit conflict.",
        422: "Invalid values; `error.fields` has one message per field.",
    }
    return {
        str(c): {"description": text[c], "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for c in codes
    }


MEETING_ID = {"name": "meeting_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
MINUTES_VERSION = {"name": "version", "in": "query", "schema": {"type": "string", "pattern": "^(live|[1-9][0-9]{0,5})$"}}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    """The whole document; paths for every command come from services.COMMANDS."""
    components: dict = {
        "Error": {
            "type": "object",
            "required": ["ok", "error"],
            "properties": {
                "ok": {"const": False},
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                        "current": {"type": "object"},
                    },
                },
            },
        },
        "CommandResult": {
            "type": "object",
            "required": ["ok", "seq"],
            "properties": {"ok": {"const": True}, "seq": {"type": "integer"}},
            "additionalProperties": True,
        },
        "Snapshot": {
            "type": "object",
            "required": ["seq", "server_now", "viewer", "meeting", "items", "participants"],
            "properties": {
                "seq": {"type": "integer"},
                "server_now": {"type": "string", "format": "date-time"},
                "viewer": {"type": "object"},
                "meeting": {"type": "object"},
                "items": {"type": "array", "items": {"type": "object"}},
                "participants": {"type": "array", "items": {"type": "object"}},
            },
        },
    }
    components["CreateMeetingArgs"] = _schema(schemas.CreateMeetingArgs, components)
    paths: dict = {
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI description of this API"}},
            }
        },
        "/api/v1/meetings": {
            "post": {
                "operationId": "createMeeting",
                "summary": "Prepare a meeting; returns its chair and shared-screen links",
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": REF.format(model="CreateMeetingArgs")}}},
                },
                "responses": {"201": {"description": "Created"}, **_error_responses(422)},
            }
        },
        "/api/v1/meetings/{meeting_id}": {
            "get": {
                "operationId": "readMeeting",
                "summary": "A meeting's full current state (any of its links)",
                "parameters": [MEETING_ID],
                "responses": {
                    "200": {"description": "Snapshot", "content": {"application/json": {"schema": {"$ref": REF.format(model="Snapshot")}}}},
                    **_error_responses(401, 404),
                },
            }
        },
        "/api/v1/meetings/{meeting_id}/events": {
            "get": {
                "operationId": "readEvents",
                "summary": "Events after a sequence number, in order (409 `resync` when too far behind)",
                "parameters": [
                    MEETING_ID,
                    {"name": "after_seq", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                ],
                "responses": {"200": {"description": "Events"}, **_error_responses(401, 404, 409, 422)},
            }
        },
        "/api/v1/meetings/{meeting_id}/history/{entity}/{entity_id}": {
            "get": {
                "operationId": "readHistory",
                "summary": "An entry's history: who changed what, when, with the values before and after",
                "description": "Allowed roles: chair, participant. Deleted entries keep their history.",
                "x-roles": ["chair", "participant"],
                "parameters": [
                    MEETING_ID,
                    {
                        "name": "entity",
                        "in": "path",
                        "required": True,
                        "schema": {"enum": ["decision", "action", "disagreement", "agenda_item", "participant"]},
                    },
                    {"name": "entity_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                ],
                "responses": {"200": {"description": "History, oldest first"}, **_error_responses(401, 403, 404, 422)},
            }
        },
        "/api/v1/meetings/{meeting_id}/links": {
            "get": {
                "operationId": "readLinks",
                "summary": "The meeting's working links (chair only)",
                "parameters": [MEETING_ID],
                "responses": {"200": {"description": "Links"}, **_error_responses(401, 403, 404)},
            }
        },
        # minutes (issue 4)
        "/api/v1/meetings/{meeting_id}/minutes": {
            "get": {
                "operationId": "readMinutes",
                "summary": "The minutes as structured data, with who has confirmed them (any of the meeting's links)",
                "description": "`version`: `live` (the draft as the record stands), a version number, or absent for the "
                "latest (approved, else circulated, else live). Each read is logged.",
                "parameters": [MEETING_ID, MINUTES_VERSION],
                "responses": {"200": {"description": "{minutes, circulation}"}, **_error_responses(401, 404, 422)},
            }
        },
        "/api/v1/meetings/{meeting_id}/minutes/export/{fmt}": {
            "get": {
                "operationId": "exportMinutes",
                "summary": "The minutes as a file: html, pdf, docx, md, csv (action register), ics (due and follow-up dates) or summary (family summary)",
                "description": "Each export is logged. `owner` (an owner key from readMinutes, e.g. `p12`) narrows the ICS calendar to one person's dates.",
                "parameters": [
                    MEETING_ID,
                    {"name": "fmt", "in": "path", "required": True, "schema": {"type": "string", "enum": ["html", "pdf", "docx", "md", "csv", "ics", "summary"]}},
                    MINUTES_VERSION,
                    {"name": "owner", "in": "query", "schema": {"type": "string", "maxLength": 40}},
                ],
                "responses": {
                    "200": {
                        "description": "The file (Content-Disposition: attachment)",
                        "content": {
                            mime: {"schema": {"type": "string", "format": "binary"}}
                            for mime in (
                                "text/html",
                                "application/pdf",
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                "text/markdown",
                                "text/csv",
                                "text/calendar",
                            )
                        },
                    },
                    **_error_responses(401, 404, 422),
                },
            }
        },
    }
    for name, spec in services.COMMANDS.items():
        model = spec.args.__name__
        if model not in components:
            components[model] = _schema(spec.args, components)
        roles = sorted(access.PERMISSIONS[spec.permission])
        paths[f"/api/v1/meetings/{{meeting_id}}/commands/{name}"] = {
            "post": {
                "operationId": name.replace(".", "_"),
                "summary": spec.summary,
                "description": f"Allowed roles: {', '.join(roles)}.",
                "x-roles": roles,
                "parameters": [
                    MEETING_ID,
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "description": "A retried command with the same key returns the first result and is not applied again.",
                        "schema": {"type": "string", "maxLength": 64},
                    },
                ],
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}},
                },
                "responses": {
                    "200": {
                        "description": "Applied (or already applied with this key)",
                        "content": {"application/json": {"schema": {"$ref": REF.format(model="CommandResult")}}},
                    },
                    **_error_responses(401, 403, 404, 409, 422),
                },
            }
        }
    paths.update(_action_log_paths(components))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Common Ground API",
            "version": "1",
            "description": "Run multi-agency SEND review meetings. Authenticate with a meeting link's token "
            "as a bearer token; each token is bound to one meeting and one role.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"linkToken": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"linkToken": []}],
    }


# ---------------------------------------------------------------- the action log after the meeting (issue 5)

ACTION_ID = {"name": "action_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
_DATE = {"type": "string", "format": "date"}


def _action_log_paths(components: dict) -> dict:
    """The action log's routes: the log, one action, progress, missed support, the overview, carry forward."""
    from ..domain import action_log as rules
    from ..services import action_log

    for model in (action_log.ProgressFields, action_log.MissedProvisionFields):
        components.setdefault(model.__name__, _schema(model, components))
    log_filters = [
        {"name": "owner", "in": "query", "description": "Owner's name contains", "schema": {"type": "string", "maxLength": 120}},
        {"name": "agency", "in": "query", "description": "The owner's agency, exactly", "schema": {"type": "string", "maxLength": 120}},
        {"name": "status", "in": "query", "description": "Any of these statuses (repeat the parameter)", "style": "form", "explode": True,
         "schema": {"type": "array", "items": {"type": "string", "enum": list(rules.STATUSES)}}},
        {"name": "due_from", "in": "query", "schema": _DATE},
        {"name": "due_to", "in": "query", "schema": _DATE},
        {"name": "follow_up_from", "in": "query", "schema": _DATE},
        {"name": "follow_up_to", "in": "query", "schema": _DATE},
        {"name": "overdue", "in": "query", "description": "1: only active actions past their due date", "schema": {"type": "string", "enum": ["1", "0"]}},
        {"name": "due_this_week", "in": "query", "description": "1: only active actions due in the next 7 days", "schema": {"type": "string", "enum": ["1", "0"]}},
        {"name": "child_ref", "in": "query", "schema": {"type": "string", "maxLength": 40}},
        {"name": "meeting_id", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "meeting_type", "in": "query", "schema": {"type": "string", "maxLength": 40}},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(action_log.SORTS)}},
        {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "enum": list(action_log.PER_PAGE)}},
    ]
    idempotency = {
        "name": "Idempotency-Key",
        "in": "header",
        "description": "A retried command with the same key returns the first result and is not applied again.",
        "schema": {"type": "string", "maxLength": 64},
    }

    def command(op_id: str, summary: str, model: str, roles: str) -> dict:
        return {
            "post": {
                "operationId": op_id,
                "summary": summary,
                "description": f"Allowed: {roles}. Runs as a command in the action's own meeting (audited, sequenced, broadcast).",
                "parameters": [ACTION_ID, idempotency],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}}},
                "responses": {
                    "200": {"description": "Recorded", "content": {"application/json": {"schema": {"$ref": REF.format(model="CommandResult")}}}},
                    **_error_responses(401, 403, 404, 409, 422),
                },
            }
        }

    return {
        "/api/v1/actions": {
            "get": {
                "operationId": "readActionLog",
                "summary": "The action log: filtered, sorted, paginated, with counts per status, overdue, due this week and lapsed",
                "description": "A chair link sees every meeting's actions (one organisation per installation, until staff "
                "accounts); a participant link only the actions they own.",
                "parameters": log_filters,
                "responses": {"200": {"description": "{total, page, pages, counts, actions}"}, **_error_responses(401, 403, 422)},
            }
        },
        "/api/v1/actions/overview": {
            "get": {
                "operationId": "readActionOverview",
                "summary": "Completion rate and overdue counts per agency and per meeting type, for actions due in a period (chair)",
                "parameters": [{"name": "from", "in": "query", "schema": _DATE}, {"name": "to", "in": "query", "schema": _DATE}],
                "responses": {"200": {"description": "{by_agency, by_meeting_type, totals}"}, **_error_responses(401, 403, 422)},
            }
        },
        "/api/v1/actions/{action_id}": {
            "get": {
                "operationId": "readAction",
                "summary": "One action with its full history of updates",
                "parameters": [ACTION_ID],
                "responses": {"200": {"description": "The action"}, **_error_responses(401, 403, 404)},
            }
        },
        "/api/v1/actions/{action_id}/progress": command(
            "recordActionProgress", "Record progress: status, a dated note, evidence", "ProgressFields",
            "a chair link, or the owner's participant link",
        ),
        "/api/v1/actions/{action_id}/missed-provision": command(
            "reportMissedProvision", "Log agreed support that did not happen on a day", "MissedProvisionFields",
            "a chair link, or a participant link of the action's meeting (or of a later meeting for the same child)",
        ),
        "/api/v1/meetings/{meeting_id}/previous-actions": {
            "get": {
                "operationId": "readPreviousActions",
                "summary": "Actions still open from earlier meetings for the same child (the review of previous actions)",
                "parameters": [MEETING_ID],
                "responses": {"200": {"description": "{review_item_id, current_item_id, actions}"}, **_error_responses(401, 404)},
            }
        },
    }
