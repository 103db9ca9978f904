"""The OpenAPI 3.1 description, built from the same command table and schemas the code runs on."""

from __future__ import annotations

from functools import lru_cache

from .. import exports, schemas, services
from ..domain import access, agenda, meetings, registers, speaking
from ..domain import action_log as rules
from ..domain import outcomes as outcome_rules
from ..domain import routes as route_rules
from ..domain.action_log import STATUSES as ACTION_STATUSES
from ..domain.minutes import reports as report_rules
from ..services.action_log import search

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
#: The header that makes a command safe to retry; the same rule as a socket command's id (schemas.CommandId).
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "description": "A retried command with the same key returns the first result and is not applied again.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9_.:-]+$"},
}
MINUTES_VERSION = {"name": "version", "in": "query", "schema": {"type": "string", "pattern": "^(live|[1-9][0-9]{0,5})$"}}


# ---------------------------------------------------------------- the meeting's state (snapshots.snapshot and the views in queries)


def _ref(model: str) -> dict:
    return {"$ref": REF.format(model=model)}


def _object(description: str, properties: dict) -> dict:
    """An object whose every property is always present (null where a value is absent)."""
    return {"type": "object", "description": description, "required": list(properties), "properties": properties}


def _list(model: str) -> dict:
    return {"type": "array", "items": _ref(model)}


_ID = {"type": "integer", "minimum": 1}
_ID_OR_NULL = {"type": ["integer", "null"], "minimum": 1}
_TEXT = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_DAY_OR_NULL = {"type": ["string", "null"], "format": "date"}
_TIME = {"type": "string", "format": "date-time"}
_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_VERSION = {"type": "integer", "minimum": 1, "description": "The entry's version; edits name the version they were based on."}


def _state_schemas() -> dict:
    """The snapshot of a meeting and the rows in it, as queries.py builds them (also the rows in events)."""
    return {
        "Snapshot": _object(
            "Everything a client needs to draw the room. Confidential register entries are left out for roles "
            "that may not see them (only the chair and note-takers do).",
            {
                "seq": {"type": "integer", "minimum": 0, "description": "The meeting's last event sequence number"},
                "server_now": _TIME,
                "viewer": _ref("Viewer"),
                "meeting": _ref("MeetingState"),
                "items": {**_list("AgendaItem"), "description": "The agenda, in order"},
                "participants": {**_list("Participant"), "description": "The participants with their attendance, less any removed"},
                "decisions": {**_list("Decision"), "description": "The decision register, oldest first (deleted entries are in the audit trail only)"},
                "actions": {**_list("Action"), "description": "The action register, oldest first"},
                "disagreements": {**_list("Disagreement"), "description": "The disagreement register, oldest first, each with its live positions"},
                "outcomes": {**_list("Outcome"), "description": "The outcomes of the child's plan (IEP goals) in the plan's order, with progress recorded against each"},
                "amendments": {**_list("Amendment"), "description": "The sections of the EHC plan to amend, with the proposed wording"},
                "speaking_requests": {
                    **_list("SpeakingRequest"),
                    "description": "Requests to speak, oldest first: all for the chair and note-takers, a participant's "
                    "own for a participant's link, none for observers and the shared screen",
                },
            },
        ),
        "Viewer": _object("Who is looking: the link's role, and its participant for a participant's link.", {
            "role": {"enum": list(access.LINK_ROLES)},
            "participant_id": _ID_OR_NULL,
        }),
        "MeetingState": _object("The meeting's details and clock state.", {
            "id": _ID,
            "title": _TEXT,
            "meeting_type": {"enum": list(meetings.MEETING_TYPES)},
            "meeting_type_label": _TEXT,
            "child_ref": _TEXT,
            "scheduled_start": _TIME,
            "scheduled_end": _TIME,
            "status": {"enum": list(agenda.MEETING_STATUSES)},
            "started_at": _TIME_OR_NULL,
            "ended_at": _TIME_OR_NULL,
            "current_item_id": _ID_OR_NULL,
            "projected_end": {**_TIME_OR_NULL, "description": "When the meeting will end if each remaining item takes its planned time"},
            "allocation": _object("The items' planned time against the scheduled length.", {
                "total_seconds": {"type": "integer"},
                "scheduled_seconds": {"type": "integer"},
                "fits": {"type": "boolean"},
                "over_by_seconds": {"type": "integer", "minimum": 0},
            }),
            "year_group": {"type": ["integer", "null"], "minimum": 0, "maximum": 14, "description": "The child's year group (0: Reception)"},
            "adulthood_areas": {
                "type": "array", "items": {"enum": list(outcome_rules.PFA_AREAS)},
                "description": "Preparation-for-adulthood areas chosen for the agenda (Year 9 and above)",
            },
            "safeguards": {
                "oneOf": [
                    {"type": "null"},
                    _object("A US IEP meeting: the procedural safeguards offered to the parent and the parent's consent.", {
                        "offered_on": _DAY_OR_NULL,
                        "how": {"enum": list(report_rules.SAFEGUARDS_HOW)},
                        "consent": {"enum": list(report_rules.CONSENT)},
                        "consent_on": _DAY_OR_NULL,
                    }),
                ],
            },
            "version": _VERSION,
        }),
        "AgendaItem": _object("An agenda item with its clock: timers are timestamps, the client draws the countdown.", {
            "id": _ID,
            "position": {"type": "integer"},
            "title": _TEXT,
            "presenter": _TEXT_OR_NULL,
            "allocated_seconds": {"type": "integer", "minimum": 0},
            "extended_seconds": {"type": "integer", "minimum": 0},
            "time_scale": {
                "type": "integer", "minimum": agenda.TIME_SCALE_MIN, "maximum": agenda.TIME_SCALE_MAX,
                "multipleOf": agenda.TIME_SCALE_STEP,
                "description": "Percent of the allocation the item is given (150: x1.5, e.g. interpreted); "
                "budget = round(allocated_seconds * time_scale / 100) + extended_seconds",
            },
            "status": {
                "enum": list(agenda.ITEM_STATUSES),
                "description": "`left`: opened and left unfinished (Go to, Previous, Defer); still to cover",
            },
            "deferred": {"type": "boolean"},
            "visits": {"type": "integer", "minimum": 0, "description": "How many times the item was opened"},
            "elapsed_before": {"type": "number", "minimum": 0, "description": "Seconds run before the current run"},
            "run_started_at": {**_TIME_OR_NULL, "description": "When the current run started (null unless running)"},
            "started_at": _TIME_OR_NULL,
            "ended_at": _TIME_OR_NULL,
            "ends_at": _TIME_OR_NULL,
            "actual_seconds": {"type": ["integer", "null"], "minimum": 0, "description": "Seconds taken, once done, skipped or left (summed over visits)"},
            "version": _VERSION,
        }),
        "Participant": _object("A participant as others in the meeting see them, with their attendance (no link, no contact details).", {
            "id": _ID,
            "name": _TEXT,
            "role": {"enum": list(meetings.PARTICIPANT_ROLES)},
            "role_label": _TEXT,
            "agency": {"enum": list(meetings.AGENCIES)},
            "agency_label": {"type": "string", "description": "The agency's own name if given, else the agency's label"},
            "attendance": {"enum": list(registers.ATTENDANCE), "description": "; ".join(f"`{k}`: {v}" for k, v in registers.ATTENDANCE.items())},
            "attendance_label": _TEXT,
            "arrived_late": {"type": "boolean"},
            "left_early": {"type": "boolean"},
            "joined_at": {**_TIME_OR_NULL, "description": "First time their own link connected while the meeting was live"},
            "attendance_confirmed": {
                "type": "boolean",
                "description": "False while the attendance was taken from their link connecting and not yet confirmed by the chair or a note-taker",
            },
            "language": {**_TEXT_OR_NULL, "description": "The language they speak in the meeting, e.g. Polish"},
            "needs_interpreter": {"type": "boolean"},
            "version": _VERSION,
        }),
        "Decision": _object("A decision, recorded against an agenda item.", {
            "id": _ID,
            "agenda_item_id": _ID_OR_NULL,
            "text": _TEXT,
            "reasons": _TEXT_OR_NULL,
            "evidence": _TEXT_OR_NULL,
            "options_considered": _TEXT_OR_NULL,
            "status": {"enum": list(registers.DECISION_STATUSES)},
            "status_label": _TEXT,
            "dissenter_ids": {"type": "array", "items": _ID, "description": "Participants who dissent (status agreed_with_dissent)"},
            "disagreement_id": {**_ID_OR_NULL, "description": "The disagreement the dissent is recorded in"},
            "confidential": {"type": "boolean"},
            "review_date": _DAY_OR_NULL,
            "citations": {"type": "array", "description": "Documents of the evidence pack the entry cites (confidential ones only for the chair and note-takers)", "items": _object("A cited document", {"id": _ID, "name": _TEXT, "kind": {"enum": ["pdf", "docx", "png", "jpeg"]}, "confidential": {"type": "boolean"}})},
            "notice": {"enum": [*report_rules.NOTICE_KINDS, None], "description": "The decision proposes or refuses an action: a US prior written notice is made for it"},
            "other_factors": {**_TEXT_OR_NULL, "description": "Other factors relevant to the proposal or refusal (34 CFR 300.503(b)(7))"},
            "answers_view_ids": {"type": "array", "items": _ID, "description": "The child's views it answers: ids of the meeting's answered child_views evidence requests"},
            "answers_recorded_views": {"type": "boolean", "description": "It answers the child's views recorded in the minutes"},
            "version": _VERSION,
            "created_at": _TIME,
        }),
        "Outcome": _object("An outcome of the child's plan (an IEP goal) with the progress recorded against it in the meeting.", {
            "id": _ID,
            "position": {"type": "integer", "minimum": 1},
            "text": _TEXT,
            "area": {"enum": [*outcome_rules.PFA_AREAS, None], "description": "A preparation-for-adulthood area, if the outcome is one"},
            "area_label": _TEXT_OR_NULL,
            "progress": _TEXT_OR_NULL,
            "evidence": _TEXT_OR_NULL,
            "still_appropriate": {"enum": [*outcome_rules.STILL_APPROPRIATE, None]},
            "still_appropriate_label": _TEXT_OR_NULL,
            "proposed_change": _TEXT_OR_NULL,
            "carried_from_id": {**_ID_OR_NULL, "description": "The outcome of the child's last review it was carried from"},
            "confidential": {"type": "boolean"},
            "version": _VERSION,
            "created_at": _TIME,
        }),
        "Amendment": _object("A section of the EHC plan to amend (A-K) with the proposed wording.", {
            "id": _ID,
            "section": {"enum": list(outcome_rules.EHCP_SECTIONS)},
            "section_label": _TEXT,
            "wording": _TEXT,
            "reason": _TEXT_OR_NULL,
            "confidential": {"type": "boolean"},
            "version": _VERSION,
            "created_at": _TIME,
        }),
        "Action": _object("An action: what, who (a participant, or a named person outside the meeting) and by when.", {
            "id": _ID,
            "agenda_item_id": _ID_OR_NULL,
            "what": _TEXT,
            "owner_participant_id": {**_ID_OR_NULL, "description": "The owner, if a participant; else owner_name"},
            "owner_name": _TEXT_OR_NULL,
            "owner_agency": _TEXT,
            "due_date": {"type": "string", "format": "date"},
            "follow_up_date": {"type": "string", "format": "date"},
            "need": {**_TEXT_OR_NULL, "description": "The need or outcome it serves"},
            "citations": {"type": "array", "description": "Documents of the evidence pack the entry cites (confidential ones only for the chair and note-takers)", "items": _object("A cited document", {"id": _ID, "name": _TEXT, "kind": {"enum": ["pdf", "docx", "png", "jpeg"]}, "confidential": {"type": "boolean"}})},
            "confidential": {"type": "boolean"},
            "status": {"enum": list(ACTION_STATUSES), "description": "Progress after the meeting (the action log)"},
            "confirmed_at": {**_TIME_OR_NULL, "description": "When the owner confirmed it from their own screen"},
            "version": _VERSION,
            "created_at": _TIME,
        }),
        "Position": _object("One party's position in a disagreement, in their own words.", {
            "id": _ID,
            "disagreement_id": _ID,
            "participant_id": {**_ID_OR_NULL, "description": "The party, if a participant; else party_name"},
            "party_name": _TEXT_OR_NULL,
            "agency": _TEXT,
            "view": _TEXT,
            "evidence": _TEXT_OR_NULL,
            "citations": {"type": "array", "description": "Documents of the evidence pack the entry cites (confidential ones only for the chair and note-takers)", "items": _object("A cited document", {"id": _ID, "name": _TEXT, "kind": {"enum": ["pdf", "docx", "png", "jpeg"]}, "confidential": {"type": "boolean"}})},
            "version": _VERSION,
        }),
        "Disagreement": _object("A disagreement: each party's position, and whether it was resolved or the agreed next step.", {
            "id": _ID,
            "agenda_item_id": _ID_OR_NULL,
            "topic": _TEXT,
            "confidential": {"type": "boolean"},
            "resolved": {"type": "boolean"},
            "resolution": _TEXT_OR_NULL,
            "about": {
                "enum": [*sorted(route_rules.every_kind_key()), None],
                "description": "What it is about; the kinds open depend on the meeting's jurisdiction (England, or the US for an IEP meeting)",
            },
            "about_label": _TEXT_OR_NULL,
            "next_step": {
                "enum": [*sorted(route_rules.every_route_key()), None],
                "description": "The agreed route: routes, not a ladder; which are open depends on the jurisdiction and on `about`",
            },
            "next_step_label": _TEXT_OR_NULL,
            "next_step_note": {**_TEXT_OR_NULL, "description": "The route in its jurisdiction's words: when it is open, what it needs"},
            "next_step_contact": {"enum": ["advice", "disagreement_resolution", "mediation", None], "description": "The organisation contact shown with the route"},
            "route_dates": {"type": "object", "additionalProperties": {"type": "string", "format": "date"}, "description": "The dates the route's clocks start from, by name"},
            "route_deadlines": {
                "type": "array",
                "description": "The route's statutory dates computed from route_dates; `limit` ones are dates the follow-up must come before",
                "items": {"type": "object", "properties": {
                    "rule_id": {"type": "string"}, "title": {"type": "string"}, "who": {"type": "string"},
                    "date": {"type": "string", "format": "date"}, "date_text": {"type": "string"}, "verified": {"type": "boolean"},
                    "sources": {"type": "array", "items": {"type": "string"}}, "limit": {"type": "boolean"},
                }},
            },
            "route_missing": {"type": "array", "items": {"type": "string"}, "description": "Start dates the route still needs"},
            "resolved_at": {"type": ["string", "null"], "format": "date-time", "description": "When it was marked resolved"},
            "minutes_section": {**_TEXT_OR_NULL, "description": "Set when it is a dissent from a section of the circulated minutes (e.g. `item:12`)"},
            "reflection": {
                "type": "object",
                "description": "The reflective review after it was resolved: its date, what worked, what to do differently, when recorded",
                "properties": {"date": _DAY_OR_NULL, "what_worked": _TEXT_OR_NULL, "do_differently": _TEXT_OR_NULL,
                               "recorded_at": {"type": ["string", "null"], "format": "date-time"}},
            },
            "follow_up_late": {
                "type": ["object", "null"],
                "description": "Set when the follow-up date falls after a limit date: a warning, not a refusal",
                "properties": {"rule_id": {"type": "string"}, "title": {"type": "string"}, "date": {"type": "string", "format": "date"}, "message": {"type": "string"}},
            },
            "next_step_owner_participant_id": _ID_OR_NULL,
            "next_step_owner_name": _TEXT_OR_NULL,
            "next_step_agency": _TEXT_OR_NULL,
            "follow_up_date": _DAY_OR_NULL,
            "positions": _list("Position"),
            "version": _VERSION,
            "created_at": _TIME,
        }),
        "SpeakingRequest": _object("A participant's raised hand, written question or comment, or request for a break.", {
            "id": _ID,
            "kind": {"enum": list(speaking.KINDS), "description": "; ".join(f"`{k}`: {v}" for k, v in speaking.KINDS.items())},
            "text": {**_TEXT_OR_NULL, "description": "The question or comment (null for a hand or a break)"},
            "participant_id": _ID,
            "item_id": {**_ID_OR_NULL, "description": "The item the meeting was on when it was sent (null before the start)"},
            "created_at": _TIME,
            "status": {"enum": list(speaking.STATUSES), "description": "Answered and withdrawn are final"},
            "answered_at": _TIME_OR_NULL,
            "version": _VERSION,
        }),
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    """The whole document; paths for every command come from services.pipeline.COMMANDS."""
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
        **_state_schemas(),
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
                "summary": "Prepare a meeting (a chair's or administrator's staff API token); returns its chair and shared-screen links",
                "security": [{"staffToken": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": REF.format(model="CreateMeetingArgs")}}},
                },
                "responses": {"201": {"description": "Created"}, **_error_responses(401, 403, 422)},
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
        # minutes
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
                "summary": "The minutes as a file: html, pdf, docx, md, csv (action register), ics (due and follow-up dates), summary (family summary), or a statutory report",
                "description": "Each export is logged. `owner` (an owner key from readMinutes, e.g. `p12`) narrows the ICS calendar to one person's dates. "
                "`report.<html|pdf|docx|md>`: the EHCP annual review report (EHCP annual reviews only); `pwn.<...>`: the US prior written "
                "notices (IEP meetings only); other meeting types answer 404 for them.",
                "parameters": [
                    MEETING_ID,
                    {"name": "fmt", "in": "path", "required": True, "schema": {"type": "string", "enum": list(exports.FORMATS)}},
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
    for name, spec in services.pipeline.COMMANDS.items():
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
                "parameters": [MEETING_ID, IDEMPOTENCY_KEY],
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
    paths.update(_statutory_paths(components))
    paths.update(_evidence_paths())
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
            "securitySchemes": {
                "linkToken": {"type": "http", "scheme": "bearer", "description": "A meeting link's token"},
                "staffToken": {"type": "http", "scheme": "bearer", "description": "A staff account's API token (its account page)"},
            },
        },
        "security": [{"linkToken": []}],
    }


# ---------------------------------------------------------------- the action log after the meeting

ACTION_ID = {"name": "action_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
_DATE = {"type": "string", "format": "date"}


def _action_log_paths(components: dict) -> dict:
    """The action log's routes: the log, one action, progress, missed support, the overview, carry forward."""
    for model in (schemas.ProgressFields, schemas.MissedProvisionFields):
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
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(search.SORTS)}},
        {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "enum": list(search.PER_PAGE)}},
    ]
    idempotency = IDEMPOTENCY_KEY

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
                "description": "A chair link sees the actions of every meeting prepared by the same staff account as its "
                "meeting (every meeting for an administrator's; its own meeting alone when the meeting has no owner); "
                "a participant link only the actions they own.",
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


# ---------------------------------------------------------------- the statutory calculator

_STRINGS = {"type": "array", "items": _TEXT}
_STATE_TIMEFRAME = {"type": ["string", "null"], "description": "The US state whose own timeframe (set by the "
                    "organisation) replaced the federal default: a \"state timeframe\"; null for the default"}


def _statutory_paths(components: dict) -> dict:
    """The statutory rules and the calculator (open to anyone, no meeting data), and a meeting's timeline."""
    components.setdefault("StatutoryComputeArgs", _schema(schemas.StatutoryComputeArgs, components))
    components.setdefault("RoutePreviewArgs", _schema(schemas.RoutePreviewArgs, components))
    components["StatutoryRule"] = _object("A statutory rule as data (docs/statutory-rules.md)", {
        "id": _TEXT, "version": {"type": "integer", "minimum": 1}, "jurisdiction": {"enum": ["ENG", "US"]},
        "title": _TEXT, "who": _TEXT, "start_events": _STRINGS, "formula": _TEXT,
        "verification": {"enum": ["P", "S", "U"], "description": "P primary text, S secondary sources, U unverified"},
        "sources": _STRINGS, "effective_from": _DATE, "effective_to": _DAY_OR_NULL, "note": _TEXT,
        "state_timeframe": _STATE_TIMEFRAME,
    })
    components["StatutoryDate"] = _object("A computed statutory date with its rule, source and verification", {
        "rule": _ref("StatutoryRule"), "date": _DATE, "date_text": _TEXT,
        "verified": {"type": "boolean", "description": "False when the rule, or a convention it relies on, is unverified"},
        "verification": {"enum": ["P", "S", "U"]}, "caveats": _STRINGS, "sources": _STRINGS,
        "state_timeframe": _STATE_TIMEFRAME, "notice": _TEXT,
    })
    effects = {"enum": ["moves", "removes", "notes"],
               "description": "moves the date, removes the fixed date, or notes the reason (the date stands)"}
    components["StatutoryException"] = _object("An exception recorded for a step, as its rule allows", {
        "key": _TEXT, "label": _TEXT, "effect": effects, "reason": _TEXT,
        "days": {"type": ["integer", "null"], "minimum": 1}, "text": _TEXT,
    })
    components["StatutoryAllowance"] = _object("An exception a step's rule accepts, and what it does", {
        "key": _TEXT, "label": _TEXT, "effect": effects, "effect_text": _TEXT,
        "takes_days": {"type": "boolean", "description": "True when the record gives the days it moves the date by"},
    })
    components["StatutoryTimelineItem"] = _object("One dated step of a meeting's statutory process, with its record", {
        "rule_id": _TEXT, "rule_version": {"type": "integer", "minimum": 1}, "title": _TEXT, "who": _TEXT,
        "date": {**_DATE, "description": "The date that applies: the rule's, or moved by a recorded exception"},
        "date_text": _TEXT, "side": {"enum": ["before", "after"]},
        "status": {"enum": ["due", "due_soon", "overdue", "met", "late", "done", "no_fixed_date"],
                   "description": "From the record: met (done on or before the date), late (done after it), done (no "
                   "fixed date applies); else against the organisation's today: overdue once passed, due_soon "
                   "within 7 days, or no_fixed_date when an exception removed it"},
        "counted_from": _TEXT, "verified": {"type": "boolean"}, "verification": {"enum": ["P", "S", "U"]},
        "caveats": _STRINGS, "sources": _STRINGS, "state_timeframe": _STATE_TIMEFRAME,
        "rule_date": {**_DATE, "description": "The rule's date as computed, before any exception"},
        "due": {**_DAY_OR_NULL, "description": "The date that applies; null when an exception removed the fixed date"},
        "date_removed": {"type": "boolean"},
        "done_on": _DAY_OR_NULL, "done_text": _TEXT,
        "record_text": {**_TEXT, "description": "Where the step stands in words, e.g. 'Met on 12 Mar 2027'"},
        "exception": {"oneOf": [_ref("StatutoryException"), {"type": "null"}]},
        "exceptions_allowed": _list("StatutoryAllowance"),
    })
    components["StatutoryNeed"] = _object("A step whose start date is not known yet", {
        "rule_id": _TEXT, "title": _TEXT, "who": _TEXT, "needs": _TEXT, "record_text": _TEXT, "counted_from": _TEXT,
    })
    components["ProcessField"] = {
        "type": "object", "description": "A process date (or the phase-transfer choice) the meeting type takes",
        "required": ["name", "label", "kind", "value"],
        "properties": {"name": _TEXT, "label": _TEXT, "kind": {"enum": ["date", "choice"]}, "value": _TEXT_OR_NULL,
                       "options": {"type": "array", "items": _object("A choice", {"value": _TEXT, "label": _TEXT})}},
        "additionalProperties": False,
    }
    components["StatutoryTimeline"] = _object("A meeting's statutory timeline", {
        "meeting_id": {"type": "integer"}, "meeting_type": _TEXT, "jurisdiction": {"enum": ["ENG", "US"]},
        "meeting_date": _DATE, "today": _DATE, "timezone": _TEXT,
        "items": _list("StatutoryTimelineItem"), "needs": _list("StatutoryNeed"), "process": _list("ProcessField"),
        "notice": _TEXT,
    })
    roles = sorted(access.PERMISSIONS["statutory.timeline"])
    rules_list = {"type": "object", "required": ["rules", "notice"],
                  "properties": {"rules": _list("StatutoryRule"), "notice": _TEXT}}
    return {
        "/api/v1/meetings/{meeting_id}/timeline": {
            "get": {
                "operationId": "readMeetingTimeline",
                "summary": "The meeting's statutory dates before and after it: who acts, by when, status, source",
                "description": f"Allowed roles: {', '.join(roles)}. The steps follow the meeting type (an IEP "
                "meeting the US federal rules, any other type England's), counted from the day the meeting "
                "started, else its scheduled day, in the organisation's time zone. Not legal advice.",
                "x-roles": roles,
                "parameters": [MEETING_ID],
                "responses": {
                    "200": {"description": "The timeline", "content": {"application/json": {"schema": _ref("StatutoryTimeline")}}},
                    **_error_responses(401, 403, 404),
                },
            }
        },
        "/api/v1/meetings/{meeting_id}/invitations": {
            "get": {
                "operationId": "readInvitations",
                "summary": "Each person's invitation by e-mail (address, state, reply, notice had) and who the regulations expect",
                "description": f"Allowed roles: {', '.join(sorted(access.PERMISSIONS['invitations.read']))}. State: not_invited, "
                "sending, invited, failed (with the error; the chair may retry), cancelled, or the invitee's reply "
                "(accepted, declined, remote_only). The notice each person had is counted from their first invitation "
                "to the meeting's day, against the meeting type's rule (ENG-AR-05; US-IEP-04 sets no fixed days); "
                "`expected` lists the places the meeting type expects (ENG-AR-04, 34 CFR 300.321), a missing one "
                "with `warning: true`. Not legal advice.",
                "x-roles": sorted(access.PERMISSIONS["invitations.read"]),
                "parameters": [MEETING_ID],
                "responses": {
                    "200": {"description": "{meeting_id, notice_rule, expected, people}",
                            "content": {"application/json": {"schema": {"type": "object"}}}},
                    **_error_responses(401, 403, 404),
                },
            }
        },
        "/api/v1/meetings/{meeting_id}/routes/preview": {
            "post": {
                "operationId": "previewDisagreementRoute",
                "summary": "What a disagreement's route says for the dates typed, before saving: its dates and any late follow-up",
                "description": f"Allowed roles: {', '.join(sorted(access.PERMISSIONS['routes.preview']))}. The routes open depend on "
                "the meeting's jurisdiction and on what the disagreement is about; a route or date it does not take is "
                "refused with 422 naming the field. Nothing is kept. The answer has the route fields of a Disagreement "
                "(about_label, next_step_label, next_step_note, route_dates, route_deadlines, route_missing, follow_up_late). "
                "Not legal advice.",
                "x-roles": sorted(access.PERMISSIONS["routes.preview"]),
                "parameters": [MEETING_ID],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("RoutePreviewArgs")}}},
                "responses": {
                    "200": {"description": "The route's dates", "content": {"application/json": {"schema": {"type": "object"}}}},
                    **_error_responses(401, 403, 404, 422),
                },
            }
        },
        "/api/v1/statutory/rules": {
            "get": {
                "operationId": "readStatutoryRules",
                "summary": "The statutory rules in force today, with their formulas, who acts, sources and verification",
                "security": [],
                "parameters": [{"name": "jurisdiction", "in": "query", "schema": {"type": "string", "enum": ["ENG", "US"]}}],
                "responses": {
                    "200": {"description": "The rules", "content": {"application/json": {"schema": rules_list}}},
                    **_error_responses(422),
                },
            }
        },
        "/api/v1/statutory/compute": {
            "post": {
                "operationId": "computeStatutoryDate",
                "summary": "Compute one rule's date from its start dates (e.g. a decision letter and a certificate date)",
                "description": "Working days skip the jurisdiction's public holidays (England and Wales bank holidays; US "
                "federal holidays). A date from an unverified rule, or through an unverified convention, has "
                "`verified: false`. Not legal advice.",
                "security": [],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("StatutoryComputeArgs")}}},
                "responses": {
                    "200": {"description": "The date", "content": {"application/json": {"schema": _ref("StatutoryDate")}}},
                    **_error_responses(422),
                },
            }
        },
    }


@lru_cache(maxsize=1)
def _query_parameters() -> dict[tuple[str, str], dict[str, dict]]:
    """(method, path) -> the query parameters the document declares for it, by name."""
    return {
        (method.upper(), path): {p["name"]: p["schema"] for p in op.get("parameters", []) if p["in"] == "query"}
        for path, ops in openapi_document()["paths"].items()
        for method, op in ops.items()
    }


def query_parameters(method: str, path: str) -> dict[str, dict] | None:
    """The query parameters declared for an operation (`path` as written in the document), or None for
    an operation the document does not describe."""
    return _query_parameters().get((method, path))


def allows_empty(schema: dict) -> bool:
    """True when a query parameter's schema accepts an empty value (a free text)."""
    return schema.get("type") == "string" and not ({"pattern", "format", "enum", "minLength"} & set(schema))


def empty_refusal(schema: dict) -> str:
    """What a query parameter with an empty value, which its schema does not allow, is told."""
    if schema.get("type") == "integer":
        low = schema.get("minimum")
        return f"Must be a whole number, {low} or more." if low is not None else "Must be a whole number."
    if schema.get("format") == "date":
        return "Must be a date like 2026-03-14."
    return "Give a value, or leave the parameter out."


# ---------------------------------------------------------------- the evidence pack and its documents

DOCUMENT_ID = {"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _evidence_paths() -> dict:
    """The pack as a link may read it, uploads and downloads (the pack's commands are under /commands)."""
    read_roles = sorted(access.PERMISSIONS["evidence.read"])
    upload_roles = sorted(access.PERMISSIONS["documents.upload"])
    download_roles = sorted(access.PERMISSIONS["documents.download"])
    document = {"type": "object", "description": "A document of the pack (never its bytes)", "additionalProperties": True}
    return {
        "/api/v1/meetings/{meeting_id}/evidence": {
            "get": {
                "operationId": "readEvidencePack",
                "summary": "The evidence pack: requests for advice and the child's views, their state, documents, circulation",
                "description": f"Allowed roles: {', '.join(read_roles)}. A participant reads their own requests and "
                "documents, and the whole pack once circulated, less confidential documents that are not their own; "
                "the chair and note-takers read everything, with a row per person (requested, received, late).",
                "x-roles": read_roles,
                "parameters": [MEETING_ID],
                "responses": {
                    "200": {"description": "The pack", "content": {"application/json": {"schema": {"type": "object"}}}},
                    **_error_responses(401, 403, 404),
                },
            }
        },
        "/api/v1/meetings/{meeting_id}/documents": {
            "post": {
                "operationId": "uploadDocument",
                "summary": "Upload a PDF, DOCX, PNG or JPEG to the pack (type checked from the content, not the name)",
                "description": f"Allowed roles: {', '.join(upload_roles)} (a participant against their own request). "
                "multipart/form-data: `file`, and optionally `request_id` and `confidential` (true/false). 413 over "
                "DOCUMENT_MAX_BYTES, 415 another kind of file, 422 a name with a path or control characters, content "
                "that is not what the name or type says, or a request that is not the uploader's; nothing is kept.",
                "x-roles": upload_roles,
                "parameters": [MEETING_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "request_id": {"type": "string", "pattern": "^[0-9]*$"},
                                    "confidential": {"type": "string", "enum": ["true", "false", "on", ""]},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": {"description": "Kept", "content": {"application/json": {"schema": {"type": "object", "properties": {"document": document}}}}},
                    "413": {"description": "Larger than DOCUMENT_MAX_BYTES", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "415": {"description": "Not a PDF, DOCX, PNG or JPEG", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    **_error_responses(401, 403, 404, 422),
                },
            }
        },
        "/api/v1/meetings/{meeting_id}/documents/{document_id}": {
            "get": {
                "operationId": "downloadDocument",
                "summary": "A document's bytes, as an attachment (every download is written to the access log)",
                "description": f"Allowed roles: {', '.join(download_roles)}, for documents they may read (see readEvidencePack).",
                "x-roles": download_roles,
                "parameters": [MEETING_ID, DOCUMENT_ID],
                "responses": {
                    "200": {"description": "The file", "content": {k[0]: {"schema": {"type": "string", "format": "binary"}} for k in (
                        ("application/pdf",), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",), ("image/png",), ("image/jpeg",))}},
                    **_error_responses(401, 403, 404),
                },
            }
        },
    }
