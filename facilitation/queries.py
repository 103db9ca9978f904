"""Read side: what pages, the API and reconnecting clients are shown of a meeting."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask import g as context_globals
from sqlalchemy import and_, bindparam, func, or_, select

from .calendars import organisation_calendar
from .domain import access, agenda, registers
from .domain import outcomes as outcome_rules
from .domain import routes as route_rules
from .domain.dates import uk_date
from .domain.meetings import AGENCIES, MEETING_TYPES, PARTICIPANT_ROLES
from .domain.statutory import organisation as org_rules
from .domain.statutory.calendar import Calendar
from .domain.statutory.rules import RULES, Rule
from .extensions import db
from .models import (
    AccessLink,
    Action,
    AgendaItem,
    AuditEntry,
    Decision,
    Disagreement,
    Document,
    Meeting,
    MeetingEvent,
    Organisation,
    OrganisationGrant,
    Participant,
    PlanAmendment,
    PlanOutcome,
    Position,
    ReportSending,
    SpeakingRequest,
    User,
    utcnow,
)


def iso(value: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 with milliseconds, as browsers parse it."""
    return value.isoformat(timespec="milliseconds") if value else None


def item_view(item: AgendaItem, now: datetime) -> dict:
    """One agenda item with its clock, as every client sees it."""
    # Time is shown for an item that is no longer running: finished, skipped, or left to come back to.
    stopped = item.status in (agenda.DONE, agenda.SKIPPED, agenda.LEFT)
    return {
        "id": item.id,
        "position": item.position,
        "title": item.title,
        "presenter": item.presenter,
        "allocated_seconds": item.allocated_seconds,
        "extended_seconds": item.extended_seconds,
        "time_scale": item.time_scale,
        "status": item.status,
        "deferred": item.deferred,
        "visits": item.visits,
        "elapsed_before": round(item.elapsed_before, 3),
        "run_started_at": iso(item.run_started_at),
        "started_at": iso(item.started_at),
        "ended_at": iso(item.ended_at),
        "ends_at": iso(agenda.ends_at(item)),
        "actual_seconds": agenda.actual_seconds(item, now) if stopped else None,
        "version": item.version,
    }


def meeting_view(meeting: Meeting, items: list[AgendaItem], now: datetime) -> dict:
    """The meeting's details and clock state (projected end as of `now`)."""
    return {
        "id": meeting.id,
        "title": meeting.title,
        "meeting_type": meeting.meeting_type,
        "meeting_type_label": MEETING_TYPES.get(meeting.meeting_type, meeting.meeting_type),
        "child_ref": meeting.child_ref,
        "scheduled_start": iso(meeting.scheduled_start),
        "scheduled_end": iso(meeting.scheduled_end),
        "status": meeting.status,
        "started_at": iso(meeting.started_at),
        "ended_at": iso(meeting.ended_at),
        "current_item_id": meeting.current_item_id,
        "projected_end": iso(agenda.projected_end(meeting, items, now)),
        "allocation": agenda.check_allocation(meeting, items).as_dict(),
        "year_group": meeting.year_group,
        "adulthood_areas": list(meeting.adulthood_areas or []),
        "safeguards": safeguards_view(meeting),
        "version": meeting.version,
    }


def safeguards_view(meeting: Meeting) -> dict | None:
    """A US IEP meeting's procedural safeguards offered and parent's consent; none until recorded."""
    if meeting.safeguards_offered_on is None:
        return None
    return {
        "offered_on": _day(meeting.safeguards_offered_on),
        "how": meeting.safeguards_how,
        "consent": meeting.consent,
        "consent_on": _day(meeting.consent_on),
    }


def participant_view(participant: Participant) -> dict:
    """A participant as others in the meeting see them (no link, no contact details)."""
    return {
        "id": participant.id,
        "name": participant.name,
        "role": participant.role,
        "role_label": PARTICIPANT_ROLES.get(participant.role, participant.role),
        "agency": participant.agency,
        "agency_label": participant.agency_name or AGENCIES.get(participant.agency, participant.agency),
        "attendance": participant.attendance,
        "attendance_label": registers.ATTENDANCE.get(participant.attendance, participant.attendance),
        "arrived_late": participant.arrived_late,
        "left_early": participant.left_early,
        "joined_at": iso(participant.joined_at),
        "attendance_confirmed": participant.attendance_confirmed,
        "language": participant.language,
        "needs_interpreter": participant.needs_interpreter,
        "version": participant.version,
    }


def _day(value) -> str | None:
    return value.isoformat() if value else None


def decision_view(d: Decision, now: datetime | None = None) -> dict:
    """A decision as everyone in the meeting sees it."""
    return {
        "id": d.id,
        "agenda_item_id": d.agenda_item_id,
        "text": d.text,
        "reasons": d.reasons,
        "evidence": d.evidence,
        "options_considered": d.options_considered,
        "status": d.status,
        "status_label": registers.DECISION_STATUSES.get(d.status, d.status),
        "dissenter_ids": list(d.dissenter_ids or []),
        "disagreement_id": d.disagreement_id,
        "confidential": d.confidential,
        "review_date": _day(d.review_date),
        "citations": citations_of(d.cited_document_ids),
        "notice": d.notice,
        "other_factors": d.other_factors,
        "answers_view_ids": list(d.answers_view_ids or []),
        "answers_recorded_views": bool(d.answers_recorded_views),
        "version": d.version,
        "created_at": iso(d.created_at),
    }


def outcome_view(o: PlanOutcome, now: datetime | None = None) -> dict:
    """An outcome of the child's plan with the progress recorded against it, as everyone in the meeting sees it."""
    return {
        "id": o.id,
        "position": o.position,
        "text": o.text,
        "area": o.area,
        "area_label": outcome_rules.PFA_AREAS.get(o.area) if o.area else None,
        "progress": o.progress,
        "evidence": o.evidence,
        "still_appropriate": o.still_appropriate,
        "still_appropriate_label": outcome_rules.STILL_APPROPRIATE.get(o.still_appropriate) if o.still_appropriate else None,
        "proposed_change": o.proposed_change,
        "carried_from_id": o.carried_from_id,
        "confidential": o.confidential,
        "version": o.version,
        "created_at": iso(o.created_at),
    }


def amendment_view(a: PlanAmendment, now: datetime | None = None) -> dict:
    """A section of the plan to amend with the proposed wording."""
    return {
        "id": a.id,
        "section": a.section,
        "section_label": outcome_rules.EHCP_SECTIONS.get(a.section, a.section),
        "wording": a.wording,
        "reason": a.reason,
        "confidential": a.confidential,
        "version": a.version,
        "created_at": iso(a.created_at),
    }


def report_sending_view(r: ReportSending, now: datetime | None = None) -> dict:
    """A statutory report sent to one recipient on a date."""
    return {
        "id": r.id,
        "report": r.report,
        "recipient": r.recipient,
        "recipient_kind": r.recipient_kind,
        "sent_on": _day(r.sent_on),
        "minutes_number": r.minutes_number,
        "version": r.version,
        "created_at": iso(r.created_at),
    }


def action_view(a: Action, now: datetime | None = None) -> dict:
    """An action with its owner, agency and dates."""
    return {
        "id": a.id,
        "agenda_item_id": a.agenda_item_id,
        "what": a.what,
        "owner_participant_id": a.owner_participant_id,
        "owner_name": a.owner_name,
        "owner_agency": a.owner_agency,
        "due_date": _day(a.due_date),
        "follow_up_date": _day(a.follow_up_date),
        "need": a.need,
        "citations": citations_of(a.cited_document_ids),
        "confidential": a.confidential,
        "status": a.status,
        "confirmed_at": iso(a.confirmed_at),
        "version": a.version,
        "created_at": iso(a.created_at),
    }


def citations_of(ids: list | None) -> list[dict]:
    """The pack's documents an entry cites (id, name, kind, confidential), in the order cited; removed ones left out."""
    if not ids:
        return []
    rows = {d.id: d for d in db.session.scalars(select(Document).where(Document.id.in_(ids), Document.deleted_at.is_(None)))}
    return [{"id": i, "name": rows[i].name, "kind": rows[i].kind, "confidential": rows[i].confidential} for i in ids if i in rows]


def public_citations(row: dict) -> dict:
    """An entry's view less citations of confidential documents (and so for a disagreement's positions),
    as roles that may not see confidential documents receive it; the same dict when nothing is cut."""
    cut = {}
    if any(c["confidential"] for c in row.get("citations", ())):
        cut["citations"] = [c for c in row["citations"] if not c["confidential"]]
    if any(c["confidential"] for p in row.get("positions", ()) for c in p.get("citations", ())):
        cut["positions"] = [public_citations(p) for p in row["positions"]]
    return {**row, **cut} if cut else row


def position_view(p: Position) -> dict:
    """One party's position in a disagreement."""
    return {
        "id": p.id,
        "disagreement_id": p.disagreement_id,
        "participant_id": p.participant_id,
        "party_name": p.party_name,
        "agency": p.agency,
        "view": p.view,
        "evidence": p.evidence,
        "citations": citations_of(p.cited_document_ids),
        "version": p.version,
    }


def route_dates_of(stored: dict | None) -> dict[str, date]:
    """A disagreement's stored route dates ({event: "YYYY-MM-DD"}) as dates; anything unreadable is left out."""
    found = {}
    for event, text in (stored or {}).items():
        try:
            found[event] = date.fromisoformat(text)
        except (TypeError, ValueError):
            continue
    return found


#: the first organisation: the one a single-organisation deployment has, and the default scope
FIRST_ORGANISATION = 1


def use_organisation(organisation_id: int) -> None:
    """Scope the rest of this app context (a request, a socket event, one meeting of a CLI loop) to an
    organisation: its settings, time zone, calendar and statutory rules are the ones read from here on."""
    if context_globals.get("_organisation_id") != organisation_id:
        context_globals._organisation_id = organisation_id
        context_globals._organisation_row = None


def scoped_organisation_id() -> int | None:
    """The organisation this app context was scoped to with use_organisation, or None when it was not."""
    return context_globals.get("_organisation_id") if has_app_context() else None


def only_organisation() -> bool:
    """True when the deployment has one organisation (every meeting is its own), read once per app context."""
    found = context_globals.get("_only_organisation") if has_app_context() else None
    if found is None:
        found = db.session.scalar(select(func.count()).select_from(Organisation)) <= 1
        if has_app_context():
            context_globals._only_organisation = found
    return found


def current_organisation_id() -> int:
    """The organisation this app context is scoped to (use_organisation), else the first one."""
    return context_globals.get("_organisation_id", FIRST_ORGANISATION) if has_app_context() else FIRST_ORGANISATION


def organisation_row() -> Organisation | None:
    """The current organisation's settings row, read once per app context and scope: a strong reference
    keeps it in the session's identity map (which holds rows weakly), and the session refreshes it after
    each commit."""
    org = context_globals.get("_organisation_row") if has_app_context() else None
    if org is None or org not in db.session:
        with db.session.no_autoflush:  # a command's pending changes are not flushed early by this read
            org = db.session.get(Organisation, current_organisation_id())
        if has_app_context():
            context_globals._organisation_row = org
    return org


def organisation_zone() -> ZoneInfo:
    """The organisation's time zone (its settings), else the TIMEZONE configured (Europe/London by default)."""
    org = organisation_row()
    return ZoneInfo((org.timezone if org is not None else None) or current_app.config.get("TIMEZONE", "Europe/London"))


def statutory_calendar(jurisdiction: str, years) -> Calendar:
    """The organisation's calendar for a jurisdiction: public holidays, its closure days, terms and time zone."""
    org = organisation_row()
    closures = json.dumps(org.closure_days if org is not None else None)
    terms = json.dumps(org.term_dates if org is not None else None)
    return _calendar(jurisdiction, tuple(years), closures, terms, organisation_zone().key)


@lru_cache(maxsize=64)
def _calendar(jurisdiction: str, years: tuple[int, ...], closures: str, terms: str, zone: str) -> Calendar:
    spans = org_rules.spans_from
    return organisation_calendar(
        jurisdiction, years, closures=org_rules.closure_days(spans(json.loads(closures))), terms=org_rules.terms_of(spans(json.loads(terms))), timezone=zone
    )


def statutory_rules() -> tuple[Rule, ...]:
    """Every rule, with the organisation's US state timeframes in place of the federal defaults it overrides."""
    org = organisation_row()
    if org is None:
        return RULES
    return _state_rules(org.us_state or org_rules.FEDERAL, tuple(sorted((org.us_timeframes or {}).items())))


@lru_cache(maxsize=32)
def _state_rules(state: str, timeframes: tuple[tuple[str, int], ...]) -> tuple[Rule, ...]:
    return org_rules.state_rules(RULES, dict(timeframes), state)


def route_view(d: Disagreement, meeting_type: str) -> dict:
    """The disagreement's route in its jurisdiction's words: what it is about, the route, its clock's dates."""
    return route_preview(meeting_type, d.about, d.next_step, route_dates_of(d.route_dates), d.follow_up_date, d.created_at.date())


def route_preview(meeting_type: str, about: str | None, next_step: str | None, dates: dict[str, date], follow_up: date | None, today: date) -> dict:
    """What a route says for these dates (as stored, or as typed in a form before it is saved)."""
    kind = route_rules.find_kind(meeting_type, about)
    route = route_rules.find_route(meeting_type, next_step)
    view = {
        "about": about,
        "about_label": kind.label if kind else None,
        "next_step_label": route.label if route else (next_step or None),
        "next_step_note": route.note if route else None,
        "next_step_contact": route.contact if route else None,
        "route_dates": {event: day.isoformat() for event, day in sorted(dates.items())},
        "route_deadlines": [],
        "route_missing": [],
        "follow_up_late": None,
    }
    if route is None:
        return view
    around = min([*dates.values(), follow_up or today])
    calendar = statutory_calendar(route.jurisdiction, range(around.year - 1, around.year + 4))
    clock = route_rules.route_clock(route, about, dates, follow_up, calendar, statutory_rules())
    view["route_deadlines"] = [
        {
            "rule_id": found.rule_id,
            "title": found.title,
            "who": found.who,
            "date": found.deadline.date.isoformat(),
            "date_text": uk_date(found.deadline.date, weekday=True),
            "verified": found.deadline.verified,
            "sources": list(found.deadline.sources),
            "limit": found.limit,
        }
        for found in clock.dates
    ]
    view["route_missing"] = [asked.label for asked in clock.missing]
    if clock.follow_up_late is not None:
        late = clock.follow_up_late
        view["follow_up_late"] = {
            "rule_id": late.rule_id,
            "title": late.title,
            "date": late.deadline.date.isoformat(),
            "message": (
                f"The follow-up date ({uk_date(follow_up, weekday=True)}) is after the latest date for "
                f"\u201c{late.title}\u201d: {uk_date(late.deadline.date, weekday=True)} ({late.rule_id}). Follow up before it."
            ),
        }
    return view


def routes_table(meeting_type: str) -> dict:
    """What a disagreement in this meeting can be about and the routes open, for the console's forms."""
    return {
        "jurisdiction": route_rules.jurisdiction(meeting_type),
        "kinds": [{"key": k.key, "label": k.label} for k in route_rules.kinds(meeting_type)],
        "routes": [
            {
                "key": r.key,
                "label": r.label,
                "note": r.note,
                "about": sorted(r.about),
                "asks": {
                    kind: [{"event": a.event, "label": a.label, "optional": a.optional} for a in route_rules.asks_for(r, kind or None)]
                    for kind in ["", *sorted(r.about)]
                },
            }
            for r in route_rules.routes(meeting_type)
        ],
    }


def disagreement_view(d: Disagreement, now: datetime | None = None) -> dict:
    """A disagreement with every live position, the agreed next step and its route's dates."""
    meeting = db.session.get(Meeting, d.meeting_id)
    return {
        "id": d.id,
        "agenda_item_id": d.agenda_item_id,
        "topic": d.topic,
        "confidential": d.confidential,
        "resolved": d.resolved,
        "resolution": d.resolution,
        "next_step": d.next_step,
        "next_step_owner_participant_id": d.next_step_owner_participant_id,
        "next_step_owner_name": d.next_step_owner_name,
        "next_step_agency": d.next_step_agency,
        "follow_up_date": _day(d.follow_up_date),
        "resolved_at": iso(d.resolved_at),
        "minutes_section": d.minutes_section,
        "reflection": {
            "date": _day(d.reflection_date),
            "what_worked": d.reflection_worked,
            "do_differently": d.reflection_differently,
            "recorded_at": iso(d.reflected_at),
        },
        **route_view(d, meeting.meeting_type),
        "positions": [position_view(p) for p in d.positions if p.deleted_at is None],
        "version": d.version,
        "created_at": iso(d.created_at),
    }


def speaking_request_view(r: SpeakingRequest, now: datetime | None = None) -> dict:
    """A raised hand, question, comment or break request, as the chair and its asker see it."""
    return {
        "id": r.id,
        "kind": r.kind,
        "text": r.text,
        "participant_id": r.participant_id,
        "item_id": r.item_id,
        "created_at": iso(r.created_at),
        "status": r.status,
        "answered_at": iso(r.answered_at),
        "version": r.version,
    }


def _sort_by_id(row) -> tuple:
    return (row.id,)


#: How each collection in an event or snapshot is shown, and in what order.
VIEWS = {
    "items": item_view,
    "participants": lambda p, now=None: participant_view(p),
    "decisions": decision_view,
    "actions": action_view,
    "disagreements": disagreement_view,
    "speaking_requests": speaking_request_view,
    "outcomes": outcome_view,
    "amendments": amendment_view,
    "report_sendings": report_sending_view,
}
SORT_KEYS = {
    "items": lambda i: (i.position, i.id),
    "participants": _sort_by_id,
    "decisions": _sort_by_id,
    "actions": _sort_by_id,
    "disagreements": _sort_by_id,
    "speaking_requests": _sort_by_id,
    "outcomes": lambda o: (o.position, o.id),
    "amendments": _sort_by_id,
    "report_sendings": _sort_by_id,
}
#: The record's registers, read for snapshots; deleted entries stay in the audit trail only. The plan's
#: outcomes and the sections to amend are registers too: confidential ones go only where other
#: confidential entries go.
REGISTERS = {
    "decisions": Decision,
    "actions": Action,
    "disagreements": Disagreement,
    "outcomes": PlanOutcome,
    "amendments": PlanAmendment,
}


def live_entries(model, meeting_id: int) -> list:
    """A register's entries for a meeting, oldest first (outcomes in the plan's order), less deleted ones."""
    return list(db.session.scalars(_live_entries_query(model), {"meeting_id": meeting_id}))


@cache
def _live_entries_query(model):
    """The query of `live_entries` for one register, built once (every snapshot runs it for each)."""
    order = (model.position, model.id) if model is PlanOutcome else (model.id,)
    return select(model).where(model.meeting_id == bindparam("meeting_id"), model.deleted_at.is_(None)).order_by(*order)


def speaking_requests(meeting_id: int, role: str, participant_id: int | None) -> list[dict]:
    """The requests to speak a link is shown, read now (see `shown_requests`)."""
    requests = [speaking_request_view(r) for r in db.session.scalars(_SPEAKING_REQUESTS, {"meeting_id": meeting_id})]
    return shown_requests(requests, role, participant_id)


def shown_requests(requests: list[dict], role: str, participant_id: int | None) -> list[dict]:
    """Of a meeting's requests to speak (oldest first), those a link is shown: all for the chair and
    note-takers, a participant's own for them, none for observers and the shared screen."""
    if role in access.QUEUE_READERS:
        return requests
    if role != access.PARTICIPANT or participant_id is None:
        return []
    return [r for r in requests if r["participant_id"] == participant_id]


#: The query of a meeting's requests to speak, oldest first, built once.
_SPEAKING_REQUESTS = (
    select(SpeakingRequest).where(SpeakingRequest.meeting_id == bindparam("meeting_id")).order_by(SpeakingRequest.id)
)


def present_participants(meeting: Meeting) -> list[Participant]:
    """The meeting's participants, less any the chair removed."""
    return [p for p in meeting.participants if p.removed_at is None]


def entry_shown(entity: str, entity_id: int, role: str) -> bool:
    """False for a confidential decision, action or disagreement asked for by a role that may not see it."""
    model = {"decision": Decision, "action": Action, "disagreement": Disagreement, "outcome": PlanOutcome, "amendment": PlanAmendment}.get(entity)
    if model is None or access.sees_confidential(role):
        return True
    row = db.session.get(model, entity_id)
    return row is None or not row.confidential


#: Collections of an event whose rows can be confidential entries, and the table each row is from:
#: the meeting's registers, and earlier meetings' actions updated in this meeting's review of them.
CONFIDENTIAL_COLLECTIONS = {**REGISTERS, "previous_actions": Action}
#: Collections whose rows belong to an action (by `action_id`): hidden with their action.
ACTION_DETAIL_COLLECTIONS = ("action_updates",)


def confidential_now(events_data: list[dict]) -> dict[str, set[int]]:
    """The ids, per collection, of the entries in these events' data that are marked confidential
    now: an event written before an entry was marked confidential still carries its text."""
    wanted: dict[str, set[int]] = {}
    for data in events_data:
        for name in CONFIDENTIAL_COLLECTIONS:
            wanted.setdefault(name, set()).update(row["id"] for row in data.get(name, ()))
        for name in ACTION_DETAIL_COLLECTIONS:
            wanted.setdefault("actions", set()).update(row["action_id"] for row in data.get(name, ()))
    hidden: dict[str, set[int]] = {}
    by_model: dict[type, set[int]] = {}
    for name, ids in wanted.items():
        by_model.setdefault(CONFIDENTIAL_COLLECTIONS[name], set()).update(ids)
    for model, ids in by_model.items():
        found = set(db.session.scalars(select(model.id).where(model.id.in_(ids), model.confidential))) if ids else set()
        for name, table in CONFIDENTIAL_COLLECTIONS.items():
            if table is model:
                hidden[name] = found
    return hidden


def redacted(data: dict, hidden_now: dict[str, set[int]] | None = None) -> dict | None:
    """An event's data as roles that may not see confidential entries receive it, or None when
    nothing in it is confidential.

    An entry is confidential when its row in the event says so or its id is in `hidden_now` (marked
    confidential since). A confidential entry becomes a removal, so a client that saw it before it
    was marked confidential drops it; what belongs to it (an action's progress notes and evidence)
    is left out with it. The event keeps its seq, so nobody sees a gap."""
    hidden_now = hidden_now or {}
    hidden = {
        name: {row["id"] for row in data.get(name, ()) if row.get("confidential") or row["id"] in hidden_now.get(name, ())}
        for name in CONFIDENTIAL_COLLECTIONS
    }
    hidden_actions = hidden["actions"] | hidden["previous_actions"] | hidden_now.get("actions", set())
    details_hidden = any(
        row["action_id"] in hidden_actions for name in ACTION_DETAIL_COLLECTIONS for row in data.get(name, ())
    )
    cited = any(public_citations(row) is not row for name in CONFIDENTIAL_COLLECTIONS for row in data.get(name, ()))
    if not details_hidden and not any(hidden.values()) and not cited:
        return None
    out = dict(data)
    if cited:
        for name in CONFIDENTIAL_COLLECTIONS:
            if name in data:
                out[name] = [public_citations(row) for row in data[name]]
    for name, ids in hidden.items():
        if ids:
            out[name] = [row for row in out[name] if row["id"] not in ids]
            out[f"removed_{name}"] = list(data.get(f"removed_{name}", [])) + sorted(ids)
    for name in ACTION_DETAIL_COLLECTIONS:
        if name in data:
            out[name] = [row for row in data[name] if row["action_id"] not in hidden_actions]
    return out


#: The type of an event whose change the receiver is not shown (another participant's request to
#: speak): it carries the meeting and its seq only, so nobody sees a gap.
PRIVATE = "private"


def askers(data: dict) -> set[int]:
    """The participants whose requests to speak are in an event's data."""
    return {row["participant_id"] for row in data.get("speaking_requests", ())}


def without_others_requests(data: dict, role: str, participant_id: int | None) -> dict | None:
    """An event's data less the requests to speak this link is not shown, or None when it is shown all."""
    rows = data.get("speaking_requests")
    if rows is None or role in access.QUEUE_READERS:
        return None
    own = [row for row in rows if access.sees_speaking_request(role, participant_id, row["participant_id"])]
    if len(own) == len(rows):
        return None
    out = {k: v for k, v in data.items() if k != "speaking_requests"}
    if own:
        out["speaking_requests"] = own
    return out


def for_role(
    event: dict, role: str, hidden_now: dict[str, set[int]] | None = None, participant_id: int | None = None
) -> dict:
    """An event envelope as a link receives it: by its role, and as `participant_id` for requests to speak."""
    if access.sees_confidential(role) and role in access.QUEUE_READERS:
        return event
    data = redacted(event["data"], hidden_now) or event["data"]
    private = without_others_requests(data, role, participant_id)
    if private is not None:
        return {**event, "type": PRIVATE if set(private) <= {"meeting"} else event["type"], "data": private}
    return event if data is event["data"] else {**event, "data": data}


def events_since(
    meeting_id: int, after_seq: int, last_seq: int, role: str = access.CHAIR, participant_id: int | None = None
) -> list[dict] | None:
    """The events after `after_seq`, in order, as a link of `role` (and `participant_id`) receives
    them; None when the client should take a snapshot."""
    missing = last_seq - after_seq
    if missing < 0 or missing > current_app.config["REPLAY_LIMIT"]:
        return None
    if missing == 0:
        return []
    rows = db.session.scalars(
        select(MeetingEvent)
        .where(MeetingEvent.meeting_id == meeting_id, MeetingEvent.seq > after_seq)
        .order_by(MeetingEvent.seq)
    ).all()
    envelopes = [event_envelope(r) for r in rows]
    if not access.sees_confidential(role) or role not in access.QUEUE_READERS:
        hidden_now = confidential_now([e["data"] for e in envelopes])
        envelopes = [for_role(e, role, hidden_now, participant_id) for e in envelopes]
    if len(envelopes) != missing or (envelopes and envelopes[0]["seq"] != after_seq + 1):
        return None
    return envelopes


def event_envelope(row: MeetingEvent) -> dict:
    """An event as broadcast and replayed."""
    return {"seq": row.seq, "type": row.type, "data": row.data, "at": iso(row.created_at)}


#: The query of `live_link`, built once: every page or API request made with a link runs it.
_LIVE_LINK = (
    select(AccessLink, Meeting.organisation_id)
    .join(Meeting, Meeting.id == AccessLink.meeting_id)
    .where(AccessLink.token == bindparam("token"))
)


def plausible_token(token) -> bool:
    """True for a string of a link token's length: anything else is not looked up."""
    return isinstance(token, str) and 20 <= len(token) <= 64


def live_link(token: str) -> AccessLink | None:
    """The link a token names, if it exists, has not been revoked and has not expired; the rest of the
    request is scoped to its meeting's organisation (use_organisation)."""
    if not plausible_token(token):
        return None
    row = db.session.execute(_LIVE_LINK, {"token": token}).first()
    if row is None or not link_works(row[0]):
        return None
    use_organisation(row.organisation_id)
    return row[0]


def use_meeting_organisation(meeting: Meeting | None) -> Meeting | None:
    """Scope the rest of this app context to a meeting's organisation; returns the meeting."""
    if meeting is not None:
        use_organisation(meeting.organisation_id)
    return meeting


def link_works(link: AccessLink | None, now: datetime | None = None) -> bool:
    """True for a link that has not been revoked and has not expired."""
    if link is None or link.revoked_at is not None:
        return False
    return link.expires_at is None or (now or utcnow()) < link.expires_at


def link_serves(link: AccessLink, user) -> bool:
    """True when the link may be used by this visitor: a staff link only by its own signed-in account,
    while that account still reaches the meeting's organisation (its own, or one that granted it access)."""
    if link.user_id is None:
        return True
    if not (user is not None and user.is_authenticated and user.id == link.user_id):
        return False
    organisation_id = scoped_organisation_id()
    if organisation_id is None:
        organisation_id = db.session.scalar(select(Meeting.organisation_id).where(Meeting.id == link.meeting_id))
    return account_reaches(user, organisation_id)


def account_reaches(user, organisation_id: int) -> bool:
    """True when an account may reach the organisation's meetings: its own, or one that granted it access."""
    if user.organisation_id == organisation_id:
        return True
    return (
        db.session.scalar(
            select(OrganisationGrant.id).where(
                OrganisationGrant.organisation_id == organisation_id, OrganisationGrant.user_id == user.id
            )
        )
        is not None
    )


def granted_organisations(user) -> dict[int, str]:
    """The organisations that granted an account access to their meetings, with the meeting role given."""
    if user is None or getattr(user, "id", None) is None:
        return {}
    return dict(
        db.session.execute(
            select(OrganisationGrant.organisation_id, OrganisationGrant.role).where(
                OrganisationGrant.user_id == user.id, OrganisationGrant.organisation_id != user.organisation_id
            )
        ).all()
    )


def meetings_for_user(user) -> list[dict]:
    """The meetings a staff account can open, newest first, with its own link and the organisation's name:
    its own organisation's (an administrator: all of them; others: those it prepared or has a link to),
    and every meeting of an organisation that granted it access (opened the first time through
    `meetings.open_granted`, which makes the account's link)."""
    granted = granted_organisations(user)
    own_links = {
        link.meeting_id: link
        for link in db.session.scalars(
            select(AccessLink)
            .join(Meeting, Meeting.id == AccessLink.meeting_id)
            .where(
                AccessLink.user_id == user.id,
                AccessLink.revoked_at.is_(None),
                Meeting.organisation_id.in_([user.organisation_id, *granted]),
            )
        )
    }
    own = Meeting.organisation_id == user.organisation_id
    if user.role != "admin":
        own = and_(own, or_(Meeting.owner_user_id == user.id, Meeting.id.in_(list(own_links) or [0])))
    reach = or_(own, Meeting.organisation_id.in_(list(granted))) if granted else own
    query = select(Meeting).where(reach).order_by(Meeting.scheduled_start.desc()).limit(200)
    names, zones = {}, {}
    default_zone = current_app.config.get("TIMEZONE", "Europe/London")
    for org_id, name, timezone in db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.timezone).where(Organisation.id.in_([user.organisation_id, *granted]))
    ):
        names[org_id], zones[org_id] = name, ZoneInfo(timezone or default_zone)
    rows = []
    for meeting in db.session.scalars(query):
        link = own_links.get(meeting.id)
        if link is None and meeting.owner_user_id == user.id:
            link = db.session.scalar(
                select(AccessLink).where(
                    AccessLink.meeting_id == meeting.id, AccessLink.role == "chair", AccessLink.revoked_at.is_(None)
                )
            )
        rows.append(
            {
                "meeting": meeting,
                "path": link_path(link) if link is not None else None,
                # a granting organisation's meeting not opened yet: a form posts here (meetings.open_granted)
                "open_path": f"/meetings/{meeting.id}/open" if link is None and meeting.organisation_id in granted else None,
                "role": link.role if link else granted.get(meeting.organisation_id),
                "organisation": names.get(meeting.organisation_id, ""),
                # the day in the meeting's own organisation's time zone
                "day": meeting.scheduled_start.astimezone(zones.get(meeting.organisation_id, ZoneInfo(default_zone))).date(),
                "granted": meeting.organisation_id in granted,
            }
        )
    return rows


def meeting_links(meeting_id: int) -> list[AccessLink]:
    """The meeting's links that still work, chair first."""
    order = {"chair": 0, "note_taker": 1, "screen": 2, "participant": 3, "observer": 4}
    links = db.session.scalars(
        select(AccessLink).where(AccessLink.meeting_id == meeting_id, AccessLink.revoked_at.is_(None))
    ).all()
    return sorted(links, key=lambda link: (order.get(link.role, 9), link.id))


def link_holder(link: AccessLink) -> str | None:
    """Whose link it is, for the chair's list: the participant, or the staff account."""
    if link.participant is not None:
        return link.participant.name
    if link.user_id is not None:
        user = db.session.get(User, link.user_id)
        return user.name if user is not None else None
    return None


def link_path(link: AccessLink) -> str:
    """The page a link opens: the chair console, the shared screen or the participant page."""
    prefix = {"chair": "chair", "note_taker": "chair", "screen": "screen", "participant": "join", "observer": "join"}[
        link.role
    ]
    return f"/{prefix}/{link.token}"


def load_items(meeting_id: int) -> list[AgendaItem]:
    """A meeting's agenda items in order."""
    return list(db.session.scalars(_LOAD_ITEMS, {"meeting_id": meeting_id}))


#: The query of `load_items`, built once: every command runs it.
_LOAD_ITEMS = select(AgendaItem).where(AgendaItem.meeting_id == bindparam("meeting_id")).order_by(AgendaItem.position)


def audit_history(meeting_id: int, entity: str, entity_id: int, role: str = access.CHAIR) -> list[dict]:
    """The audit trail of one entry, oldest first: who changed what, when, before and after (for a role
    that may not see confidential documents, less its citations of them)."""
    rows = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.meeting_id == meeting_id, AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id)
    )
    shown = (lambda v: v) if access.sees_confidential(role) else (lambda v: public_citations(v) if isinstance(v, dict) else v)
    return [{"action": r.action, "actor": r.actor, "at": iso(r.at), "before": shown(r.before), "after": shown(r.after)} for r in rows]
