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
        "/api/v1/meetings/{meeting_id}/links": {
            "get": {
                "operationId": "readLinks",
                "summary": "The meeting's working links (chair only)",
                "parameters": [MEETING_ID],
                "responses": {"200": {"description": "Links"}, **_error_responses(401, 403, 404)},
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
